package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// checkImportErr asserts the contract of a failed validation: an invalid
// error whose every row error names a row and a column.
func checkImportErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if code := rollcall.ErrorCode(err); code != rollcall.EINVALID {
		t.Fatalf("error code %q (%v), want invalid", code, err)
	}
	es, ok := AsErrors(err)
	if !ok {
		if rollcall.ErrorMessage(err) == "nothing to import" {
			return
		}
		t.Fatalf("invalid error without row errors: %v", err)
	}
	for _, e := range es {
		if e.Row < 1 || e.Column == "" || e.File == "" || e.Reason == "" {
			t.Fatalf("error %q does not name file, row, column and reason", e)
		}
		if e.Column != "*" && e.Letter == "" && !strings.HasSuffix(e.Column, "(default)") {
			t.Fatalf("error %q names a column without its letter", e)
		}
	}
}

func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		"source,key,name\ns1,1,Kim\n",
		"key,kind,title\ns1,list,A\n",
		"출처,번호,이름,성별,생년월일\ns1,1,김영희,여,1961년경\n",
		"key,number,name_en,type,lat,lon\nf1,1,Camp,kwanliso,39.5,126.1\n",
		"key,type,date,source,record\ne1,arrest,2001,s1,1\n",
		"a,\"b\nc\",d\n1,2,3\n",
		"\ufeffsource,key,name\n\"s1,1,Kim\n",
		"source,key,name,birth_date\ns1,1,Kim,04/03/1987\n",
	} {
		f.Add([]byte(s))
	}
	st := openStore(f)
	dir := f.TempDir()
	ctx := ctxSystem()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Validate(ctx, st, []string{path}, Options{})
		checkImportErr(t, err)
	})
}

func FuzzImportXLSX(f *testing.F) {
	f.Add([]byte{}, "source,key,name\ns1,1,Kim")
	f.Add([]byte{}, "key,kind,title\ns1,list,A")
	f.Add([]byte{}, "출처,번호,이름,성별\ns1,1,김영희,여\ns1,1,김영희,남")
	f.Add([]byte{}, "key,name_en,type,lat\nf1,Camp,kwanliso,99")
	f.Add([]byte("PK\x03\x04garbage"), "")
	st := openStore(f)
	dir := f.TempDir()
	ctx := ctxSystem()
	f.Fuzz(func(t *testing.T, raw []byte, cells string) {
		path := filepath.Join(dir, "fuzz.xlsx")
		if len(raw) > 0 {
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
		} else {
			var rows [][]string
			for _, line := range strings.Split(cells, "\n") {
				if len(rows) > 20 {
					break
				}
				fs := strings.Split(line, ",")
				if len(fs) > 30 {
					fs = fs[:30]
				}
				rows = append(rows, fs)
			}
			writeXLSXRows(t, path, "records", rows)
		}
		_, err := Validate(ctx, st, []string{path}, Options{})
		checkImportErr(t, err)
	})
}
