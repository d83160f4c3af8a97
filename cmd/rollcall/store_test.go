package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

func runStoreCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCLI(t, "", args...)
}

func TestStoreCLI(t *testing.T) { storetest.Run(t, testStoreCLI) }

func testStoreCLI(t *testing.T, d storetest.DB) {
	db := d.DSN
	out, stderr, err := runStoreCLI(t, "--db", db, "init", "--no-refdata")
	if err != nil || !strings.Contains(out, "ready ("+d.Name+", schema version") {
		t.Fatalf("init: %v %q %q", err, out, stderr)
	}
	// Fill it through the store, as the importer would.
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
	st, err := store.Open(ctx, db, store.Options{NameKeys: textnorm.NameKeys})
	if err != nil {
		t.Fatal(err)
	}
	f1 := &rollcall.Facility{Key: "kwanliso-15", NameEn: "Yodok", NameKo: "요덕", Type: "kwanliso"}
	f2 := &rollcall.Facility{Key: "kyohwaso-1", NameEn: "Kaechon", Type: "kyohwaso"}
	src := &rollcall.Source{Key: "ngo", Kind: "ngo_report", Title: "List, with a comma"}
	// A title a spreadsheet would run as a formula (issue 12, finding 6).
	evil := &rollcall.Source{Key: "zz", Kind: "news", Title: `=HYPERLINK("http://evil.example/","x")`}
	for _, err := range []error{st.CreateFacility(ctx, f1), st.CreateFacility(ctx, f2), st.CreateSource(ctx, src), st.CreateSource(ctx, evil)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range []string{"김영희", "Pak Chol"} {
		r := &rollcall.Record{SourceID: src.ID, Key: string(rune('a' + i)), Name: n, FacilityID: &f1.ID}
		if err := st.CreateRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	out, _, err = runStoreCLI(t, "--db", db, "list", "facilities", "--type", "kyohwaso", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var facs []rollcall.Facility
	if err := json.Unmarshal([]byte(out), &facs); err != nil || len(facs) != 1 || facs[0].Key != "kyohwaso-1" {
		t.Errorf("json list: %v %+v\n%s", err, facs, out)
	}
	out, _, err = runStoreCLI(t, "--db", db, "list", "sources", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "id" || rows[1][3] != "List, with a comma" || rows[2][3] != "'"+evil.Title {
		t.Errorf("csv list (formula cells neutralised): %v %q", err, rows)
	}
	out, stderr, err = runStoreCLI(t, "--db", db, "list", "records", "--source", "ngo", "--facility", "kwanliso-15", "--query", "Kim Young-hee")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "김영희") || strings.Contains(out, "Pak") || !strings.Contains(stderr, "1 of 1 shown") {
		t.Errorf("table list with filters:\n%s%s", out, stderr)
	}
	out, _, err = runStoreCLI(t, "--db", db, "show", "facility", "kwanliso-15")
	if err != nil || !strings.Contains(out, "name_ko") || !strings.Contains(out, "요덕") {
		t.Errorf("show by key: %v\n%s", err, out)
	}
	out, _, err = runStoreCLI(t, "--db", db, "show", "record", "1", "--format", "json")
	var r rollcall.Record
	if err != nil || json.Unmarshal([]byte(out), &r) != nil || r.Name != "김영희" {
		t.Errorf("show json: %v\n%s", err, out)
	}
	_, _, err = runStoreCLI(t, "--db", db, "show", "person", "42")
	if rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
		t.Errorf("show missing: %v", err)
	}
	_, _, err = runStoreCLI(t, "--db", db, "list", "records", "--format", "xml")
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("bad format: %v", err)
	}
}
