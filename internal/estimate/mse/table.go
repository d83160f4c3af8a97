package mse

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// MaxLists is the largest number of lists a Table can hold. Tables are dense
// (2^K cells), so the limit keeps memory small.
const MaxLists = 16

// Table is a capture-pattern contingency table. Counts has 2^K entries; the
// index is the capture pattern with list j (0-based, in the order of Lists)
// at bit j. Counts[0], the people on no list, is unobservable and always 0.
type Table struct {
	Lists  []string
	Counts []int
}

// NewTable returns an empty table over the named lists.
func NewTable(lists []string) (*Table, error) {
	if len(lists) < 1 || len(lists) > MaxLists {
		return nil, rollcall.Errorf(rollcall.EINVALID, "a table needs between 1 and %d lists, got %d", MaxLists, len(lists))
	}
	seen := make(map[string]bool, len(lists))
	for i, l := range lists {
		if strings.TrimSpace(l) == "" {
			return nil, rollcall.Errorf(rollcall.EINVALID, "list %d has an empty name", i+1)
		}
		if seen[l] {
			return nil, rollcall.Errorf(rollcall.EINVALID, "list name %q appears twice", l)
		}
		seen[l] = true
	}
	return &Table{Lists: append([]string(nil), lists...), Counts: make([]int, 1<<len(lists))}, nil
}

// K returns the number of lists.
func (t *Table) K() int { return len(t.Lists) }

// Add adds count people with the given capture pattern.
func (t *Table) Add(pattern uint32, count int) error {
	if pattern == 0 {
		if count == 0 {
			return nil
		}
		return rollcall.Errorf(rollcall.EINVALID, "capture pattern with no list cannot be observed")
	}
	if int(pattern) >= len(t.Counts) {
		return rollcall.Errorf(rollcall.EINVALID, "capture pattern %b names a list beyond the %d lists", pattern, t.K())
	}
	if count < 0 {
		return rollcall.Errorf(rollcall.EINVALID, "negative count %d", count)
	}
	t.Counts[pattern] += count
	return nil
}

// Observed returns the number of people seen on at least one list.
func (t *Table) Observed() int {
	s := 0
	for _, c := range t.Counts[1:] {
		s += c
	}
	return s
}

// ListCounts returns how many people each list holds.
func (t *Table) ListCounts() []int {
	out := make([]int, t.K())
	for p, c := range t.Counts {
		for j := range out {
			if p>>j&1 == 1 {
				out[j] += c
			}
		}
	}
	return out
}

// FromPatterns builds a table from one capture-history bitmask per person.
func FromPatterns(lists []string, patterns []uint32) (*Table, error) {
	t, err := NewTable(lists)
	if err != nil {
		return nil, err
	}
	for i, p := range patterns {
		if err := t.Add(p, 1); err != nil {
			return nil, fmt.Errorf("person %d: %w", i+1, err)
		}
	}
	return t, nil
}

// FromRows builds a table from one row of per-list flags per person.
func FromRows(lists []string, rows [][]bool) (*Table, error) {
	t, err := NewTable(lists)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if len(r) != len(lists) {
			return nil, rollcall.Errorf(rollcall.EINVALID, "row %d has %d flags, want %d", i+1, len(r), len(lists))
		}
		var p uint32
		for j, b := range r {
			if b {
				p |= 1 << j
			}
		}
		if err := t.Add(p, 1); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	return t, nil
}

