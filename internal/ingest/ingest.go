// Package ingest imports sources with their records, facilities and events
// from CSV (UTF-8, UTF-16 or CP949) and XLSX files, all or nothing. Every row is read and checked
// first, and every problem is reported with its file, row (as a spreadsheet
// numbers it, header = 1), column (header and letter) and reason; if there
// is any, nothing is written. Otherwise everything is written in one
// transaction. Importing the same file again leaves the database as it
// was: sources, facilities and events are matched by key, records by their
// source and key, and rows that did not change are not touched.
//
// Headers are matched to fields by name and common synonyms, English and
// Korean (이름, 생년월일, 성별, ...), or by an explicit Mapping.
//
// Files are bounded while they are read, before memory grows: a CSV row at
// most 4 MiB and 256 columns; an XLSX file at most 256 MiB unpacked and 10
// million cells, checked on the zip directory and a streaming scan before
// the workbook is opened.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// FieldError is one problem with one cell (or, with Column "*", a whole
// row or file).
type FieldError struct {
	File   string
	Sheet  string
	Row    int    // 1-based, the header is row 1
	Column string // header as written, or "*"
	Letter string // spreadsheet column letter, "" for "*"
	Reason string
}

// String is "FILE:ROW:COLUMN: reason", FILE with "[sheet]" for XLSX and
// COLUMN as "header (letter)".
func (e *FieldError) String() string {
	file := e.File
	if e.Sheet != "" {
		file += "[" + e.Sheet + "]"
	}
	col := e.Column
	if e.Letter != "" {
		col = fmt.Sprintf("%s (%s)", e.Column, e.Letter)
	}
	return fmt.Sprintf("%s:%d:%s: %s", file, e.Row, col, e.Reason)
}

func (e *FieldError) Error() string { return e.String() }

// Errors is every problem found in an import; it is returned wrapped in a
// *rollcall.Error with code EINVALID.
type Errors []*FieldError

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.String())
	}
	return b.String()
}

// AsErrors returns the row errors in err, if it has any.
func AsErrors(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return Errors{fe}, true
	}
	return nil, false
}

// maxErrors bounds the errors kept, so that a wholly wrong file of a
// million rows does not fill memory with messages.
const maxErrors = 10000

// Options control an import.
type Options struct {
	// Kind forces the kind of every table; "" detects it from the sheet
	// name or the headers.
	Kind Kind
	// Sheet imports only the named sheet of an XLSX file.
	Sheet string
	// Encoding is the text encoding of CSV files (see Encodings); "" or
	// "auto" detects UTF-8, UTF-16 and CP949, and refuses a file whose
	// encoding cannot be told.
	Encoding string
	// Mapping maps headers to fields and gives defaults; nil uses the
	// built-in synonyms.
	Mapping *Mapping
	// Progress receives a progress bar while writing; nil for none.
	Progress io.Writer
	// BatchSize is how many new records go to the store at once (default
	// 5000).
	BatchSize int
}

// Counts says what an import did to one kind of row.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Result summarises an import.
type Result struct {
	Sources    Counts   `json:"sources"`
	Facilities Counts   `json:"facilities"`
	Records    Counts   `json:"records"`
	Events     Counts   `json:"events"`
	Warnings   []string `json:"warnings,omitempty"`
}

// Import reads the files, checks every row, and writes everything in one
// transaction, or nothing if any row is wrong: then the error is a
// *rollcall.Error (EINVALID) wrapping Errors.
func Import(ctx context.Context, st *store.Store, paths []string, opts Options) (*Result, error) {
	p, err := Validate(ctx, st, paths, opts)
	if err != nil {
		return nil, err
	}
	res, err := p.Write(ctx)
	if err != nil {
		return nil, err
	}
	if res.Records.Created+res.Records.Updated > 0 {
		// A bulk load leaves the search index in many segments; merging them
		// keeps name search fast. The import itself is already committed.
		if err := st.OptimizeSearchIndex(ctx); err != nil {
			return res, fmt.Errorf("import done; merging the search index failed: %w", err)
		}
	}
	return res, nil
}

// invalid wraps row errors for return.
func invalid(es Errors) error {
	msg := fmt.Sprintf("%d problem(s) in the import; nothing was imported", len(es))
	if len(es) >= maxErrors {
		msg = fmt.Sprintf("at least %d problems in the import (only the first %d are listed); nothing was imported", len(es), maxErrors)
	}
	return &rollcall.Error{Code: rollcall.EINVALID, Message: msg, Err: es}
}
