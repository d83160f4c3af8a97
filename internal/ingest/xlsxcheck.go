package ingest

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of an XLSX file, checked before excelize reads it: a small zip can
// unpack to gigabytes of XML (a "zip bomb"), which excelize would hold in
// memory or write to temporary files before any row is read.
const (
	// maxXLSXUnpacked bounds the sum of the sizes the parts unpack to. The
	// zip reader fails any part that unpacks to more than its declared
	// size, so the declared sizes can be trusted as a bound.
	maxXLSXUnpacked = 256 << 20
	// maxXLSXCells bounds the cells of all sheets together, and
	// maxXLSXRowCells those of one row (Excel's own column limit).
	maxXLSXCells    = 10_000_000
	maxXLSXRowCells = 16384
	// maxXLSXSheets bounds the worksheets (each is opened on its own), and
	// maxXLSXParts the files in the zip.
	maxXLSXSheets = 100
	maxXLSXParts  = 10_000
	// maxXLSXToken bounds one run of text or one tag in the XML: a cell
	// holds at most 32,767 characters.
	maxXLSXToken = 4 << 20
)

// checkXLSX refuses a workbook over the limits, reading only the zip
// directory and then streaming each worksheet and the shared strings
// through a scanner that counts rows, cells and token lengths, in constant
// memory. It returns a reason for the user, or "" when the file is within
// the limits.
func checkXLSX(path string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "not a readable XLSX file: " + err.Error(), nil
	}
	defer zr.Close()
	if len(zr.File) > maxXLSXParts {
		return fmt.Sprintf("the XLSX file has %d parts, more than %d; save the list as CSV", len(zr.File), maxXLSXParts), nil
	}
	var total uint64
	sheets := 0
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxXLSXUnpacked {
			return fmt.Sprintf("the XLSX file unpacks to more than %d MiB, the most an import reads; save the list as CSV or split it", maxXLSXUnpacked>>20), nil
		}
		if isSheetPart(f.Name) {
			sheets++
		}
	}
	if sheets > maxXLSXSheets {
		return fmt.Sprintf("the XLSX file has %d sheets, more than %d; split it", sheets, maxXLSXSheets), nil
	}
	var sc xmlScan
	for _, f := range zr.File {
		if !isSheetPart(f.Name) && !strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), "xl/sharedStrings.xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "not a readable XLSX file: " + err.Error(), nil
		}
		reason, err := sc.scan(rc)
		rc.Close()
		if err != nil {
			return "not a readable XLSX file: " + err.Error(), nil
		}
		if reason != "" {
			return fmt.Sprintf("%s (in %s)", reason, f.Name), nil
		}
	}
	return "", nil
}

func isSheetPart(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	return strings.HasPrefix(n, "xl/worksheets/") && strings.HasSuffix(n, ".xml") && !strings.Contains(n, "/_rels/")
}

// xmlScan counts elements of SpreadsheetML without parsing it: it looks at
// each '<' and the name after it ("c" a cell, "row" a row, "si" a shared
// string; a namespace prefix such as "x:" is skipped).
type xmlScan struct {
	cells, strings int
	rowCells       int
}

func (s *xmlScan) scan(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	run := 0 // bytes since the last '<'
	for {
		chunk, err := br.ReadSlice('<')
		run += len(chunk)
		if run > maxXLSXToken {
			return fmt.Sprintf("the XLSX file has a cell or tag longer than %d MiB", maxXLSXToken>>20), nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		run = 0
		name, err := br.Peek(16)
		if err != nil && err != io.EOF {
			return "", err
		}
		switch localName(name) {
		case "c":
			s.cells++
			s.rowCells++
			switch {
			case s.cells > maxXLSXCells:
				return fmt.Sprintf("the XLSX file has more than %d cells, the most an import reads; save the list as CSV or split it", maxXLSXCells), nil
			case s.rowCells > maxXLSXRowCells:
				return fmt.Sprintf("a row of the XLSX file has more than %d cells", maxXLSXRowCells), nil
			}
		case "row":
			s.rowCells = 0
		case "si":
			s.strings++
			if s.strings > maxXLSXCells {
				return fmt.Sprintf("the XLSX file has more than %d shared strings", maxXLSXCells), nil
			}
		}
	}
}

// localName returns the name of the start tag that b begins (just after
// its '<'), without a namespace prefix; "" for end tags, comments and
// processing instructions.
func localName(b []byte) string {
	end := 0
	for end < len(b) {
		c := b[end]
		if c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '-' || c == '.') {
			return ""
		}
		end++
	}
	if end == len(b) && end == 16 {
		return "" // longer than any name we count
	}
	name := string(b[:end])
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name
}
