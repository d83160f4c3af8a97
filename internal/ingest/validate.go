package ingest

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/schollz/progressbar/v3"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/export/csvcell"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// table is one table of an import with its resolved columns.
type table struct {
	src       *tableSource
	kind      Kind
	header    []string
	fields    []string // field of each column, "" if none
	headerRow int      // row number of the header; rows above it are skipped
	broken    bool     // the header has a problem: rows are not read
	col       map[string]int
	rows      int // data rows
}

// Plan is a checked import, ready to write.
type Plan struct {
	st     *store.Store
	opts   Options
	tables []*table
	res    Result

	vocab refdata.Lookup // checked with refdata.CodeOf, as the API and the forms are

	// Sources and facilities are few: kept whole, by key.
	sources    map[string]*rollcall.Source
	sourceRow  map[string]string // key → "file:row" of its row
	facilities map[string]*rollcall.Facility
	facRow     map[string]string

	// From the database, cached.
	dbSources map[string]*rollcall.Source // nil value: not there
	dbFacs    map[string]*rollcall.Facility
	facAlias  map[string]string // folded name or alias → facility key ("" when ambiguous)

	// Record keys in this import, as hashes of source key + "\x00" +
	// record key → row. A map without pointers keeps the garbage collector
	// from scanning a million keys; two different keys share a 64-bit hash
	// with odds of about 1 in 10^7 even at a million records, and would be
	// reported as a duplicate, never merged.
	recKeys  map[uint64]int32
	seed     maphash.Seed
	memo     map[string]string // cached vocabulary and facility lookups
	dates    map[string]parsedDate
	eventRef map[string]bool
	evKeys   map[string]string

	total    int                      // rows to write, for the progress bar
	checkBar *progressbar.ProgressBar // rows checked, when there is a terminal
}

func (p *Plan) mapping() *Mapping { return p.opts.Mapping }

// Rows is the number of data rows the plan would write.
func (p *Plan) Rows() int { return p.total }

// Warnings lists what validation noticed but did not refuse (columns and
// sheets it ignored).
func (p *Plan) Warnings() []string { return p.res.Warnings }

// Validate reads every file and checks every row against the schema, the
// vocabularies and the references (to this import and to the database). It
// writes nothing.
func Validate(ctx context.Context, st *store.Store, paths []string, opts Options) (*Plan, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	p := &Plan{
		st: st, opts: opts,
		sources: map[string]*rollcall.Source{}, sourceRow: map[string]string{},
		facilities: map[string]*rollcall.Facility{}, facRow: map[string]string{},
		dbSources: map[string]*rollcall.Source{}, dbFacs: map[string]*rollcall.Facility{},
		recKeys: map[uint64]int32{}, seed: maphash.MakeSeed(), eventRef: map[string]bool{}, evKeys: map[string]string{},
		memo: map[string]string{}, dates: map[string]parsedDate{},
	}
	if err := p.loadVocab(ctx); err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		// The number of rows is not known yet: a counter, not a bar.
		p.checkBar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(opts.Progress),
			progressbar.OptionSetDescription("checking"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		defer p.checkBar.Finish()
	}
	var errs Errors
	add := func(e *FieldError) bool {
		if len(errs) < maxErrors {
			errs = append(errs, e)
		}
		return len(errs) < maxErrors
	}
	enc, err := ParseEncoding(opts.Encoding)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "%s", err.Error())
	}
	kind := opts.Kind
	if kind == "" && opts.Mapping != nil {
		kind, _ = ParseKind(opts.Mapping.Kind)
	}
	for _, path := range paths {
		srcs, err := sourcesOf(path, opts.Sheet, enc)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				add(fe)
				continue
			}
			return nil, err
		}
		for _, s := range srcs {
			before := len(errs)
			t, err := p.openTable(s, kind, add)
			if err != nil {
				return nil, err
			}
			if t != nil {
				t.broken = len(errs) > before
				p.tables = append(p.tables, t)
			}
		}
	}
	// Dependencies first: sources, facilities, records, events.
	slices.SortStableFunc(p.tables, func(a, b *table) int {
		return slices.Index(kindOrder, a.kind) - slices.Index(kindOrder, b.kind)
	})
	// Records refer to facilities by name: index them once all the facility
	// tables are read (they come first). A table whose header is wrong is
	// not read, nor are the tables that may refer to its rows (they would
	// only repeat its problem); the others are, to find every problem at once.
	brokenAt := len(kindOrder)
	for _, t := range p.tables {
		k := slices.Index(kindOrder, t.kind)
		if t.broken {
			brokenAt = min(brokenAt, k)
			continue
		}
		if k > brokenAt {
			continue
		}
		if (t.kind == KindRecords || t.kind == KindEvents) && p.facAlias == nil {
			if err := p.indexFacilities(ctx); err != nil {
				return nil, err
			}
		}
		if err := p.scan(ctx, t, nil, add); err != nil {
			return nil, err
		}
	}
	if len(errs) > 0 {
		return nil, invalid(errs)
	}
	if len(p.tables) == 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "nothing to import")
	}
	return p, nil
}

