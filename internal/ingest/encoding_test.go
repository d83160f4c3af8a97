package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// koreanCSV is a fictional list with Korean headers; 똠 is one of the
// hangul syllables only CP949 (not plain EUC-KR) can write.
const koreanCSV = "출처,번호,이름,성별,생년월일,죄명\r\n" +
	"s1,1,김영희,여,1961년경,\"정치범, 탈북\"\r\n" +
	"s1,2,박철수,남,1958,\r\n" +
	"s1,3,이똠순,여,1970년 3월,\r\n"

func encodeWith(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func koreanSource(t *testing.T, st *store.Store) *rollcall.Source {
	t.Helper()
	src := &rollcall.Source{Key: "s1", Kind: "list", Title: "Fictional list", Sensitivity: rollcall.Internal}
	if err := st.CreateSource(ctxSystem(), src); err != nil {
		t.Fatal(err)
	}
	return src
}

// TestImportKoreanEncodings: what Korean Excel writes, CP949 "CSV" and
// UTF-16 "Unicode text" (with and without a byte order mark), reads as the
// same records as UTF-8, with no option (issue 12, finding 6: "CP949/EUC-KR
// and UTF-16 files get 'no source/key/name column'").
func TestImportKoreanEncodings(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	tsv := strings.ReplaceAll(strings.ReplaceAll(koreanCSV, ",", "\t"), "\"정치범\t 탈북\"", "정치범, 탈북")
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"utf-8", []byte(koreanCSV)},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, koreanCSV...)},
		{"cp949", encodeWith(t, korean.EUCKR, koreanCSV)},
		{"utf-16le bom", append([]byte{0xFF, 0xFE}, encodeWith(t, le, tsv)...)},
		{"utf-16be bom", append([]byte{0xFE, 0xFF}, encodeWith(t, be, koreanCSV)...)},
		{"utf-16le", encodeWith(t, le, tsv)},
		{"utf-16be", encodeWith(t, be, koreanCSV)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			src := koreanSource(t, st)
			p := filepath.Join(t.TempDir(), "명단.csv")
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := Import(ctxSystem(), st, []string{p}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Records.Created != 3 {
				t.Fatalf("created %d records, want 3", res.Records.Created)
			}
			for key, want := range map[string][3]string{"1": {"김영희", "f", "~1961"}, "2": {"박철수", "m", "1958"}, "3": {"이똠순", "f", "1970-03"}} {
				r, err := st.RecordByKey(ctxSystem(), src.ID, key)
				if err != nil {
					t.Fatal(err)
				}
				if r.Name != want[0] || r.Sex != want[1] || r.BirthDate.String() != want[2] {
					t.Errorf("record %s: %q %q %q, want %q", key, r.Name, r.Sex, r.BirthDate, want)
				}
			}
			r, _ := st.RecordByKey(ctxSystem(), src.ID, "1")
			if r.Charge != "정치범, 탈북" {
				t.Errorf("charge %q", r.Charge)
			}
		})
	}
}

// TestImportEncodingRefusals: a file whose encoding cannot be told is
// refused with a message that says how to read it, and reads with
// --encoding; a wrong --encoding is refused, not guessed around.
func TestImportEncodingRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Valid CP949 that is not hangul: could as well be Latin-1 mojibake.
	ambiguous := write("ambiguous.csv", encodeWith(t, korean.EUCKR, "source,key,name\r\ns1,1,金英姬 (ＫＩＭ)\r\n"))
	latin := write("latin.csv", encodeWith(t, charmap.Windows1252, "source,key,name\r\ns1,1,Hélène Müller\r\n"))
	cp949 := write("cp949.csv", encodeWith(t, korean.EUCKR, koreanCSV))
	for _, tc := range []struct {
		name, path, enc, want string
	}{
		{"ambiguous", ambiguous, "", "save it as UTF-8 or pass --encoding cp949"},
		{"latin", latin, "", "not UTF-8 text, nor UTF-16 or CP949"},
		{"cp949 read as utf-8", cp949, "utf-8", "not valid UTF-8 text (save the file as UTF-8, or give its encoding: --encoding cp949)"},
		{"utf-8 read as utf-16be", write("u.csv", append([]byte{0xFF, 0xFE}, 'a', 0)), "utf-16be", "little-endian byte order mark"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			koreanSource(t, st)
			_, err := Validate(ctxSystem(), st, []string{tc.path}, Options{Encoding: tc.enc})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
	st := openStore(t)
	koreanSource(t, st)
	if _, err := Import(ctxSystem(), st, []string{ambiguous}, Options{Encoding: "CP949"}); err != nil {
		t.Fatalf("with --encoding cp949: %v", err)
	}
	if _, err := Validate(ctxSystem(), st, []string{cp949}, Options{Encoding: "klingon"}); err == nil || !strings.Contains(err.Error(), "one of: auto, utf-8") {
		t.Fatalf("unknown encoding: %v", err)
	}
}

// TestImportCP949BadBytesLater: bytes that are not CP949 after the part
// the encoding was told from are refused on their row, not read as U+FFFD.
func TestImportCP949BadBytesLater(t *testing.T) {
	st := openStore(t)
	koreanSource(t, st)
	var b bytes.Buffer
	b.Write(encodeWith(t, korean.EUCKR, "출처,번호,이름\r\n"))
	for i := range 5000 {
		b.Write(encodeWith(t, korean.EUCKR, fmt.Sprintf("s1,%d,김영희\r\n", i)))
	}
	b.Write([]byte("s1,bad,\xff\xff\r\n"))
	p := filepath.Join(t.TempDir(), "late.csv")
	os.WriteFile(p, b.Bytes(), 0o600)
	_, err := Validate(ctxSystem(), st, []string{p}, Options{})
	es, ok := AsErrors(err)
	if !ok || len(es) != 1 || es[0].Row != 5002 || !strings.Contains(es[0].Reason, "not valid in the file's encoding") {
		t.Fatalf("error %v, want one at row 5002", err)
	}
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]string{"": "auto", "UTF8": "utf-8", "utf_16le": "utf-16le", "EUC-KR": "cp949",
		"ms949": "cp949", "Unicode": "utf-16", "UTF-16BE": "utf-16be"} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseEncoding("latin1"); err == nil {
		t.Error("latin1 accepted")
	}
}
