// Package csvcell keeps CSV cells from running as spreadsheet formulas.
//
// A spreadsheet that opens a CSV file reads a cell starting with =, +, -
// or @ as a formula, and some also after a leading tab or carriage return;
// a name such as `=HYPERLINK("http://…", "click")` in a list would then run
// on the reader's machine. As OWASP advises, Neutralise prefixes such a
// cell with an apostrophe, which makes it text. Numbers ("-5", "+3.25",
// "1e-3") are left alone, so they stay numbers.
//
// Restore is the exact inverse, for reading our own exports back: a cell
// that is escaped (an apostrophe before what would be a formula) loses one
// apostrophe. To make the pair a bijection, Neutralise also escapes a cell
// that already starts with apostrophes before a formula character.
package csvcell

import (
	"encoding/csv"
	"io"
	"strings"
)

// triggers start a formula in a spreadsheet.
const triggers = "=+-@\t\r"

// Neutralise returns s as a cell a spreadsheet shows as text.
func Neutralise(s string) string {
	if needs(s) && !IsNumber(s) {
		return "'" + s
	}
	return s
}

// Restore undoes Neutralise: Restore(Neutralise(s)) == s for every s.
func Restore(s string) string {
	if strings.HasPrefix(s, "'") && needs(s) {
		return s[1:]
	}
	return s
}

// needs reports whether s, after any leading apostrophes, starts with a
// formula character.
func needs(s string) bool {
	t := strings.TrimLeft(s, "'")
	return t != "" && strings.IndexByte(triggers, t[0]) >= 0
}

// IsNumber reports whether s is a plain decimal number: an optional sign,
// digits with an optional fraction, an optional exponent. Spreadsheets read
// these as numbers, never as formulas.
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// Writer is a csv.Writer whose every cell is neutralised: the one way the
// program writes CSV that a person may open in a spreadsheet (exports,
// `list --format csv`, linkage clusters, amnesty reports and checks).
type Writer struct {
	*csv.Writer
	buf []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record with its cells neutralised.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Neutralise(c))
	}
	return w.Writer.Write(w.buf)
}

// WriteAll writes records, neutralised, and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
