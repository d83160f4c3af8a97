package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestLinkDatabasePipeline runs the documented path from a fictional
// population to persons: synth loads records into a real SQLite file, link
// turns them into persons, a second link changes nothing.
func TestLinkDatabasePipeline(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pipe.db")
	if _, err := runAmnestyCLI(t, "", "synth", "--db", db, "--persons", "150", "--seed", "3"); err != nil {
		t.Fatalf("synth: %v", err)
	}
	type report struct {
		Records int `json:"records"`
		Persons int `json:"persons"`
		Created int `json:"persons_created"`
		Moved   int `json:"records_moved"`
		Review  int `json:"review_pairs"`
	}
	link := func() report {
		out, err := runAmnestyCLI(t, "", "link", "--db", db, "--quiet")
		if err != nil {
			t.Fatalf("link: %v", err)
		}
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("link output %q: %v", out, err)
		}
		return r
	}
	first := link()
	if first.Records == 0 || first.Persons == 0 || first.Persons >= first.Records || first.Created != first.Persons {
		t.Fatalf("first link: %+v", first)
	}
	out, err := runAmnestyCLI(t, "", "list", "persons", "--db", db, "--format", "json", "--limit", "-1")
	if err != nil {
		t.Fatal(err)
	}
	var persons []map[string]any
	if err := json.Unmarshal([]byte(out), &persons); err != nil {
		t.Fatalf("list persons %q: %v", out[:min(200, len(out))], err)
	}
	if len(persons) != first.Persons {
		t.Errorf("list persons gives %d, link made %d", len(persons), first.Persons)
	}
	second := link()
	if second.Created != 0 || second.Moved != 0 || second.Persons != first.Persons {
		t.Errorf("second link changed the database: %+v", second)
	}
}
