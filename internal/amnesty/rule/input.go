package rule

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/export/csvcell"
)

// DecreeFile is the YAML form of a decree (DECREE.yaml). Dates are strings
// in any form rollcall.ParseDate reads.
type DecreeFile struct {
	ID                 string `yaml:"id"`
	Title              string `yaml:"title"`
	Country            string `yaml:"country"`
	Number             string `yaml:"number"`
	Decreed            string `yaml:"decreed"`
	Announced          string `yaml:"announced"`
	Effective          string `yaml:"effective"`
	IssuingBody        string `yaml:"issuing_body"`
	Occasion           string `yaml:"occasion"`
	WordingOriginal    string `yaml:"wording_original"`
	WordingTranslation string `yaml:"wording_translation"`
	AnnouncedNumber    string `yaml:"announced_number"`
	Sources            string `yaml:"sources"`
	Rule               string `yaml:"rule"`
	Notes              string `yaml:"notes"`
}

// ParseDecree reads a DECREE.yaml and compiles its rule against voc (nil
// Rule when the decree has none); name prefixes errors (a file name).
// Unknown keys, bad dates and rule errors are EINVALID errors naming the
// key (and line:column within the rule).
func ParseDecree(r io.Reader, name string, voc *rollcall.Vocabulary) (rollcall.AmnestyDecree, *Rule, error) {
	var f DecreeFile
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return rollcall.AmnestyDecree{}, nil, rollcall.Errorf(rollcall.EINVALID, "%s: empty decree file", name)
		}
		return rollcall.AmnestyDecree{}, nil, yamlError(name, err)
	}
	d := rollcall.AmnestyDecree{
		Key: strings.TrimSpace(f.ID), Title: f.Title, Country: f.Country, Number: f.Number,
		IssuingBody: f.IssuingBody, Occasion: f.Occasion, WordingOriginal: f.WordingOriginal,
		WordingTranslation: f.WordingTranslation, AnnouncedNumber: f.AnnouncedNumber,
		Sources: f.Sources, Rule: f.Rule, Notes: f.Notes,
	}
	if d.Key == "" {
		return d, nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "id", Message: name + ": id: the decree needs an id"}
	}
	for _, fd := range []struct {
		key string
		in  string
		out *rollcall.PartialDate
	}{{"decreed", f.Decreed, &d.Decreed}, {"announced", f.Announced, &d.Announced}, {"effective", f.Effective, &d.Effective}} {
		p, err := rollcall.ParseDate(fd.in)
		if err != nil {
			return d, nil, &rollcall.Error{Code: rollcall.EINVALID, Field: fd.key,
				Message: fmt.Sprintf("%s: %s: %s", name, fd.key, rollcall.ErrorMessage(err))}
		}
		*fd.out = p
	}
	if _, err := NewOn(DecreeDate(d)); err != nil {
		return d, nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "effective", Message: name + ": effective: " + rollcall.ErrorMessage(err)}
	}
	if strings.TrimSpace(d.Rule) == "" {
		// A decree may be recorded before anyone can read a rule from it.
		return d, nil, nil
	}
	rule, err := Compile(d.Rule, voc)
	if rollcall.ErrorCode(err) == rollcall.EINVALID {
		return d, nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule", Message: name + ": " + rollcall.ErrorMessage(err)}
	}
	if err != nil {
		return d, nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, rule, nil
}

var unknownField = regexp.MustCompile(`^(line \d+): field (\S+) not found in type \S+$`)

// yamlError rewrites yaml.v3's errors for people: "FILE: line 3: unknown
// key "rules" (known: ...)".
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			if m := unknownField.FindStringSubmatch(e); m != nil {
				e = fmt.Sprintf("%s: unknown key %q (known: %s)", m[1], m[2], decreeKeys)
			}
			msgs = append(msgs, e)
		}
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return rollcall.Errorf(rollcall.EINVALID, "%s: %s", name, strings.Join(msgs, "; "))
}

const decreeKeys = "id, title, country, number, decreed, announced, effective, issuing_body, occasion, " +
	"wording_original, wording_translation, announced_number, sources, rule, notes"

// PersonColumns are the columns PERSONS.csv may have; id is required.
var PersonColumns = []string{"id", "sex", "birth_date", "facility", "facility_type", "charges",
	"sentence_years", "sentence_start", "detained_from", "released_on", "prior_amnesties"}

