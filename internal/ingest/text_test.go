package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestImportKeepsLeadingWhitespace: free text keeps its leading whitespace
// (a tab before "=1+2" is data; dropping it would make a formula), keys and
// codes are trimmed as before, a CSV cell escaped by our export loses its
// apostrophe, and an XLSX cell keeps it (issue 12, finding 6, "import strips
// a leading tab").
func TestImportKeepsLeadingWhitespace(t *testing.T) {
	ctx := ctxSystem()
	st := openStore(t)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "records.csv")
	body := "source,key,name,charge,sex,birth_date\n" +
		"s1, k1 ,\"\t=1+2\",\"  spaced   \", f ,\" 1961\"\n" +
		"s1,k2,'=1+2,'-2+3,m,\n" +
		"s1,k3,''=1+2,'plain,m,\n"
	if err := os.WriteFile(csvPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	xlsxPath := filepath.Join(dir, "more.xlsx")
	writeXLSXRows(t, xlsxPath, "records", [][]string{
		{"source", "key", "name", "charge"},
		{"s1", "x1", "'=1+2", "\t=3"},
	})
	src := &rollcall.Source{Key: "s1", Kind: "list", Title: "Fictional list", Sensitivity: rollcall.Internal}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, st, []string{csvPath, xlsxPath}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, name, charge, sex string }{
		{"k1", "\t=1+2", "  spaced", "f"},
		{"k2", "=1+2", "-2+3", "m"},
		{"k3", "'=1+2", "'plain", "m"},
		{"x1", "'=1+2", "\t=3", ""},
	} {
		r, err := st.RecordByKey(ctx, src.ID, tc.key)
		if err != nil {
			t.Fatalf("record %q: %v", tc.key, err)
		}
		if r.Name != tc.name || r.Charge != tc.charge || r.Sex != tc.sex {
			t.Errorf("record %s: name %q charge %q sex %q; want %q %q %q", tc.key, r.Name, r.Charge, r.Sex, tc.name, tc.charge, tc.sex)
		}
	}
	r, _ := st.RecordByKey(ctx, src.ID, "k1")
	if r.BirthDate.String() != "1961" {
		t.Errorf("a date with a leading space: %q", r.BirthDate)
	}
	// Importing the same files again changes nothing.
	res, err := Import(ctx, st, []string{csvPath, xlsxPath}, Options{})
	if err != nil || res.Records.Updated+res.Records.Created != 0 {
		t.Fatalf("second import: %+v %v", res, err)
	}
}