// openTable reads a table's header and resolves its columns.
func (p *Plan) openTable(s *tableSource, kind Kind, add func(*FieldError) bool) (*table, error) {
	rr, err := s.open()
	if err != nil {
		add(&FieldError{File: s.file, Sheet: s.sheet, Row: 1, Column: "*", Reason: openReason("cannot open: ", err)})
		return nil, nil
	}
	defer rr.Close()
	// The header is the first row that names at least two fields, among
	// the first ten: sheets often carry a title and a blank row above it.
	var cands [][]string
	var nums []int
	for len(cands) < 10 {
		row, num, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(cands) == 0 {
				return nil, p.rowErr(s, err, add)
			}
			break // reported when the rows are read
		}
		row = slices.Clone(row)
		for i := range row {
			row[i] = strings.TrimSpace(strings.TrimPrefix(row[i], "\ufeff"))
		}
		cands, nums = append(cands, row), append(nums, num)
	}
	if len(cands) == 0 {
		if s.sheet != "" && p.opts.Sheet == "" {
			return nil, nil // an empty sheet among others
		}
		add(&FieldError{File: s.file, Sheet: s.sheet, Row: 1, Column: "*", Reason: "the table is empty (no header row)"})
		return nil, nil
	}
	pick := 0
	for i, row := range cands {
		if p.recognised(kind, s.hint, row) >= 2 {
			pick = i
			break
		}
	}
	header, num := cands[pick], nums[pick]
	for i, h := range header {
		if _, bad := checkCell(h); bad != "" {
			add(&FieldError{File: s.file, Sheet: s.sheet, Row: num, Column: "*", Reason: fmt.Sprintf("header %s: %s", colLetter(i), bad)})
			return nil, nil
		}
	}
	if kind == "" {
		kind = detectKind(s.hint, header)
	}
	if kind == "" {
		if s.sheet != "" && p.opts.Sheet == "" {
			// A notes or summary sheet beside the data.
			p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("%s: sheet skipped: its headers are not those of sources, records, facilities or events", s.name()))
			return nil, nil
		}
		add(&FieldError{File: s.file, Sheet: s.sheet, Row: num, Column: "*",
			Reason: "cannot tell what the table holds; name the sheet, give --kind or a mapping"})
		return nil, nil
	}
	if len(header) > maxCols {
		add(&FieldError{File: s.file, Sheet: s.sheet, Row: num, Column: "*", Reason: fmt.Sprintf("more than %d columns", maxCols)})
		return nil, nil
	}
	t := &table{src: s, kind: kind, header: header, headerRow: num, col: map[string]int{}}
	fields, unknown, missing := columns(kind, header, p.mapping())
	t.fields = fields
	for i, f := range fields {
		if d, ok := strings.CutPrefix(f, "\x00dup:"); ok {
			add(&FieldError{File: s.file, Sheet: s.sheet, Row: num, Column: header[i], Letter: colLetter(i),
				Reason: fmt.Sprintf("a second column for %s (the first is %s)", d, colLetter(t.col[d]))})
			t.fields[i] = ""
			continue
		}
		if f != "" {
			t.col[f] = i
		}
	}
	for _, m := range missing {
		add(&FieldError{File: s.file, Sheet: s.sheet, Row: num, Column: "*",
			Reason: fmt.Sprintf("no %s column: the %s table needs one (or a mapping or default for it)", m, kind)})
	}
	for _, i := range unknown {
		p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("%s: column %s (%s) is not a %s field and was ignored", s.name(), header[i], colLetter(i), kind))
	}
	return t, nil
}

// recognised counts the cells of row that name a field of kind (or of the
// kind the row itself suggests).
func (p *Plan) recognised(kind Kind, hint string, row []string) int {
	if kind == "" {
		kind = detectKind(hint, row)
	}
	if kind == "" {
		return 0
	}
	fields, _, _ := columns(kind, row, p.mapping())
	n := 0
	for _, f := range fields {
		if f != "" {
			n++
		}
	}
	return n
}

