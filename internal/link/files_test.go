package link

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
)

func TestParseField(t *testing.T) {
	for _, tt := range []struct {
		spec string
		want match.Field
	}{
		{"surname:name", match.Field{Column: "surname", Kind: match.Name, Alternatives: []string{}}},
		{"name+name_hangul:name", match.Field{Column: "name", Kind: match.Name, Alternatives: []string{"name_hangul"}}},
		{"a:b:date", match.Field{Column: "a:b", Kind: match.Date, Alternatives: []string{}}},
	} {
		got, err := ParseField(tt.spec)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseField(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
	for _, spec := range []string{"surname", ":name", "surname:fuzzy"} {
		if _, err := ParseField(spec); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("ParseField(%q): %v, want invalid", spec, err)
		}
	}
}

func TestParseBlocking(t *testing.T) {
	if got := ParseBlocking(" surname & dob:year1 &"); !reflect.DeepEqual(got, []string{"surname", "dob:year1"}) {
		t.Errorf("ParseBlocking = %q", got)
	}
}

func TestReadSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s, err := ReadSettings(write("ok.json", `{"fields":[{"column":"name","kind":"name"}],"threshold":0.7}`))
	if err != nil || len(s.Fields) != 1 || s.Threshold != 0.7 {
		t.Fatalf("ReadSettings = %+v, %v", s, err)
	}
	for name, body := range map[string]string{
		"typo.json":  `{"fields":[],"treshold":0.7}`,
		"twice.json": `{"fields":[]} {}`,
		"text.json":  `not json`,
	} {
		if _, err := ReadSettings(write(name, body)); rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an invalid-input error naming the file", name, err)
		}
	}
	if _, err := ReadSettings(filepath.Join(dir, "missing.json")); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte("id,name,alt,born,truth\n1,Kim,김,1961,p1\n2,Ri,,1989,p2\n"), 0o600)
	os.WriteFile(b, []byte("born,id,name,truth,alt\n1961-03,3,Kim Y,p1,\n"), 0o600)
	s := match.Settings{Fields: []match.Field{
		{Column: "name", Kind: match.Name, Alternatives: []string{"alt"}},
		{Column: "born", Kind: match.Date},
		{Column: "name", Kind: match.Text}, // a column compared twice is read once
	}}
	ds, truth, err := ReadFiles([]string{a, b}, "id", s, "truth")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ds.Columns, []string{"name", "alt", "born"}) {
		t.Errorf("columns %q", ds.Columns)
	}
	want := []match.Record{
		{ID: "1", Source: "0", Values: []string{"Kim", "김", "1961"}},
		{ID: "2", Source: "0", Values: []string{"Ri", "", "1989"}},
		{ID: "3", Source: "1", Values: []string{"Kim Y", "", "1961-03"}},
	}
	if !reflect.DeepEqual(ds.Records, want) || !reflect.DeepEqual(truth, []string{"p1", "p2", "p1"}) {
		t.Errorf("records %+v truth %q", ds.Records, truth)
	}
	// Ids are unique across files; the error names both files.
	_, _, err = ReadFiles([]string{a, a}, "id", s, "")
	var e *rollcall.Error
	if !errors.As(err, &e) || e.Code != rollcall.EINVALID || e.Field != "id" || !strings.Contains(e.Message, "twice in "+a) {
		t.Errorf("duplicate in one file: %v", err)
	}
	c := filepath.Join(dir, "c.csv")
	os.WriteFile(c, []byte("id,name,alt,born\n2,X,,\n"), 0o600)
	if _, _, err = ReadFiles([]string{a, c}, "id", s, ""); err == nil || !strings.Contains(err.Error(), "in "+a+" and "+c) {
		t.Errorf("duplicate across files: %v", err)
	}
	if _, _, err = ReadFiles([]string{filepath.Join(dir, "none.csv")}, "id", s, ""); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("missing file: %v", err)
	}
}
