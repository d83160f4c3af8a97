package synth

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rollcall-project/rollcall"
)

// Column headers of the files WriteCSV writes; internal/ingest reads them.
var (
	SourceColumns = []string{"key", "kind", "title", "author", "organisation", "date", "language", "citation", "url",
		"reliability", "credibility", "sensitivity", "notes", "fictional"}
	RecordColumns = []string{"source", "key", "name", "name_alt", "sex", "birth_date", "birth_place", "province",
		"charge", "charge_category", "facility", "arrest_date", "sentence_years", "detained_from", "released_on",
		"fate", "sensitivity", "fictional"}
	EventColumns = []string{"key", "type", "date", "end_date", "facility", "place", "charge_category", "sentence_years",
		"perpetrator", "description", "sensitivity", "fictional", "source", "record", "role"}
	TruthColumns = []string{"source", "record", "person"}
)

// WriteCSV writes sources.csv, records.csv, events.csv and truth.csv into
// dir (created if needed). Records are written as each source would: a
// testimony's dates in Korean ("1961년경") and sex as 남/여, a press
// report's dates in English ("c. 1961").
func (ds *Dataset) WriteCSV(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"sources.csv", ds.WriteSources},
		{"records.csv", ds.WriteRecords},
		{"events.csv", ds.WriteEvents},
		{"truth.csv", ds.WriteTruth},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	if err := write(f); err != nil {
		return fmt.Errorf("synth: write %s: %w", path, err)
	}
	return nil
}

func boolText(b bool) string { return strconv.FormatBool(b) }

func floatText(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// WriteSources writes the sources as CSV.
func (ds *Dataset) WriteSources(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(SourceColumns)
	for _, s := range ds.Sources {
		cred := ""
		if s.Credibility != 0 {
			cred = strconv.Itoa(s.Credibility)
		}
		cw.Write([]string{s.Key, s.Kind, s.Title, s.Author, s.Organisation, s.Date.String(), s.Language, s.Citation, s.URL,
			s.Reliability, cred, string(s.Sensitivity), s.Notes, boolText(s.Fictional)})
	}
	cw.Flush()
	return cw.Error()
}

func (ds *Dataset) dateText(st style, d rollcall.PartialDate) string {
	switch {
	case d.IsZero():
		return ""
	case st == styleHangul:
		return d.Human("ko")
	case st == stylePress:
		return d.Human("en")
	}
	return d.String()
}

func sexText(st style, s string) string {
	if s == "" {
		return ""
	}
	switch st {
	case styleHangul:
		return map[string]string{"m": "남", "f": "여"}[s]
	case styleMR:
		return map[string]string{"m": "M", "f": "F"}[s]
	case stylePress:
		return map[string]string{"m": "male", "f": "female"}[s]
	}
	return s
}

// WriteRecords writes the records as CSV, one row per record.
func (ds *Dataset) WriteRecords(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(RecordColumns)
	for _, r := range ds.Records {
		st := r.style
		cw.Write([]string{r.Source, r.Key, r.Name, r.NameAlt, sexText(st, r.Sex), ds.dateText(st, r.BirthDate), r.BirthPlace,
			r.Province, r.Charge, r.ChargeCat, r.FacilityText, ds.dateText(st, r.ArrestDate), floatText(r.SentenceYears),
			ds.dateText(st, r.DetainedFrom), ds.dateText(st, r.ReleasedOn), r.Fate, string(r.Sensitivity), boolText(r.Fictional)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteEvents writes the events as CSV.
func (ds *Dataset) WriteEvents(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(EventColumns)
	for _, e := range ds.Events {
		cw.Write([]string{e.Key, e.Type, e.Date.String(), e.EndDate.String(), e.Facility, e.Place, e.ChargeCat,
			floatText(e.SentenceYears), e.Perpetrator, e.Description, string(e.Sensitivity), boolText(e.Fictional),
			e.Source, e.Record, "victim"})
	}
	cw.Flush()
	return cw.Error()
}

// WriteTruth writes which record describes which person, sorted by key.
func (ds *Dataset) WriteTruth(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(TruthColumns)
	for _, t := range ds.SortedTruth() {
		cw.Write([]string{t.Key.Source, t.Key.Record, strconv.Itoa(int(t.Person))})
	}
	cw.Flush()
	return cw.Error()
}