func (p *Plan) rowErr(s *tableSource, err error, add func(*FieldError) bool) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		fe.File, fe.Sheet = s.file, s.sheet
		add(fe)
		return nil
	}
	return fmt.Errorf("read %s: %w", s.name(), err)
}

// loadVocab gathers the controlled vocabularies: the built-in ones and any
// terms added in the database.
func (p *Plan) loadVocab(ctx context.Context) error {
	v, err := refdata.Vocabulary(ctx, p.st)
	if err != nil {
		return err
	}
	p.vocab = v
	return nil
}

// cached memoises a lookup of a cell value (sources repeat the same
// facility names and codes on every row); ok is false when it found "".
func (p *Plan) cached(kind, v string, f func() string) (string, bool) {
	k := kind + "\x00" + v
	r, ok := p.memo[k]
	if !ok {
		r = f()
		if len(p.memo) < 100_000 {
			p.memo[k] = r
		}
	}
	return r, r != ""
}

// facilityByName resolves a facility name or alias to its key.
func (p *Plan) facilityByName(name string) string {
	k, _ := p.cached("\x00facility", name, func() string { return p.facAlias[foldName(name)] })
	return k
}

// foldName folds a facility name or alias for matching.
func foldName(s string) string { return strings.Join(textnorm.Tokens(s), " ") }

// indexFacilities indexes the names, aliases and keys of every facility in
// the database and in this import.
func (p *Plan) indexFacilities(ctx context.Context) error {
	p.facAlias = map[string]string{}
	db, _, err := p.st.ListFacilities(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		return fmt.Errorf("read facilities: %w", err)
	}
	add := func(f *rollcall.Facility) {
		names := append([]string{f.Key, f.NameEn, f.NameKo}, f.Aliases...)
		for _, n := range names {
			k := foldName(n)
			if k == "" {
				continue
			}
			if old, ok := p.facAlias[k]; ok && old != f.Key {
				p.facAlias[k] = "" // ambiguous: two facilities share it
				continue
			}
			p.facAlias[k] = f.Key
		}
	}
	for i := range db {
		f := &db[i]
		p.dbFacs[f.Key] = f
		if _, replaced := p.facilities[f.Key]; !replaced {
			add(f)
		}
	}
	keys := make([]string, 0, len(p.facilities))
	for k := range p.facilities {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		add(p.facilities[k])
	}
	return nil
}

// facilityKnown reports whether a facility key is in the import or the
// database.
func (p *Plan) facilityKnown(ctx context.Context, key string) (bool, error) {
	if _, ok := p.facilities[key]; ok {
		return true, nil
	}
	if f, ok := p.dbFacs[key]; ok {
		return f != nil, nil
	}
	f, err := p.st.FacilityByKey(ctx, key)
	if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
		p.dbFacs[key] = nil
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up facility %s: %w", key, err)
	}
	p.dbFacs[key] = f
	return true, nil
}

// dbSource returns the source with key from the database, nil if none.
func (p *Plan) dbSource(ctx context.Context, key string) (*rollcall.Source, error) {
	if s, ok := p.dbSources[key]; ok {
		return s, nil
	}
	s, err := sourceByKey(ctx, p.st, key)
	if err != nil {
		return nil, err
	}
	p.dbSources[key] = s
	return s, nil
}

// sourceByKey returns the source with key, nil if there is none, without
// decrypting its informant: reading that is a confidential read, which the
// store audits, and an import must not leave traces of reads it did not
// need.
func sourceByKey(ctx context.Context, st *store.Store, key string) (*rollcall.Source, error) {
	ss, _, err := st.ListSources(ctx, rollcall.ListOptions{Limit: 2, Filters: map[string]string{"key": key}})
	if err != nil {
		return nil, fmt.Errorf("look up source %s: %w", key, err)
	}
	for i := range ss {
		if ss[i].Key == key {
			return &ss[i], nil
		}
	}
	return nil, nil
}

func (p *Plan) sourceKnown(ctx context.Context, key string) (bool, error) {
	if _, ok := p.sources[key]; ok {
		return true, nil
	}
	s, err := p.dbSource(ctx, key)
	return s != nil, err
}

