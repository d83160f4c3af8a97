package rule

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden runs every testdata/*.txtar: decree.yaml and persons.csv in,
// want.csv / want.json out, or want-error holding a substring of the error.
// Each fixture's comment explains why each expected line is right.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := parseArchive(data)
			rows, err := runCheck(t, a.files["decree.yaml"], a.files["persons.csv"])
			if want, ok := a.files["want-error"]; ok {
				want = strings.TrimSpace(want)
				if err == nil {
					t.Fatalf("no error; want one containing %q", want)
				}
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q\ndoes not contain %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, format := range []string{"csv", "json"} {
				want, ok := a.files["want."+format]
				if !ok {
					continue
				}
				checked++
				var buf bytes.Buffer
				if err := WriteCheck(&buf, rows, format); err != nil {
					t.Fatal(err)
				}
				if got := buf.String(); strings.TrimSpace(got) != strings.TrimSpace(want) {
					t.Errorf("%s output:\n%s\nwant:\n%s", format, got, want)
				}
			}
			if checked == 0 {
				t.Fatal("fixture has no want.csv, want.json or want-error")
			}
		})
	}
}

// runCheck does what `rollcall amnesty check` does: the persons first, so
// that the rule may name the categories the file uses.
func runCheck(t *testing.T, decree, persons string) ([]CheckRow, error) {
	voc := testVocabulary(t)
	ps, err := ParsePersons(strings.NewReader(persons), "persons.csv", voc)
	if err != nil {
		return nil, err
	}
	d, rule, err := ParseDecree(strings.NewReader(decree), "decree.yaml", Documented(voc, ps))
	if err != nil {
		return nil, err
	}
	return Check(d, rule, ps)
}
