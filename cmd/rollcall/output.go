package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
	"golang.org/x/text/width"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/export/csvcell"
)

// table is what every list and show renders: a header and string rows.
type table struct {
	header []string
	rows   [][]string
}

// render writes items as JSON, or t as an aligned table or CSV.
func (m *Main) render(format string, items any, t table) error {
	switch format {
	case "json":
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	case "csv":
		w := csvcell.NewWriter(m.Stdout)
		return w.WriteAll(append([][]string{t.header}, t.rows...))
	case "table", "":
		return writeTable(m.Stdout, append([][]string{t.header}, t.rows...))
	}
	return rollcall.Errorf(rollcall.EINVALID, "unknown format %q: choose table, json or csv", format)
}

// renderOne writes one object as "field  value" lines, from its JSON form.
func (m *Main) renderOne(item any) error {
	b, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	var fields []struct {
		k string
		v json.RawMessage
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil { // {
		return fmt.Errorf("render: %w", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("render: %w", err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("render: %w", err)
		}
		fields = append(fields, struct {
			k string
			v json.RawMessage
		}{tok.(string), raw})
	}
	var rows [][]string
	for _, f := range fields {
		v := string(f.v)
		var s string
		if json.Unmarshal(f.v, &s) == nil {
			v = s
		}
		if v == "" || v == "null" {
			continue
		}
		rows = append(rows, []string{f.k, v})
	}
	return writeTable(m.Stdout, rows)
}

// writeTable writes rows as aligned columns. Widths count terminal cells,
// so hangul (two cells a character) lines up with latin text, which
// text/tabwriter does not do.
func writeTable(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], cellWidth(clean(c)))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for i, c := range r {
			c = clean(c)
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-cellWidth(c)+2))
			}
		}
		b.WriteString("\n")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

func clean(c string) string {
	return strings.ReplaceAll(strings.ReplaceAll(c, "\t", " "), "\n", " ")
}

// cellWidth is the number of terminal cells s takes.
func cellWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// writeOutput writes to path atomically, or to m.Stdout when path is "".
func (m *Main) writeOutput(path string, f func(io.Writer) error) error {
	if path == "" || path == "-" {
		return f(m.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := f(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// openInput opens a named input file; "-" is stdin.
func (m *Main) openInput(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(m.Stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot open %s", name)
	}
	return f, nil
}

// stderrTerminal returns m.Stderr when it is a terminal (for progress
// bars), else nil.
func (m *Main) stderrTerminal() io.Writer {
	if f, ok := m.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return m.Stderr
	}
	return nil
}

// progress returns a progress callback drawing a bar per stage on stderr
// when stderr is a terminal (else nil), and a function that clears the bar
// at the end.
func (m *Main) progress() (func(stage string, done, total int64), func()) {
	out := m.stderrTerminal()
	if out == nil {
		return nil, func() {}
	}
	var mu sync.Mutex
	var bar *progressbar.ProgressBar
	stage := ""
	var size int64
	finish := func() {
		mu.Lock()
		defer mu.Unlock()
		if bar != nil {
			_ = bar.Finish()
			bar = nil
		}
	}
	return func(st string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if bar == nil || st != stage || total != size {
			if bar != nil {
				_ = bar.Finish()
			}
			stage, size = st, total
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(out),
				progressbar.OptionSetDescription(st), progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowCount())
		}
		_ = bar.Set64(done)
	}, finish
}
