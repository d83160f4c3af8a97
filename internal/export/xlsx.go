package export

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/rollcall-project/rollcall"
)

// numericColumns are written to XLSX as numbers; every other column is
// text (dates too: "1987-03" is a partial date, not a day Excel may pick).
var numericColumns = map[string]bool{
	"id": true, "source_id": true, "facility_id": true, "person_id": true, "version": true, "credibility": true,
	"lat": true, "lon": true, "sentence_years": true, "population_estimate": true,
}

// xlsxSink writes one sheet, named after the entity (which import reads as
// the table's kind), with the same columns as the CSV export.
type xlsxSink struct {
	w      io.Writer
	sheet  string
	header []string
	f      *excelize.File
	sw     *excelize.StreamWriter
	n      int // rows written, the header included
	vals   []any
}

func (s *xlsxSink) begin() error {
	s.f = excelize.NewFile()
	if err := s.f.SetSheetName(s.f.GetSheetName(0), s.sheet); err != nil {
		return err
	}
	sw, err := s.f.NewStreamWriter(s.sheet)
	if err != nil {
		return err
	}
	s.sw = sw
	hdr := make([]any, len(s.header))
	for i, h := range s.header {
		hdr[i] = h
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	s.n = 1
	return sw.SetRow("A1", hdr)
}

// row writes typed cells: numbers in numeric columns, text otherwise. A
// text cell is never a formula in XLSX, so nothing is escaped. What a
// spreadsheet cannot hold is refused, never cut: more rows than a sheet
// has, or a cell longer than 32,767 characters.
func (s *xlsxSink) row(_ any, cells func() []string) error {
	if s.n >= excelize.TotalRows {
		return rollcall.Errorf(rollcall.EINVALID, "more than %d rows do not fit in one XLSX sheet; export as CSV", excelize.TotalRows-1)
	}
	s.n++
	cs := cells()
	s.vals = s.vals[:0]
	for i, c := range cs {
		var v any = c
		switch {
		case c == "":
			v = nil
		case numericColumns[s.header[i]]:
			f, err := strconv.ParseFloat(c, 64)
			if err != nil {
				return fmt.Errorf("row %d, column %s: %q is not a number", s.n, s.header[i], c)
			}
			if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				v = int64(f)
			} else {
				v = f
			}
		case len(c) > excelize.TotalCellChars && len(utf16.Encode([]rune(c))) > excelize.TotalCellChars:
			return rollcall.Errorf(rollcall.EINVALID, "row %d, column %s: %d characters do not fit in a spreadsheet cell (at most %d); export as CSV",
				s.n, s.header[i], len([]rune(c)), excelize.TotalCellChars)
		}
		s.vals = append(s.vals, v)
	}
	cell, err := excelize.CoordinatesToCellName(1, s.n)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, s.vals)
}

func (s *xlsxSink) end() error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	_, err := s.f.WriteTo(s.w)
	return err
}

// close removes the stream writer's temporary file.
func (s *xlsxSink) close() {
	if s.f != nil {
		_ = s.f.Close()
	}
}
