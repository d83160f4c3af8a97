package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall/internal/storetest"
)

func TestSynthImportExportCLI(t *testing.T) { storetest.Run(t, testSynthImportExportCLI) }

func testSynthImportExportCLI(t *testing.T, d storetest.DB) {
	dir := t.TempDir()
	db := d.DSN
	out := filepath.Join(dir, "synth")
	if _, stderr, err := runStoreCLI(t, "synth", "--persons", "300", "--seed", "9", "--out", out); err != nil {
		t.Fatalf("synth: %v\n%s", err, stderr)
	}
	for _, f := range []string{"sources.csv", "records.csv", "events.csv", "truth.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("synth did not write %s: %v", f, err)
		}
	}
	files := []string{filepath.Join(out, "sources.csv"), filepath.Join(out, "records.csv"), filepath.Join(out, "events.csv")}
	// --dry-run checks and writes nothing.
	stdout, stderr, err := runStoreCLI(t, append([]string{"--db", db, "import", "--dry-run"}, files[:2]...)...)
	if err != nil || !strings.Contains(stdout, "no problems found") {
		t.Fatalf("dry run: %v\n%s%s", err, stdout, stderr)
	}
	if stdout, _, _ := runStoreCLI(t, "--db", db, "export", "--entity", "sources", "--format", "ndjson"); stdout != "" {
		t.Fatalf("dry run wrote sources: %s", stdout)
	}
	args := append([]string{"--db", db, "import", "--refdata"}, files...)
	stdout, stderr, err = runStoreCLI(t, args...)
	if err != nil || !strings.Contains(stdout, "records") || !strings.Contains(stdout, "created") {
		t.Fatalf("import: %v\n%s\n%s", err, stdout, stderr)
	}
	// Again: nothing changes.
	stdout, _, err = runStoreCLI(t, append([]string{"--db", db, "import"}, files...)...)
	if err != nil || strings.Contains(stdout, " 1 created") || !strings.Contains(stdout, "0 created, 0 updated") {
		t.Fatalf("second import: %v\n%s", err, stdout)
	}

	// A bad file: each problem on its own FILE:ROW:COLUMN line, and failure.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("source,key,name,sex\nsyn-ngo,N1,Kim,m\nsyn-ngo,N2,Lee,q\n"), 0o644)
	_, stderr, err = runStoreCLI(t, "--db", db, "import", bad)
	if err == nil || !strings.Contains(stderr, bad+":3:sex (D): ") {
		t.Fatalf("bad import: err %v, stderr %q", err, stderr)
	}
	stdout, _, _ = runStoreCLI(t, "--db", db, "export", "--entity", "records", "--format", "ndjson")
	if strings.Contains(stdout, `"N1"`) {
		t.Error("a record of the failed import was written")
	}

	geo := filepath.Join(dir, "f.geojson")
	if _, stderr, err := runStoreCLI(t, "--db", db, "export", "--format", "geojson", "--output", geo); err != nil {
		t.Fatalf("export: %v %s", err, stderr)
	}
	b, err := os.ReadFile(geo)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Fatalf("geojson: %v %q %d", err, fc.Type, len(fc.Features))
	}
}
