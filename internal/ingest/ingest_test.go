package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/synth"
)

func ctxSystem() context.Context {
	return rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(ctxSystem(), filepath.Join(t.TempDir(), "test.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// dump renders every row of every table, in a stable order, so two
// databases can be compared whole.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		r, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT * FROM %q ORDER BY 1`, tb))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		fmt.Fprintf(&b, "== %s %v\n", tb, cols)
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			b.WriteByte('\n')
		}
		r.Close()
	}
	return b.String()
}

func writeSynth(t testing.TB, dir string, persons int) *synth.Dataset {
	t.Helper()
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.WriteCSV(dir); err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestImportSynthCSVTwice(t *testing.T) {
	ctx := ctxSystem()
	st := openStore(t)
	if err := refdata.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ds := writeSynth(t, dir, 400)
	files := []string{filepath.Join(dir, "events.csv"), filepath.Join(dir, "records.csv"), filepath.Join(dir, "sources.csv")}
	res, err := Import(ctx, st, files, Options{})
	if err != nil {
		if es, ok := AsErrors(err); ok {
			for _, e := range es[:min(len(es), 10)] {
				t.Log(e)
			}
		}
		t.Fatal(err)
	}
	if res.Sources.Created != len(ds.Sources) || res.Records.Created != len(ds.Records) || res.Events.Created != len(ds.Events) {
		t.Fatalf("created %+v, want %d sources, %d records, %d events", res, len(ds.Sources), len(ds.Records), len(ds.Events))
	}
	before := dump(t, st.DB())
	res, err = Import(ctx, st, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records.Unchanged != len(ds.Records) || res.Sources.Unchanged != len(ds.Sources) || res.Events.Unchanged != len(ds.Events) {
		t.Errorf("second import: %+v, want everything unchanged", res)
	}
	if after := dump(t, st.DB()); after != before {
		t.Error("importing the same files twice changed the database")
	}
	// Facilities were resolved from the names sources use.
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	resolved := 0
	for _, r := range recs {
		if r.FacilityID != nil {
			resolved++
		}
	}
	if resolved < len(recs)/2 {
		t.Errorf("only %d of %d records have a resolved facility", resolved, len(recs))
	}
}

// writeXLSXRows writes one sheet; cells excelize refuses (too long, bad
// XML characters) are written empty.
func writeXLSXRows(t testing.TB, path, sheet string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", sheet)
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				f.SetCellStr(sheet, cell, "")
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// writeXLSX writes sheets (name → rows, the first row the header).
func writeXLSX(t testing.TB, path string, sheets [][2]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		name := s[0].(string)
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s[1].([][]string) {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			vals := make([]any, len(row))
			for j, v := range row {
				vals[j] = v
			}
			if err := f.SetSheetRow(name, cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestImportXLSXAllOrNothing(t *testing.T) {
	ctx := ctxSystem()
	st := openStore(t)
	if err := refdata.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	sources := [][]string{
		{"출처 코드", "종류", "제목", "날짜"},
		{"nk-list-1", "list", "A fictional list", "2016-05"},
	}
	records := [][]string{
		{"출처", "번호", "이름", "성별", "생년월일", "수용소", "체포일"},
		{"nk-list-1", "1", "김영희", "여", "1961년경", "요덕 관리소", "2001년 3월"},
		{"nk-list-1", "2", "Pak Chol", "M", "1970-02-03", "Camp 16", "2003"},
		{"nk-list-1", "3", "리명철", "남", "1975-13-01", "Kyo-hwa-so No. 12", "2010"}, // bad month, row 4, column E
		{"nk-list-1", "4", "Choe Sun Hui", "F", "c. 1980", "", "2012-07"},
	}
	path := filepath.Join(t.TempDir(), "list.xlsx")
	writeXLSX(t, path, [][2]any{{"sources", sources}, {"records", records}})
	before := dump(t, st.DB())
	_, err := Import(ctx, st, []string{path}, Options{})
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Fatalf("import with a bad row: %v, want an invalid error", err)
	}
	es, ok := AsErrors(err)
	if !ok || len(es) != 1 {
		t.Fatalf("errors = %v, want exactly one", err)
	}
	e := es[0]
	if e.File != path || e.Sheet != "records" || e.Row != 4 || e.Column != "생년월일" || e.Letter != "E" {
		t.Errorf("error names %s[%s] row %d column %s (%s), want records row 4, 생년월일 (E)", e.File, e.Sheet, e.Row, e.Column, e.Letter)
	}
	if !strings.Contains(e.String(), ":4:생년월일 (E): ") {
		t.Errorf("error text %q", e.String())
	}
	if after := dump(t, st.DB()); after != before {
		t.Fatal("a failed import changed the database")
	}

	records[3][4] = "1975-12-01"
	writeXLSX(t, path, [][2]any{{"sources", sources}, {"records", records}})
	res, err := Import(ctx, st, []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sources.Created != 1 || res.Records.Created != 4 {
		t.Fatalf("result %+v", res)
	}
	first := dump(t, st.DB())
	if _, err := Import(ctx, st, []string{path}, Options{}); err != nil {
		t.Fatal(err)
	}
	if second := dump(t, st.DB()); second != first {
		t.Fatal("importing the same XLSX twice changed the database")
	}
	src, err := st.SourceByKey(ctx, "nk-list-1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.RecordByKey(ctx, src.ID, "1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Sex != "f" || r.BirthDate.String() != "~1961" || r.ArrestDate.String() != "2001-03" || r.FacilityID == nil {
		t.Errorf("record 1 = %+v", r)
	}
	yodok, err := st.FacilityByKey(ctx, "kwanliso-15")
	if err != nil {
		t.Fatal(err)
	}
	if *r.FacilityID != yodok.ID {
		t.Errorf("요덕 관리소 resolved to facility %d, want Yodok %d", *r.FacilityID, yodok.ID)
	}

	// A changed cell updates that record only.
	records[1][2] = "김영히"
	writeXLSX(t, path, [][2]any{{"sources", sources}, {"records", records}})
	res, err = Import(ctx, st, []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records.Updated != 1 || res.Records.Unchanged != 3 {
		t.Errorf("after editing one cell: %+v", res.Records)
	}
}

func TestImportErrorsNameEveryProblem(t *testing.T) {
	ctx := ctxSystem()
	st := openStore(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.csv")
	content := "source,key,name,sex,birth_date,sentence_years,charge_category\n" +
		"missing-src,1,Kim,m,1960,5,political\n" + // row 2: unknown source
		"s1,2,,q,04/03/1987,-1,nonsense\n" + // row 3: no name, bad sex, ambiguous date, negative term, unknown category
		"\n" + // row 4: blank
		"s1,5,Lee,f,1970,\"1\n0\",economic\n" + // row 5: multi-line cell, not a number
		"s1,6,Park,f,1970,3,economic,extra\n" // row 6: value without a header
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	srcPath := filepath.Join(dir, "sources.csv")
	os.WriteFile(srcPath, []byte("key,kind,title\ns1,list,A list\n"), 0o644)
	_, err := Import(ctx, st, []string{path, srcPath}, Options{})
	es, ok := AsErrors(err)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%s", e.Row, e.Column))
	}
	want := []string{"2:source", "3:name", "3:sex", "3:birth_date", "3:sentence_years", "3:charge_category", "5:sentence_years", "6:*"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("errors at %v, want %v\n%v", got, want, es)
	}
	n, _, _ := st.ListSources(ctx, rollcall.ListOptions{})
	if len(n) != 0 {
		t.Error("sources were written despite errors")
	}
}
