package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
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

func TestImportSynthCSVTwice(t *testing.T) { eachDB(t, testImportSynthCSVTwice) }

func testImportSynthCSVTwice(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
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
	before := dump(t, st)
	res, err = Import(ctx, st, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records.Unchanged != len(ds.Records) || res.Sources.Unchanged != len(ds.Sources) || res.Events.Unchanged != len(ds.Events) {
		t.Errorf("second import: %+v, want everything unchanged", res)
	}
	if after := dump(t, st); after != before {
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

func TestImportXLSXAllOrNothing(t *testing.T) { eachDB(t, testImportXLSXAllOrNothing) }

func testImportXLSXAllOrNothing(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
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
		{"nk-list-1", "4", "Choe Sun Hui", "F", "b. c. 1980", "", "2012-07"},
		{"nk-list-1", "5", "박명순", "여", "1958년생", "", ""},
	}
	path := filepath.Join(t.TempDir(), "list.xlsx")
	writeXLSX(t, path, [][2]any{{"sources", sources}, {"records", records}})
	before := dump(t, st)
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
	if after := dump(t, st); after != before {
		t.Fatal("a failed import changed the database")
	}

	records[3][4] = "1975-12-01"
	writeXLSX(t, path, [][2]any{{"sources", sources}, {"records", records}})
	res, err := Import(ctx, st, []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sources.Created != 1 || res.Records.Created != 5 {
		t.Fatalf("result %+v", res)
	}
	first := dump(t, st)
	if _, err := Import(ctx, st, []string{path}, Options{}); err != nil {
		t.Fatal(err)
	}
	if second := dump(t, st); second != first {
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
	for key, want := range map[string]string{"4": "~1980", "5": "1958"} {
		r, err := st.RecordByKey(ctx, src.ID, key)
		if err != nil || r.BirthDate.String() != want {
			t.Errorf("record %s born %v (%v), want %s", key, r.BirthDate, err, want)
		}
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
	if res.Records.Updated != 1 || res.Records.Unchanged != 4 {
		t.Errorf("after editing one cell: %+v", res.Records)
	}
}

func TestImportErrorsNameEveryProblem(t *testing.T) { eachDB(t, testImportErrorsNameEveryProblem) }

func testImportErrorsNameEveryProblem(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
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

// TestImportXLSXDatesAndNotes: a date-formatted cell (stored by Excel as a
// serial day number) reads as its day, a year typed as a number stays a
// year, and a notes sheet beside the data is skipped with a warning.
func TestImportXLSXDatesAndNotes(t *testing.T) { eachDB(t, testImportXLSXDatesAndNotes) }

func testImportXLSXDatesAndNotes(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
	path := filepath.Join(t.TempDir(), "dates.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "records")
	for i, h := range []string{"source", "key", "name", "birth_date", "arrest_date", "sentence_years"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue("records", cell, h)
	}
	f.SetSheetRow("records", "A2", &[]any{"s1", "1", "Kim", 1961, time.Date(1999, 3, 4, 0, 0, 0, 0, time.UTC), 2.5})
	f.NewSheet("readme")
	f.SetCellValue("readme", "A1", "About this list")
	f.SetCellValue("readme", "A2", "Compiled from interviews.")
	f.NewSheet("sources")
	f.SetSheetRow("sources", "A1", &[]any{"key", "kind", "title"})
	f.SetSheetRow("sources", "A2", &[]any{"s1", "list", "A list"})
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, err := Import(ctx, st, []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "readme") {
		t.Errorf("warnings %q, want one about the readme sheet", res.Warnings)
	}
	src, _ := st.SourceByKey(ctx, "s1")
	r, err := st.RecordByKey(ctx, src.ID, "1")
	if err != nil {
		t.Fatal(err)
	}
	if r.BirthDate.String() != "1961" || r.ArrestDate.String() != "1999-03-04" || r.SentenceYears == nil || *r.SentenceYears != 2.5 {
		t.Errorf("read back birth %s, arrest %s, sentence %v", r.BirthDate, r.ArrestDate, r.SentenceYears)
	}
}

func TestImportWithMapping(t *testing.T) { eachDB(t, testImportWithMapping) }

func testImportWithMapping(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
	dir := t.TempDir()
	src := &rollcall.Source{Key: "fr-list", Kind: "list", Title: "Liste", Sensitivity: rollcall.Internal}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "liste.csv")
	os.WriteFile(data, []byte("N°,Nom complet,Né(e),Remarque\n1,Kim Yong Hui,1961,vue en 2003\n2,Ri Myong Chol,vers 1970,\n"), 0o644)
	for _, m := range []struct{ name, text string }{
		{"map.yaml", "kind: records\ncolumns:\n  \"N°\": key\n  \"Nom complet\": name\n  \"Né(e)\": birth_date\n  Remarque: \"-\"\ndefaults:\n  source: fr-list\n"},
		{"map.json", `{"kind": "records", "columns": {"N°": "key", "Nom complet": "name", "Né(e)": "birth_date", "Remarque": "-"}, "defaults": {"source": "fr-list"}}`},
	} {
		path := filepath.Join(dir, m.name)
		os.WriteFile(path, []byte(m.text), 0o644)
		mp, err := LoadMapping(path)
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		_, err = Import(ctx, st, []string{data}, Options{Mapping: mp})
		es, ok := AsErrors(err)
		// "vers 1970" is French for "about 1970", which the date reader
		// does not know: the error names the mapped column.
		if !ok || len(es) != 1 || es[0].Row != 3 || es[0].Column != "Né(e)" || es[0].Letter != "C" {
			t.Fatalf("%s: %v, want one error at row 3, Né(e) (C)", m.name, err)
		}
	}
	os.WriteFile(data, []byte("N°,Nom complet,Né(e),Remarque\n1,Kim Yong Hui,1961,vue en 2003\n2,Ri Myong Chol,c. 1970,\n"), 0o644)
	mp, _ := LoadMapping(filepath.Join(dir, "map.yaml"))
	res, err := Import(ctx, st, []string{data}, Options{Mapping: mp})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records.Created != 2 || len(res.Warnings) != 0 {
		t.Errorf("result %+v", res)
	}
	r, err := st.RecordByKey(ctx, src.ID, "2")
	if err != nil || r.Name != "Ri Myong Chol" || r.BirthDate.String() != "~1970" {
		t.Errorf("record 2 = %+v, %v", r, err)
	}
	// A mapping to a field that does not exist is refused.
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("columns:\n  Nom: nom\n"), 0o644)
	if _, err := LoadMapping(bad); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("bad mapping: %v", err)
	}
}

func TestImportSemicolonCSV(t *testing.T) { eachDB(t, testImportSemicolonCSV) }

func testImportSemicolonCSV(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
	path := filepath.Join(t.TempDir(), "semi.csv")
	os.WriteFile(path, []byte("\ufeffkey;kind;title\ns1;list;\"A list; with a semicolon\"\n"), 0o644)
	if _, err := Import(ctx, st, []string{path}, Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := st.SourceByKey(ctx, "s1")
	if err != nil || s.Title != "A list; with a semicolon" {
		t.Fatalf("source = %+v, %v", s, err)
	}
}

// TestImportTitleAboveHeader: a sheet with a title and a blank row above
// the header is read from its header, and rows keep the sheet's numbers.
func TestImportTitleAboveHeader(t *testing.T) { eachDB(t, testImportTitleAboveHeader) }

func testImportTitleAboveHeader(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
	path := filepath.Join(t.TempDir(), "titled.xlsx")
	writeXLSXRows(t, path, "명단", [][]string{
		{"요덕 수용소 수감자 명단 (가상)"},
		{},
		{"출처", "번호", "이름", "성별", "생년월일"},
		{"s1", "1", "김영희", "여", "1961년경"},
		{"s1", "2", "박철", "남", "1961-02-30"},
	})
	src := &rollcall.Source{Key: "s1", Kind: "list", Title: "Fictional list", Sensitivity: rollcall.Internal}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	_, err := Import(ctx, st, []string{path}, Options{})
	es, ok := AsErrors(err)
	if !ok || len(es) != 1 || es[0].Row != 5 || es[0].Column != "생년월일" || es[0].Letter != "E" || es[0].Sheet != "명단" {
		t.Fatalf("got %v, want one error at 명단 row 5, 생년월일 (E)", err)
	}
}

func TestImportInformant(t *testing.T) {
	ctx := ctxSystem()
	dir := t.TempDir()
	path := filepath.Join(dir, "interviews.csv")
	os.WriteFile(path, []byte("key,kind,title,제보자,연락처,동의\nint-1,testimony,Interview 1,Informant A,a@example.org,연구; un\n"), 0o644)

	// Without a key the informant is refused, naming the cell.
	_, err := Import(ctx, openStore(t), []string{path}, Options{})
	es, ok := AsErrors(err)
	if !ok || len(es) != 1 || es[0].Row != 2 || es[0].Column != "제보자" {
		t.Fatalf("without a key: %v", err)
	}

	c, err := keys.NewCipher(1, map[byte][]byte{1: bytes.Repeat([]byte{3}, keys.KeySize)}, bytes.Repeat([]byte{4}, keys.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "k.db"), store.Options{Cipher: c})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Import(ctx, st, []string{path}, Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := st.SourceByKey(ctx, "int-1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Informant == nil || s.Informant.Name != "Informant A" || strings.Join(s.Informant.Consent, ",") != "research,un" {
		t.Fatalf("informant read back as %+v", s.Informant)
	}
	before := dump(t, st)
	res, err := Import(ctx, st, []string{path}, Options{})
	if err != nil || res.Sources.Unchanged != 1 {
		t.Fatalf("second import: %+v, %v", res, err)
	}
	// Comparing the informant is a confidential read, which the audit log
	// records; nothing else may change.
	after := dump(t, st)
	if stripAudit(after) != stripAudit(before) {
		t.Error("re-importing the informant changed the database beyond the audit log")
	}
	if n := strings.Count(after, "read_confidential") - strings.Count(before, "read_confidential"); n != 1 {
		t.Errorf("%d confidential reads logged, want 1", n)
	}
	// A file without the informant columns leaves the stored one alone.
	os.WriteFile(path, []byte("key,kind,title\nint-1,testimony,Interview 1\n"), 0o644)
	if _, err := Import(ctx, st, []string{path}, Options{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.SourceByKey(ctx, "int-1"); s.Informant == nil || s.Informant.Contact != "a@example.org" {
		t.Errorf("informant lost: %+v", s.Informant)
	}

	// A record with a testimony, then events that refer to it from another
	// import: looking the record up must not read the testimony.
	recs := filepath.Join(dir, "recs.csv")
	os.WriteFile(recs, []byte("source,key,name,증언\nint-1,1,김영희,\"She was held at Yodok.\"\n"), 0o644)
	if _, err := Import(ctx, st, []string{recs}, Options{}); err != nil {
		t.Fatal(err)
	}
	evs := filepath.Join(dir, "events.csv")
	os.WriteFile(evs, []byte("key,type,date,source,record\nev-1,arrest,2001,int-1,1\n"), 0o644)
	if _, err := Import(ctx, st, []string{evs}, Options{}); err != nil {
		t.Fatal(err)
	}
	before = dump(t, st)
	if _, err := Import(ctx, st, []string{evs}, Options{}); err != nil {
		t.Fatal(err)
	}
	if after := dump(t, st); after != before {
		t.Error("re-importing events that name a record with a testimony changed the database (a confidential read?)")
	}
	// Re-importing the testimony compares it with the stored one: one
	// audited read, and nothing else changes.
	res, err = Import(ctx, st, []string{recs}, Options{})
	if err != nil || res.Records.Unchanged != 1 {
		t.Fatalf("re-import of the testimony: %+v, %v", res, err)
	}
	after = dump(t, st)
	if stripAudit(after) != stripAudit(before) {
		t.Error("re-importing a testimony changed the database beyond the audit log")
	}
	if n := strings.Count(after, "read_confidential") - strings.Count(before, "read_confidential"); n != 1 {
		t.Errorf("%d confidential reads logged, want 1", n)
	}
	if r, _ := st.RecordByKey(ctx, s.ID, "1"); r == nil || r.Testimony != "She was held at Yodok." {
		t.Errorf("testimony read back as %+v", r)
	}
}

// stripAudit removes the audit log (and its checkpoints) from a dump.
func stripAudit(d string) string {
	var out []string
	skip := false
	for _, l := range strings.Split(d, "\n") {
		if strings.HasPrefix(l, "== ") {
			skip = strings.HasPrefix(l, "== audit")
		}
		if !skip {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestImportReportsAcrossFiles: a table with a wrong header does not hide
// the problems of the other files.
func TestImportReportsAcrossFiles(t *testing.T) { eachDB(t, testImportReportsAcrossFiles) }

func testImportReportsAcrossFiles(t *testing.T, st *store.Store) {
	ctx := ctxSystem()
	dir := t.TempDir()
	srcs := filepath.Join(dir, "sources.csv")
	os.WriteFile(srcs, []byte("key,kind,title,credibility\ns1,list,A,9\n"), 0o644)
	recs := filepath.Join(dir, "records.csv")
	os.WriteFile(recs, []byte("source,key,surname\ns1,1,Kim\n"), 0o644)
	_, err := Import(ctx, st, []string{recs, srcs}, Options{Kind: ""})
	es, ok := AsErrors(err)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, filepath.Base(e.File)+":"+fmt.Sprint(e.Row)+":"+e.Column)
	}
	if strings.Join(got, " ") != "records.csv:1:* sources.csv:2:credibility" {
		t.Errorf("errors %v", es)
	}
}
