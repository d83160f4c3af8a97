package match

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadCSV reads a test file into records with the given field columns and
// returns the truth column separately.
func loadCSV(t testing.TB, file, source, idCol, truthCol string, cols []string) ([]Record, []string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ReadCSV(f, file, source, idCol, append(append([]string{}, cols...), truthCol))
	if err != nil {
		t.Fatal(err)
	}
	truth := make([]string, len(recs))
	for i := range recs {
		truth[i] = recs[i].Values[len(cols)]
		recs[i].Values = recs[i].Values[:len(cols)]
	}
	return recs, truth
}

// fieldsOf parses "col:kind" specs.
func fieldsOf(t testing.TB, specs ...string) ([]Field, []string) {
	t.Helper()
	var fs []Field
	var cols []string
	for _, s := range specs {
		i := strings.LastIndex(s, ":")
		k, err := ParseKind(s[i+1:])
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, Field{Column: s[:i], Kind: k})
		cols = append(cols, s[:i])
	}
	return fs, cols
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