// scan reads every data row of t. In validation (emit nil) it checks rows
// and records keys; in writing it hands each converted row to emit.
func (p *Plan) scan(ctx context.Context, t *table, emit func(any) error, add func(*FieldError) bool) error {
	rr, err := t.src.open()
	if err != nil {
		if emit != nil {
			return fmt.Errorf("reopen %s: %w", t.src.name(), err)
		}
		add(&FieldError{File: t.src.file, Sheet: t.src.sheet, Row: 1, Column: "*", Reason: openReason("cannot open: ", err)})
		return nil
	}
	defer rr.Close()
	rc := &rowCtx{p: p, t: t, write: emit != nil}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, num, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err == nil && num <= t.headerRow {
			continue // the header and any title rows above it
		}
		if err != nil {
			if emit != nil {
				return fmt.Errorf("reread %s: %w", t.src.name(), err)
			}
			// A row that cannot be parsed leaves the reader lost: report
			// it and stop reading this table.
			return p.rowErr(t.src, err, add)
		}
		if emit == nil {
			t.rows++
			if p.checkBar != nil && t.rows%1000 == 0 {
				p.checkBar.Add(1000)
			}
		}
		rc.reset(row, num)
		if len(row) > len(t.header) {
			for i := len(t.header); i < len(row); i++ {
				if strings.TrimSpace(row[i]) != "" {
					rc.failCol(i, "*", "a value in a column without a header")
					break
				}
			}
		}
		v, err := p.convert(ctx, rc)
		if err != nil {
			return err
		}
		if len(rc.errs) > 0 {
			if emit != nil {
				return fmt.Errorf("%s changed while importing: %s", t.src.name(), rc.errs[0])
			}
			// Left to right, as the user reads the row.
			slices.SortStableFunc(rc.errs, func(a, b *FieldError) int {
				if len(a.Letter) != len(b.Letter) {
					return len(a.Letter) - len(b.Letter)
				}
				return strings.Compare(a.Letter, b.Letter)
			})
			for _, e := range rc.errs {
				if !add(e) {
					return nil
				}
			}
			continue
		}
		if emit != nil {
			if err := emit(v); err != nil {
				return err
			}
		}
	}
	if emit == nil {
		p.total += t.rows
	}
	return nil
}

// rowCtx reads the cells of one row by field, collecting errors.
type rowCtx struct {
	p     *Plan
	t     *table
	row   []string
	num   int
	errs  []*FieldError
	write bool // second pass: rows were checked, keys are not collected again
}

func (c *rowCtx) writing() bool { return c.write }

func (c *rowCtx) reset(row []string, num int) {
	c.row, c.num, c.errs = row, num, c.errs[:0:0]
}

// get returns the cell of field f trimmed, or the mapping's default: for
// keys, codes, dates, numbers and the like.
func (c *rowCtx) get(f string) string { return c.cell(f, strings.TrimSpace) }

// text returns the cell of free-text field f (a name, a title, notes) with
// its leading whitespace, which is data: dropping the tab of "\t=1+2" would
// turn it into a formula. Trailing whitespace is trimmed.
func (c *rowCtx) text(f string) string { return c.cell(f, trimEnd) }

func trimEnd(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }

// cell returns field f's cell, trimmed by trim, or the mapping's default
// when the cell is blank. A CSV cell loses the apostrophe our CSV export
// puts before what a spreadsheet would run as a formula (csvcell), so an
// export imports back unchanged.
func (c *rowCtx) cell(f string, trim func(string) string) string {
	if i, ok := c.t.col[f]; ok && i < len(c.row) {
		v, bad := checkCell(c.row[i])
		if bad != "" {
			c.failCol(i, c.t.header[i], bad)
			return ""
		}
		if c.t.src.sheet == "" {
			v = csvcell.Restore(v)
		}
		if strings.TrimSpace(v) != "" {
			return trim(v)
		}
	}
	if m := c.p.mapping(); m != nil {
		return strings.TrimSpace(m.Defaults[f])
	}
	return ""
}

func (c *rowCtx) failCol(i int, header, reason string) {
	e := &FieldError{File: c.t.src.file, Sheet: c.t.src.sheet, Row: c.num, Column: header, Reason: reason}
	if header != "*" {
		e.Letter = colLetter(i)
	}
	c.errs = append(c.errs, e)
}

// fail reports a problem with field f's cell (or its default).
func (c *rowCtx) fail(f, format string, args ...any) {
	reason := fmt.Sprintf(format, args...)
	if i, ok := c.t.col[f]; ok {
		c.failCol(i, c.t.header[i], reason)
		return
	}
	c.failCol(0, f+" (default)", reason)
	c.errs[len(c.errs)-1].Letter = ""
}

