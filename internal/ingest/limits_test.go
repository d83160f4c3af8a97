package ingest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// allocated returns the bytes f allocates (all goroutines; the tests here
// run alone).
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// repeatReader yields prefix, then unit repeated until n bytes in all, and
// counts what was read.
type repeatReader struct {
	prefix, unit []byte
	n, read      int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.read < r.n {
		if r.read < len(r.prefix) {
			p[k] = r.prefix[r.read]
		} else {
			p[k] = r.unit[(r.read-len(r.prefix))%len(r.unit)]
		}
		k++
		r.read++
	}
	return k, nil
}

// readAll reads every row of a CSV stream and returns the first error.
func readAll(t *testing.T, r io.Reader) error {
	t.Helper()
	cr, err := newCSVReader(r, io.NopCloser(nil), EncodingAuto)
	if err != nil {
		return err
	}
	for {
		_, _, err := cr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestCSVRowLimits: a 200 MB line, a quote left open over 200 MB of lines,
// and a row of a million fields are each refused with a clear reason after
// reading little more than the limit, and without allocating the row
// (issue 12, finding 6: "a 200 MB line costs 1–2.4 GB").
func TestCSVRowLimits(t *testing.T) {
	const size = 200 << 20
	for _, tc := range []struct {
		name    string
		src     *repeatReader
		reason  string
		row     int
		maxRead int
	}{
		{"long line", &repeatReader{prefix: []byte("source,key,name\ns1,1,"), unit: []byte("a"), n: size},
			"longer than 4 MiB", 2, maxRowBytes + 256<<10},
		{"open quote", &repeatReader{prefix: []byte("source,key,name\ns1,2,\"Kim\n"), unit: []byte("more text\n"), n: size},
			"quote left open", 2, maxRowBytes + 256<<10},
		{"many fields", &repeatReader{prefix: []byte("source,key,name\n"), unit: []byte("a,"), n: size},
			"more than 256 columns", 2, 256 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { err = readAll(t, tc.src) })
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.Contains(fe.Reason, tc.reason) || fe.Row != tc.row {
				t.Fatalf("error %v, want row %d: %s", err, tc.row, tc.reason)
			}
			t.Logf("refused after reading %d KiB, allocating %d KiB", tc.src.read>>10, alloc>>10)
			if tc.src.read > tc.maxRead {
				t.Errorf("read %d MiB of %d before refusing", tc.src.read>>20, size>>20)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MiB before refusing", alloc>>20)
			}
		})
	}
}

