package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// rowReader yields the rows of one table. Row numbers are 1-based and count
// the header, as a spreadsheet shows them.
type rowReader interface {
	// Next returns the next row and its number; io.EOF at the end. A
	// *FieldError reports a row that cannot be read at all.
	Next() (row []string, num int, err error)
	Close() error
}

// source of rows: a CSV file or one sheet of an XLSX file. open can be
// called more than once (validation and writing each read the rows).
type tableSource struct {
	file  string // as given on the command line, for messages
	sheet string // "" for CSV
	hint  string // what the name suggests it holds: the sheet, or the CSV file's base name
	open  func() (rowReader, error)
}

func (t *tableSource) name() string {
	if t.sheet == "" {
		return t.file
	}
	return t.file + "[" + t.sheet + "]"
}

// maxCell bounds one cell, so that a malformed file cannot make a row of
// gigabytes; maxCols bounds the columns of a row; maxRowBytes bounds a CSV
// row as read, checked while streaming, before the CSV reader holds it
// (a line of 200 MB, or a quote left open that makes the rest of the file
// one cell).
const (
	maxCell     = 1 << 20
	maxCols     = 256
	maxRowBytes = 4 << 20
)

// --- CSV ---

type csvReader struct {
	f       io.Closer
	r       *csv.Reader
	lim     *rowLimiter
	decoded bool // converted from another encoding: U+FFFD marks bytes it could not read
	num     int  // spreadsheet row of the last record
	endLine int  // last line of the last record
}

func openCSV(path, enc string) (rowReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newCSVReader(f, f, enc)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// newCSVReader reads CSV from r in encoding enc (EncodingAuto detects it),
// bounding rows and fields as it streams.
func newCSVReader(r io.Reader, c io.Closer, enc string) (*csvReader, error) {
	text, decoded, err := decode(bufio.NewReaderSize(r, 1<<16), enc)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(text, 1<<16)
	comma := sniffComma(br)
	lim := &rowLimiter{r: br, comma: byte(comma), line: 1, fields: 1}
	cr := csv.NewReader(lim)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvReader{f: c, r: cr, lim: lim, decoded: decoded}, nil
}

// rowLimiter passes CSV text through, following quotes as the CSV reader
// does, and fails a row that grows past maxRowBytes bytes or maxCols
// fields as soon as it does: the reader never holds more of it.
type rowLimiter struct {
	r       io.Reader
	comma   byte
	quoted  bool
	line    int // current line, 1-based
	start   int // line where the current row began
	bytes   int // bytes of the current row so far
	fields  int // fields of the current row so far
	readErr error
}

// errLimit is a row over a limit; start is the line where it begins.
type errLimit struct {
	start  int
	reason string
}

func (e *errLimit) Error() string { return e.reason }

func (l *rowLimiter) Read(p []byte) (int, error) {
	if l.readErr != nil {
		return 0, l.readErr
	}
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		l.bytes++
		switch {
		case b == '"':
			l.quoted = !l.quoted // a doubled quote inside quotes toggles twice
		case b == '\n':
			l.line++
			if !l.quoted {
				l.start, l.bytes, l.fields = l.line, 0, 1
			}
		case b == l.comma && !l.quoted:
			l.fields++
		}
		var reason string
		switch {
		case l.bytes > maxRowBytes:
			reason = fmt.Sprintf("the row is longer than %d MiB (is a quote left open?)", maxRowBytes>>20)
		case l.fields > maxCols:
			reason = fmt.Sprintf("more than %d columns", maxCols)
		default:
			continue
		}
		l.readErr = &errLimit{start: max(l.start, 1), reason: reason}
		return i, l.readErr
	}
	return n, err
}

// Next numbers rows as a spreadsheet opening the file would: a blank line
// is an (empty) row, a cell spanning several lines is one row.
func (c *csvReader) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		var le *errLimit
		reason := err.Error()
		start := c.endLine + 1
		switch {
		case errors.As(err, &le):
			reason, start = le.reason, le.start
		case errors.As(err, &pe):
			reason = fmt.Sprintf("cannot read the row (line %d, character %d): %v", pe.Line, pe.Column, pe.Err)
			start = pe.StartLine
		}
		c.num += 1 + max(0, start-c.endLine-1)
		return nil, c.num, &FieldError{Row: c.num, Column: "*", Reason: reason}
	}
	start, _ := c.r.FieldPos(0)
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.num += 1 + max(0, start-c.endLine-1)
	c.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	if c.decoded {
		for _, f := range rec {
			if strings.ContainsRune(f, utf8.RuneError) {
				return nil, c.num, &FieldError{Row: c.num, Column: "*", Reason: "the row has bytes that are not valid in the file's encoding (save the file as UTF-8)"}
			}
		}
	}
	return rec, c.num, nil
}