func (c *rowCtx) required(f string) string { return c.need(f, c.get(f)) }

// requiredText is required for free text (see text).
func (c *rowCtx) requiredText(f string) string { return c.need(f, c.text(f)) }

func (c *rowCtx) need(f, v string) string {
	if v == "" {
		c.fail(f, "%s is required", f)
	}
	return v
}

// birthDate reads a birth date, also as lists write it: "b. c. 1961",
// "born 1961", "1961년생", "1961년 3월생".
func (c *rowCtx) birthDate(f string) rollcall.PartialDate {
	return c.dateOf(f, func(v string) string {
		l := strings.ToLower(v)
		for _, p := range []string{"born ", "born", "b. ", "b.", "출생 "} {
			if strings.HasPrefix(l, p) {
				v = strings.TrimSpace(v[len(p):])
				break
			}
		}
		return strings.TrimSpace(strings.TrimSuffix(v, "생"))
	})
}

func (c *rowCtx) date(f string) rollcall.PartialDate { return c.dateOf(f, nil) }

func (c *rowCtx) dateOf(f string, clean func(string) string) rollcall.PartialDate {
	v := c.get(f)
	if clean != nil {
		v = clean(v)
	}
	if c.t.src.sheet != "" {
		if d, ok := excelSerialDate(v); ok {
			v = d
		}
	}
	if v == "" {
		return rollcall.PartialDate{}
	}
	// Lists repeat the same few thousand dates (years above all).
	m, ok := c.p.dates[v]
	if !ok {
		m.d, m.err = rollcall.ParseDate(v)
		if len(c.p.dates) < 100_000 {
			c.p.dates[v] = m
		}
	}
	if m.err != nil {
		c.fail(f, "%s", rollcall.ErrorMessage(m.err))
	}
	return m.d
}

type parsedDate struct {
	d   rollcall.PartialDate
	err error
}

func (c *rowCtx) float(f string, lo, hi float64) *float64 {
	v := c.get(f)
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		c.fail(f, "%q is not a number", truncate(v, 30))
		return nil
	}
	if x < lo || x > hi {
		c.fail(f, "%v is outside %v to %v", x, lo, hi)
		return nil
	}
	return &x
}

func (c *rowCtx) boolean(f string) bool {
	switch strings.ToLower(c.get(f)) {
	case "", "false", "no", "n", "0", "f", "아니오", "아니요":
		return false
	case "true", "yes", "y", "1", "t", "예", "네":
		return true
	}
	c.fail(f, "%q is not yes or no", truncate(c.get(f), 30))
	return false
}

func (c *rowCtx) sensitivity(f string, def rollcall.Sensitivity) rollcall.Sensitivity {
	v := strings.ToLower(c.get(f))
	switch v {
	case "":
		return def
	case "공개":
		return rollcall.Public
	case "내부":
		return rollcall.Internal
	case "기밀", "비공개":
		return rollcall.Confidential
	}
	s := rollcall.Sensitivity(v)
	if !s.Valid() {
		c.fail(f, "%q is not public, internal or confidential", truncate(v, 30))
		return def
	}
	return s
}

// vocab reads a code of scheme, accepting its English or Korean label too,
// by the same check as the API's and the forms' (refdata.CodeOf).
func (c *rowCtx) vocab(f, scheme string) string {
	v := c.get(f)
	if v == "" {
		return ""
	}
	if code, ok := c.p.cached(scheme, v, func() string { code, _ := c.p.vocab.Code(scheme, v); return code }); ok {
		return code
	}
	_, err := refdata.CodeOf(c.p.vocab, scheme, v)
	c.fail(f, "%s", rollcall.ErrorMessage(err))
	return ""
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (c *rowCtx) where() string { return fmt.Sprintf("%s row %d", c.t.src.name(), c.num) }

// convert turns a row into the entity of its table's kind and checks it.
func (p *Plan) convert(ctx context.Context, c *rowCtx) (any, error) {
	switch c.t.kind {
	case KindSources:
		return p.convertSource(c), nil
	case KindFacilities:
		return p.convertFacility(c), nil
	case KindRecords:
		return p.convertRecord(ctx, c)
	case KindEvents:
		return p.convertEvent(ctx, c)
	}
	return nil, fmt.Errorf("unknown kind %q", c.t.kind)
}