// TestCSVLimitsInImport: the limits surface as FILE:ROW:COLUMN errors of
// an import, and rows within them import.
func TestCSVLimitsInImport(t *testing.T) {
	st := openStore(t)
	if err := st.CreateSource(ctxSystem(), &rollcall.Source{Key: "s1", Kind: "list", Title: "Fictional list"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wide := "source,key,name\n" + strings.Repeat("x,", maxCols) + "x\n"
	long := "source,key,name\ns1,1,Kim\ns1,2,\"" + strings.Repeat("a", maxRowBytes) + "\"\n"
	for name, body := range map[string]string{"wide.csv": wide, "long.csv": long} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Validate(ctxSystem(), st, []string{p}, Options{Kind: KindRecords})
		es, ok := AsErrors(err)
		if !ok || len(es) != 1 || es[0].Column != "*" {
			t.Fatalf("%s: %v", name, err)
		}
		want := map[string]int{"wide.csv": 2, "long.csv": 3}[name]
		if es[0].Row != want {
			t.Errorf("%s: %s, want row %d", name, es[0], want)
		}
	}
}

// deflateRepeat returns a raw deflate stream that inflates to prefix, n ×
// unit and suffix, built without compressing all of it: a megabyte of
// units is compressed once and flushed (it refers only to itself), that
// block is repeated, and a final empty block closes the stream. It also
// returns the CRC-32 and the size of the whole.
func deflateRepeat(t *testing.T, prefix, unit, suffix []byte, n int) ([]byte, uint32, uint64) {
	t.Helper()
	block := func(b []byte) []byte {
		var buf bytes.Buffer
		fw, err := flate.NewWriter(&buf, flate.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(b)
		fw.Flush()
		return buf.Bytes()
	}
	m := max(1, (1<<20)/len(unit))
	chunk := bytes.Repeat(unit, m)
	rest := bytes.Repeat(unit, n%m)
	var out bytes.Buffer
	out.Write(block(prefix))
	crc := crc32.Update(0, crc32.IEEETable, prefix)
	cb := block(chunk)
	for range n / m {
		out.Write(cb)
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}
	out.Write(block(rest))
	crc = crc32.Update(crc, crc32.IEEETable, rest)
	out.Write(block(suffix))
	crc = crc32.Update(crc, crc32.IEEETable, suffix)
	out.Write([]byte{0x01, 0x00, 0x00, 0xff, 0xff}) // final empty stored block
	return out.Bytes(), crc, uint64(len(prefix) + n*len(unit) + len(suffix))
}

// writeBomb writes an XLSX file whose worksheet is prefix + n × unit +
// suffix, the other parts those of a minimal workbook.
func writeBomb(t *testing.T, path string, prefix, unit, suffix string, n int) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="records" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	data, crc, size := deflateRepeat(t, []byte(prefix), []byte(unit), []byte(suffix), n)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size()
}

const sheetHead = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
	`<row r="1"><c r="A1" t="inlineStr"><is><t>source</t></is></c><c r="B1" t="inlineStr"><is><t>key</t></is></c><c r="C1" t="inlineStr"><is><t>name</t></is></c></row>`

// TestXLSXBombsRefused: workbooks of about a megabyte that unpack past the
// limits are refused with a clear reason, before excelize reads them and
// without allocating what they unpack to (issue 12, finding 6: "a 1 MB
// zip-bomb XLSX costs 54 s, 6.3 GB of memory and 1 GB of temp disk").
func TestXLSXBombsRefused(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name, unit, suffix, reason string
		n                          int
	}{
		// 300 MiB of rows: over the unpacked size (seen in the zip directory).
		{"size", `<row><c><v>1</v></c></row>`, `</sheetData></worksheet>`, "unpacks to more than 256 MiB", (300 << 20) / 26},
		// 11 million empty cells in 44 MB: within the size, over the cell count.
		{"cells", `<row>` + strings.Repeat(`<c/>`, 1000) + `</row>`, `</sheetData></worksheet>`, "more than 10000000 cells", 11_000},
		// One row of 100,000 cells.
		{"row", `<c><v>1</v></c>`, `</row></sheetData></worksheet>`, "more than 16384 cells", 100_000},
		// One cell of 64 MiB of text.
		{"token", `aaaaaaaaaaaaaaaa`, `</t></is></c></row></sheetData></worksheet>`, "longer than 4 MiB", 4 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".xlsx")
			prefix := sheetHead
			switch tc.name {
			case "row":
				prefix += `<row r="2">`
			case "token":
				prefix += `<row r="2"><c t="inlineStr"><is><t>`
			}
			size := writeBomb(t, p, prefix, tc.unit, tc.suffix, tc.n)
			if size > 2<<20 {
				t.Fatalf("the bomb is %d KiB, not a small file", size>>10)
			}
			var err error
			alloc := allocated(func() { _, err = Validate(ctxSystem(), st, []string{p}, Options{}) })
			es, ok := AsErrors(err)
			if !ok || len(es) != 1 || !strings.Contains(es[0].Reason, tc.reason) {
				t.Fatalf("error %v, want one saying %q", err, tc.reason)
			}
			t.Logf("%d KiB file refused, allocating %d KiB", size>>10, alloc>>10)
			if alloc > 32<<20 {
				t.Errorf("allocated %d MiB to refuse a %d KiB file", alloc>>20, size>>10)
			}
		})
	}
	// The declared sizes are what the zip reader holds the data to: a part
	// that claims less than it unpacks to fails to read, it is not trusted.
	p := filepath.Join(dir, "liar.xlsx")
	writeLiar(t, p)
	if _, err := Validate(ctxSystem(), st, []string{p}, Options{}); err == nil {
		t.Fatal("a part larger than its declared size was read")
	}
}

// writeLiar writes a workbook whose sheet declares 100 bytes and holds 50 MB.
func writeLiar(t *testing.T, path string) {
	t.Helper()
	f, _ := os.Create(path)
	defer f.Close()
	zw := zip.NewWriter(f)
	data, crc, _ := deflateRepeat(t, []byte(sheetHead), []byte(`<row><c><v>1</v></c></row>`), []byte(`</sheetData></worksheet>`), 2_000_000)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: 100})
	w.Write(data)
	zw.Close()
}
