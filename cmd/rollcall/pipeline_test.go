package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestLinkDatabasePipeline runs the documented path from a fictional
// population to persons: synth loads records into a real database, link
// turns them into persons, a second link changes nothing.
func TestLinkDatabasePipeline(t *testing.T) { storetest.Run(t, testLinkDatabasePipeline) }

func testLinkDatabasePipeline(t *testing.T, d storetest.DB) {
	db := d.DSN
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

	// Estimate from the linked persons: the observed count is the number of
	// persons, the estimate at least that, and the result is stored.
	out, err = runAmnestyCLI(t, "", "estimate", "--db", db, "--method", "loglinear", "--format", "json")
	if err != nil {
		t.Fatalf("estimate --db: %v", err)
	}
	var est struct {
		Method   string  `json:"method"`
		Observed int     `json:"observed"`
		Estimate float64 `json:"estimate"`
		Lower    float64 `json:"lower"`
		Upper    float64 `json:"upper"`
		Model    string  `json:"model"`
	}
	if err := json.Unmarshal([]byte(out), &est); err != nil {
		t.Fatalf("estimate output %q: %v", out, err)
	}
	if est.Observed != first.Persons || est.Estimate < float64(est.Observed) || est.Model == "" || !(est.Lower <= est.Estimate && est.Estimate <= est.Upper) {
		t.Errorf("estimate %+v over %d persons", est, first.Persons)
	}
	out, err = runAmnestyCLI(t, "", "estimate", "--db", db, "--method", "chao", "--by", "sex", "--format", "json")
	if err != nil {
		t.Fatalf("estimate --by sex: %v", err)
	}
	var strat struct {
		Strata []struct {
			Stratum string `json:"stratum"`
		} `json:"strata"`
	}
	if err := json.Unmarshal([]byte(out), &strat); err != nil || len(strat.Strata) < 2 {
		t.Errorf("stratified estimate: %v, strata %+v", err, strat.Strata)
	}

	// Deaths only: fewer persons, and the result says who was counted.
	out, err = runAmnestyCLI(t, "", "estimate", "--db", db, "--method", "chao", "--fate", "died", "--no-save", "--format", "json")
	if err != nil {
		t.Fatalf("estimate --fate died: %v", err)
	}
	var died struct {
		Observed int    `json:"observed"`
		Counted  string `json:"counted"`
	}
	if err := json.Unmarshal([]byte(out), &died); err != nil || died.Observed == 0 || died.Observed >= first.Persons || !strings.Contains(died.Counted, "died") {
		t.Errorf("deaths: %v, %+v", err, died)
	}
	if _, err := runAmnestyCLI(t, "", "estimate", "--db", db, "--fate", "dead"); err == nil || !strings.Contains(err.Error(), "disappeared") {
		t.Errorf("unknown fate: %v", err)
	}
	// Every method over three linkage draws, compared with each other.
	out, err = runAmnestyCLI(t, "", "estimate", "--db", db, "--method", "all", "--linkage-draws", "3", "--seed", "5",
		"--burnin", "500", "--iterations", "3000", "--no-save", "--format", "json")
	if err != nil {
		t.Fatalf("estimate --method all --linkage-draws 3: %v", err)
	}
	var all []struct {
		Method  string `json:"method"`
		Linkage struct {
			Draws int      `json:"draws"`
			Share *float64 `json:"share"`
		} `json:"linkage"`
		Flags []struct{ Code string } `json:"flags"`
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != 4 {
		t.Fatalf("all methods: %v, %s", err, out[:min(300, len(out))])
	}
	for _, r := range all {
		if r.Linkage.Draws != 3 || r.Linkage.Share == nil || len(r.Flags) < 2 {
			t.Errorf("%s: linkage %+v, flags %v", r.Method, r.Linkage, r.Flags)
		}
	}
	// The draws can link with a saved model.
	model := filepath.Join(t.TempDir(), "model.json")
	if _, err := runAmnestyCLI(t, "", "link", "--db", db, "--quiet", "--dry-run", "--save-model", model); err != nil {
		t.Fatalf("link --save-model: %v", err)
	}
	if _, err := runAmnestyCLI(t, "", "estimate", "--db", db, "--method", "chao", "--linkage-draws", "2", "--link-model", model, "--no-save"); err != nil {
		t.Errorf("estimate --link-model: %v", err)
	}
	if _, err := runAmnestyCLI(t, "", "estimate", "--db", db, "--method", "chao", "--link-model", model); err == nil || !strings.Contains(err.Error(), "--linkage-draws") {
		t.Errorf("--link-model without draws: %v", err)
	}
	// No decisions yet: the calibration check has no labels.
	out, err = runAmnestyCLI(t, "", "link", "--db", db, "--calibration")
	if err != nil || !strings.Contains(out, `"pairs": 0`) {
		t.Errorf("link --calibration: %v, %s", err, out)
	}
}

// TestInitLoadsReferenceData: init leaves a database that imports can refer
// to (real facilities with their sources, vocabularies, decrees), and a
// second init changes nothing.
func TestInitLoadsReferenceData(t *testing.T) { storetest.Run(t, testInitLoadsReferenceData) }

func testInitLoadsReferenceData(t *testing.T, d storetest.DB) {
	db := d.DSN
	count := func() int {
		out, err := runAmnestyCLI(t, "", "list", "facilities", "--db", db, "--format", "json", "--limit", "-1")
		if err != nil {
			t.Fatal(err)
		}
		var fs []map[string]any
		if err := json.Unmarshal([]byte(out), &fs); err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f["source"] == nil || f["source"] == "" {
				t.Errorf("facility %v has no source", f["key"])
			}
		}
		return len(fs)
	}
	for i := range 2 {
		if _, err := runAmnestyCLI(t, "", "init", "--db", db); err != nil {
			t.Fatalf("init #%d: %v", i+1, err)
		}
		if n := count(); n < 10 {
			t.Fatalf("after init #%d: %d facilities, want the reference list", i+1, n)
		}
	}
	out, err := runAmnestyCLI(t, "", "amnesty", "decree", "show", "kp-amnesty-2015", "--db", db)
	if err != nil || out == "" {
		t.Errorf("the 2015 decree is not there after init: %v", err)
	}
}
