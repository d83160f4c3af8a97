package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

func runAmnestyCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	out, _, err := runCLI(t, stdin, args...)
	return out, err
}

const cliDecree = `id: t-2015
title: Test decree
decreed: 2015-07-09
announced: 2015-07-14
effective: 2015-08-01
announced_number: "120"
rule: detained && age >= 65
notes: test reading
`

func TestAmnestyCheckCLI(t *testing.T) {
	dir := t.TempDir()
	decree := filepath.Join(dir, "decree.yaml")
	if err := os.WriteFile(decree, []byte(cliDecree), 0o644); err != nil {
		t.Fatal(err)
	}
	// a: born 1950, 64 or 65 on 2015-08-01; b: surely 65; c: not held.
	persons := "id,birth_date,detained_from,released_on\na,1950,2010,\nb,1950-08-01,2010,\nc,1940,2001,2009\n"
	out, err := runAmnestyCLI(t, persons, "amnesty", "check", "--decree", decree, "--persons", "-")
	if err != nil {
		t.Fatal(err)
	}
	want := "id,decision,missing\na,undetermined,age\nb,eligible,\nc,not_eligible,\n"
	if out != want {
		t.Fatalf("check output:\n%s\nwant:\n%s", out, want)
	}
	out, err = runAmnestyCLI(t, persons, "amnesty", "check", "--decree", decree, "--persons", "-", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ID, Decision string
		Missing      []string
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 || rows[0].Missing[0] != "age" {
		t.Fatalf("json output %q: %v", out, err)
	}
	// The built-in 2015 decree by key: held and charged with crimes against the state.
	out, err = runAmnestyCLI(t, "id,charges,detained_from\nx,crimes_against_state,2012\ny,political,2012\n",
		"amnesty", "check", "--decree", "kp-amnesty-2015", "--persons", "-")
	if err != nil || out != "id,decision,missing\nx,eligible,\ny,not_eligible,\n" {
		t.Fatalf("built-in decree: %v\n%s", err, out)
	}
	_, err = runAmnestyCLI(t, "id,height\nx,2\n", "amnesty", "check", "--decree", decree, "--persons", "-")
	if err == nil || !strings.Contains(err.Error(), `column 2: unknown column "height"`) {
		t.Fatalf("unknown column: %v", err)
	}
}

func TestAmnestyStoreCLI(t *testing.T) { storetest.Run(t, testAmnestyStoreCLI) }

func testAmnestyStoreCLI(t *testing.T, d storetest.DB) {
	dir := t.TempDir()
	db := d.DSN
	decree := filepath.Join(dir, "decree.yaml")
	if err := os.WriteFile(decree, []byte(cliDecree), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runAmnestyCLI(t, "", "--db", db, "amnesty", "decree", "add", "--file", decree); err != nil || !strings.Contains(out, "added decree t-2015") {
		t.Fatalf("decree add: %v %q", err, out)
	}
	if _, err := runAmnestyCLI(t, "", "--db", db, "amnesty", "decree", "add", "--file", decree); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
		t.Fatalf("second add without --update: %v, want a conflict", err)
	}
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := &rollcall.Source{Key: "src", Kind: "testimony", Title: "Interview"}
	old := &rollcall.Person{Name: "Old", BirthDate: rollcall.MustDate("1940")}
	young := &rollcall.Person{Name: "Young", BirthDate: rollcall.MustDate("1980")}
	for _, err := range []error{st.CreateSource(ctx, src), st.CreatePerson(ctx, old), st.CreatePerson(ctx, young)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*rollcall.Person{old, young} {
		ev := &rollcall.Event{Type: "detention", Date: rollcall.MustDate("2012"), Victims: []rollcall.Victim{{PersonID: &p.ID, Role: "victim"}}}
		if err := st.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	id := func(p *rollcall.Person) string { return strconv.FormatInt(p.ID, 10) }

	out, err := runAmnestyCLI(t, "", "--db", db, "amnesty", "evaluate", "t-2015", "--format", "csv")
	if err != nil || !strings.Contains(out, id(old)+",Old,eligible") || !strings.Contains(out, id(young)+",Young,not_eligible") {
		t.Fatalf("evaluate: %v\n%s", err, out)
	}
	if _, err := runAmnestyCLI(t, "", "--db", db, "amnesty", "outcome", "add", id(old), "t-2015", "--status", "release_verified", "--date", "2015-08-10", "--source", "src"); err != nil {
		t.Fatal(err)
	}
	if _, err := runAmnestyCLI(t, "", "--db", db, "amnesty", "followup", "add", id(old), "--kind", "housing", "--date", "2016-01", "--observation", "lives with family", "--reported-by", "neighbour"); err != nil {
		t.Fatal(err)
	}
	svg := filepath.Join(dir, "chart.svg")
	out, err = runAmnestyCLI(t, "", "--db", db, "amnesty", "report", "t-2015", "--format", "json", "--svg", svg)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		AnnouncedFigure int `json:"announced_figure"`
		Overall         struct {
			ReleaseVerified int `json:"release_verified"`
		} `json:"overall"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.AnnouncedFigure != 120 || rep.Overall.ReleaseVerified != 1 {
		t.Fatalf("report: %s", out)
	}
	if b, err := os.ReadFile(svg); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Fatalf("chart: %v", err)
	}
	out, err = runAmnestyCLI(t, "", "--db", db, "amnesty", "overdue", "--months", "6", "--now", "2017-01-15", "--format", "csv")
	if err != nil || !strings.Contains(out, id(old)+",Old,t-2015,release_verified,2015-08-10,2016-01,housing,11") {
		t.Fatalf("overdue: %v\n%s", err, out)
	}
}