// ParsePersons reads PERSONS.csv (see the package doc). Facility types and
// charges that voc knows (by code or label) are read as their codes, others
// kept as written. name prefixes errors, which name the line and column of
// the bad cell.
func ParsePersons(r io.Reader, name string, voc *rollcall.Vocabulary) ([]Detainee, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, rollcall.Errorf(rollcall.EINVALID, "%s: empty file: the first line must be a header with an id column", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !contains(PersonColumns, h) {
			return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: h, Message: fmt.Sprintf(
				"%s: line 1, column %d: unknown column %q (known: %s)", name, i+1, Truncate(h, 40), strings.Join(PersonColumns, ", "))}
		}
		if _, dup := col[h]; dup {
			return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: h, Message: fmt.Sprintf("%s: line 1: column %q appears twice", name, h)}
		}
		col[h] = i
	}
	if _, ok := col["id"]; !ok {
		return nil, rollcall.Errorf(rollcall.EINVALID, "%s: line 1: the header has no id column", name)
	}
	var out []Detainee
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		cell := func(c string) string {
			if i, ok := col[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(c string, format string, args ...any) error {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: c, Message: fmt.Sprintf("%s: line %d, column %s: %s", name, line, c, fmt.Sprintf(format, args...))}
		}
		d := Detainee{ID: cell("id")}
		if d.ID == "" {
			return nil, bad("id", "the id is empty")
		}
		if prev, dup := seen[d.ID]; dup {
			return nil, bad("id", "id %q already used on line %d", Truncate(d.ID, 40), prev)
		}
		seen[d.ID] = line
		if d.Sex, err = NormalizeSex(cell("sex")); err != nil {
			return nil, bad("sex", "%s", err)
		}
		for _, c := range []struct {
			name string
			out  *rollcall.PartialDate
		}{{"birth_date", &d.BirthDate}, {"sentence_start", &d.SentenceStart}, {"detained_from", &d.DetainedFrom}, {"released_on", &d.ReleasedOn}} {
			if *c.out, err = rollcall.ParseDate(cell(c.name)); err != nil {
				return nil, bad(c.name, "%s", rollcall.ErrorMessage(err))
			}
		}
		if v := cell("facility"); v != "" {
			d.Facility = []string{v}
		}
		if v := cell("facility_type"); v != "" {
			code, ok := voc.Code(rollcall.VocabFacilityType, v)
			if !ok {
				code = strings.ToLower(v)
			}
			d.FacilityType = []string{code}
		}
		if v := cell("charges"); v != "" {
			d.ChargesKnown = true
			d.Charges = []string{}
			if !strings.EqualFold(v, "none") {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						if code, ok := voc.Code(rollcall.VocabChargeCat, c); ok {
							c = code
						}
						d.Charges = append(d.Charges, c)
					}
				}
			}
		}
		if v := cell("sentence_years"); v != "" {
			y, err := parseYears(v)
			if err != nil {
				return nil, bad("sentence_years", "%s", err)
			}
			d.SentenceYears = Exact(y)
		}
		if v := cell("prior_amnesties"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1000 {
				return nil, bad("prior_amnesties", "%q is not a whole number of amnesties", Truncate(v, 20))
			}
			d.PriorAmnesties = Exact(float64(n))
		}
		out = append(out, d)
	}
	return out, nil
}

func parseYears(v string) (float64, error) {
	switch strings.ToLower(v) {
	case "life", "무기", "무기징역":
		return math.Inf(1), nil
	}
	y, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(y) || math.IsInf(y, 0) || y < 0 || y > 200 {
		return 0, fmt.Errorf("%q is not a number of years (or \"life\")", Truncate(v, 20))
	}
	return y, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return rollcall.Errorf(rollcall.EINVALID, "%s: line %d, column %d: %s", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Truncate shortens s to n runes and an ellipsis, for quoting input in
// messages.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// CheckRow is one line of `rollcall amnesty check` output.
type CheckRow struct {
	ID       string   `json:"id"`
	Decision string   `json:"decision"`
	Missing  []string `json:"missing"`
	Error    string   `json:"error,omitempty"`
}

// Check decides every person in order on the decree's date.
func Check(d rollcall.AmnestyDecree, rule *Rule, persons []Detainee) ([]CheckRow, error) {
	if rule == nil {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule", Message: fmt.Sprintf("decree %s has no rule to check", d.Key)}
	}
	ds, err := DecideAll(rule, DecreeDate(d), persons)
	if err != nil {
		return nil, err
	}
	rows := make([]CheckRow, len(persons))
	for i, p := range persons {
		rows[i] = CheckRow{ID: p.ID, Decision: ds[i].Decision, Missing: ds[i].Missing, Error: ds[i].Error}
	}
	return rows, nil
}

// maxMemo bounds the decisions DecideAll remembers per worker.
const maxMemo = 1 << 16

// DecideAll decides every person on date e, in parallel for large inputs;
// the result is in input order.
func DecideAll(rule *Rule, e rollcall.PartialDate, persons []Detainee) ([]Decision, error) {
	on, err := NewOn(e)
	if err != nil {
		return nil, err
	}
	out := make([]Decision, len(persons))
	workers := min(runtime.GOMAXPROCS(0), len(persons)/512+1)
	var wg sync.WaitGroup
	chunk := (len(persons) + workers - 1) / max(workers, 1)
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(persons))
		if lo >= hi {
			continue
		}
		wg.Go(func() {
			// Many people share the same facts; decide each set once. When
			// facts are mostly distinct the memo only costs, so it stops.
			memo := map[string]Decision{}
			var key []byte
			hits, useMemo := 0, true
			for i := lo; i < hi; i++ {
				f := persons[i].FactsOn(on)
				if !useMemo {
					out[i] = rule.Decide(f)
					continue
				}
				key = rule.appendKey(key[:0], f)
				if d, ok := memo[string(key)]; ok {
					out[i] = d
					hits++
					continue
				}
				out[i] = rule.Decide(f)
				if len(memo) < maxMemo {
					memo[string(key)] = out[i]
				}
				if n := i - lo + 1; n == 4096 && hits < n/4 {
					useMemo, memo = false, nil
				}
			}
		})
	}
	wg.Wait()
	return out, nil
}

// WriteCheck writes rows as CSV (id,decision,missing) or a JSON array.
func WriteCheck(w io.Writer, rows []CheckRow, format string) error {
	switch format {
	case "", "csv":
		cw := csvcell.NewWriter(w)
		_ = cw.Write([]string{"id", "decision", "missing"})
		for _, r := range rows {
			_ = cw.Write([]string{r.ID, r.Decision, strings.Join(r.Missing, ";")})
		}
		cw.Flush()
		return cw.Error()
	case "json":
		if rows == nil {
			rows = []CheckRow{}
		}
		b, err := MarshalIndent(rows)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	return rollcall.Errorf(rollcall.EINVALID, "unknown format %q (csv or json)", format)
}

// MarshalIndent is JSON indented by two spaces, keeping "<" and ">"
// readable: the JSON form of rollcall's amnesty output.
func MarshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