func (c *csvReader) Close() error { return c.f.Close() }

// --- XLSX ---

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	num  int
}

// openXLSX opens a workbook reading raw cell values: numbers as stored, not
// as the cell's display format rounds them, and dates as Excel serial day
// numbers, which rowCtx.date converts. It first checks the file is within
// the limits (checkXLSX), every time, since the file is opened again to
// write what was checked.
func openXLSX(path string) (*excelize.File, error) {
	reason, err := checkXLSX(path)
	if err != nil {
		return nil, err
	}
	if reason != "" {
		return nil, errRefused(reason)
	}
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipSizeLimit: maxXLSXUnpacked})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// openReason is what the user is told when a table cannot be opened.
func openReason(prefix string, err error) string {
	var r errRefused
	if errors.As(err, &r) {
		return string(r)
	}
	return prefix + err.Error()
}

func openSheet(path, sheet string) (rowReader, error) {
	f, err := openXLSX(path)
	if err != nil {
		return nil, err
	}
	return newSheetReader(f, sheet)
}

func newSheetReader(f *excelize.File, sheet string) (rowReader, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &xlsxReader{f: f, rows: rows}, nil
}

func (x *xlsxReader) Next() ([]string, int, error) {
	for x.rows.Next() {
		x.num++
		cols, err := x.rows.Columns()
		if err != nil {
			return nil, x.num, &FieldError{Row: x.num, Column: "*", Reason: "cannot read the row: " + err.Error()}
		}
		if allEmpty(cols) {
			continue
		}
		return cols, x.num, nil
	}
	if err := x.rows.Error(); err != nil {
		return nil, x.num + 1, &FieldError{Row: x.num + 1, Column: "*", Reason: "cannot read the sheet: " + err.Error()}
	}
	return nil, 0, io.EOF
}

func (x *xlsxReader) Close() error {
	err := x.rows.Close()
	return errors.Join(err, x.f.Close())
}

func allEmpty(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// sources lists the tables of a file: the file itself for CSV, each sheet
// (or the one named) for XLSX.
func sourcesOf(path, sheet, enc string) ([]*tableSource, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		f, err := openXLSX(path)
		if err != nil {
			return nil, &FieldError{File: path, Row: 1, Column: "*", Reason: openReason("not a readable XLSX file: ", err)}
		}
		sheets := f.GetSheetList()
		f.Close()
		var out []*tableSource
		for _, s := range sheets {
			if sheet != "" && s != sheet {
				continue
			}
			s := s
			out = append(out, &tableSource{file: path, sheet: s, hint: s, open: func() (rowReader, error) { return openSheet(path, s) }})
		}
		if sheet != "" && len(out) == 0 {
			return nil, &FieldError{File: path, Row: 1, Column: "*", Reason: fmt.Sprintf("no sheet %q (sheets: %s)", sheet, strings.Join(sheets, ", "))}
		}
		return out, nil
	case ".csv", ".txt", "":
		hint := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		return []*tableSource{{file: path, hint: hint, open: func() (rowReader, error) { return openCSV(path, enc) }}}, nil
	}
	return nil, &FieldError{File: path, Row: 1, Column: "*", Reason: "unsupported file type (use .csv or .xlsx)"}
}

// colLetter is the spreadsheet letter of a 0-based column index: A, ..., Z, AA.
func colLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// checkCell checks a cell is valid UTF-8 of sane size; it returns the
// cell or the reason it is refused.
func checkCell(s string) (string, string) {
	if len(s) > maxCell {
		return "", fmt.Sprintf("cell is longer than %d bytes", maxCell)
	}
	if !utf8.ValidString(s) {
		return "", "cell is not valid UTF-8 text (save the file as UTF-8, or give its encoding: --encoding cp949)"
	}
	return s, ""
}

// excelSerialDate reads a cell that is an Excel serial day number (1900
// date system), as a date-formatted cell holds it. Only numbers of five or
// more digits count (from 1927 on), so that a year such as 1987 stays a year.
func excelSerialDate(v string) (string, bool) {
	whole, frac, _ := strings.Cut(v, ".")
	if len(whole) < 5 || len(whole) > 6 || !digits(whole) || (frac != "" && !digits(frac)) {
		return "", false
	}
	n := 0
	for _, r := range whole {
		n = n*10 + int(r-'0')
	}
	// Day 1 is 1900-01-01 and Excel counts a 29 February 1900 that never
	// was, so from day 61 on the epoch is 1899-12-30.
	return excelEpoch.AddDate(0, 0, n).Format("2006-01-02"), true
}

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// sniffComma guesses the separator from the header line: spreadsheets in
// many locales save "CSV" with semicolons, and some export tabs.
func sniffComma(br *bufio.Reader) rune {
	b, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	best, n := ',', bytes.Count(b, []byte{','})
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(b, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}