// ReadCSV reads a table from CSV. The header names the lists; each list
// column holds 0 or 1. With a column named "count" each row is one capture
// pattern and its count (aggregated form); without it each row is one person.
// name is used in error messages (usually the file name).
func ReadCSV(r io.Reader, name string) (*Table, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, rollcall.Errorf(rollcall.EINVALID, "%s: empty file", name)
	}
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "%s: cannot read header", name)
	}
	header = slices.Clone(header) // the reader reuses its record
	countCol := -1
	var lists []string
	var listCols []int
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if strings.EqualFold(h, "count") {
			if countCol >= 0 {
				return nil, rollcall.Errorf(rollcall.EINVALID, "%s: row 1: two count columns", name)
			}
			countCol = i
			continue
		}
		lists = append(lists, h)
		listCols = append(listCols, i)
	}
	t, err := NewTable(lists)
	if err != nil {
		return nil, fmt.Errorf("%s: row 1: %w", name, err)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EINVALID, err, "%s: row %d: malformed CSV", name, line)
		}
		var p uint32
		for j, c := range listCols {
			switch strings.TrimSpace(rec[c]) {
			case "0":
			case "1":
				p |= 1 << j
			default:
				e := rollcall.Errorf(rollcall.EINVALID, "%s: row %d, column %q: want 0 or 1, got %q", name, line, lists[j], rec[c])
				e.Field = lists[j]
				return nil, e
			}
		}
		n := 1
		if countCol >= 0 {
			n, err = strconv.Atoi(strings.TrimSpace(rec[countCol]))
			if err != nil || n < 0 {
				e := rollcall.Errorf(rollcall.EINVALID, "%s: row %d, column %q: want a non-negative whole number, got %q", name, line, header[countCol], rec[countCol])
				e.Field = header[countCol]
				return nil, e
			}
		}
		if p == 0 && n > 0 {
			return nil, rollcall.Errorf(rollcall.EINVALID, "%s: row %d: a person on no list cannot be observed (all list columns are 0)", name, line)
		}
		if err := t.Add(p, n); err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", name, line, err)
		}
	}
	return t, nil
}

// WriteCSV writes the table in aggregated form (all 2^K−1 patterns, first
// list as the least significant bit), the format ReadCSV accepts.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	rec := append(append([]string(nil), t.Lists...), "count")
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	for p := 1; p < len(t.Counts); p++ {
		for j := range t.Lists {
			rec[j] = strconv.Itoa(p >> j & 1)
		}
		rec[len(rec)-1] = strconv.Itoa(t.Counts[p])
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// patterns returns the distinct observed patterns and their frequencies.
func (t *Table) patterns() ([]uint32, []int) {
	var ps []uint32
	var fs []int
	for p, c := range t.Counts {
		if p > 0 && c > 0 {
			ps = append(ps, uint32(p))
			fs = append(fs, c)
		}
	}
	return ps, fs
}

// sparsityWarnings describes empty overlaps and thin tables.
func (t *Table) sparsityWarnings() []Warning {
	var w []Warning
	add := func(code, format string, args ...any) {
		w = append(w, Warning{Code: code, Text: fmt.Sprintf(format, args...)})
	}
	k := t.K()
	n := t.Observed()
	if n == 0 {
		return []Warning{{Code: WarnFewObserved, Text: "the table is empty"}}
	}
	lc := t.ListCounts()
	for j, c := range lc {
		if c == 0 {
			add(WarnEmptyList, "list %q is empty", t.Lists[j])
		}
	}
	for a := 0; a < k; a++ {
		for b := a + 1; b < k; b++ {
			mask := 1<<a | 1<<b
			s := 0
			for p, c := range t.Counts {
				if p&mask == mask {
					s += c
				}
			}
			if s == 0 && lc[a] > 0 && lc[b] > 0 {
				add(WarnNoOverlap, "lists %q and %q never overlap", t.Lists[a], t.Lists[b])
			}
		}
	}
	zeros := 0
	for p := 1; p < len(t.Counts); p++ {
		if t.Counts[p] == 0 {
			zeros++
		}
	}
	if cells := len(t.Counts) - 1; zeros*2 > cells {
		add(WarnSparseTable, "sparse table: %d of %d capture patterns are empty", zeros, cells)
	}
	single := 0
	for p, c := range t.Counts {
		if bits.OnesCount(uint(p)) == 1 {
			single += c
		}
	}
	if single == n {
		add(WarnNoRecapture, "no person is on more than one list: the lists carry no information on the unseen")
	}
	return w
}
