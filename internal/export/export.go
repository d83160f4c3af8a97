// Package export writes rollcall's entities as CSV, XLSX, JSON, NDJSON,
// and facilities as a GeoJSON FeatureCollection. It streams: rows are read
// from the store page by page and written as they come, so a table of
// millions of records needs little memory (XLSX through excelize's stream
// writer, which keeps rows in a temporary file).
//
// CSV cells that a spreadsheet would run as a formula are neutralised (see
// csvcell); XLSX cells are typed, text as text and numbers as numbers, so
// none is ever a formula.
//
// This is the regular export, for the team's own use. It never contains
// confidential fields (a record's testimony, a source's informant), not even
// the mark that one exists, and leaves out the rows its reader,
// rollcall.TeamExportReader (an analyst's ceiling), may not see: confidential
// ones. The redacted, signed public export is a separate job.
package export

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/export/csvcell"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Formats.
const (
	CSV     = "csv"
	XLSX    = "xlsx"
	JSON    = "json"
	NDJSON  = "ndjson"
	GeoJSON = "geojson"
)

// Entities.
const (
	Facilities = "facilities"
	Sources    = "sources"
	Records    = "records"
	Persons    = "persons"
	Events     = "events"
)

// Entities lists what can be exported.
var Entities = []string{Facilities, Sources, Records, Persons, Events}

// Options choose what to export and how.
type Options struct {
	Entity string // one of Entities; GeoJSON needs Facilities (the default for it)
	Format string // CSV, XLSX, JSON, NDJSON or GeoJSON
	// PageSize is how many rows are read from the store at once (default 20000).
	PageSize int
}

// Stats says what was written.
type Stats struct {
	Written int `json:"written"`
	// Skipped counts rows left out: confidential rows, and for GeoJSON
	// facilities without coordinates.
	Skipped int `json:"skipped"`
}

// Write exports one entity list to w.
func Write(ctx context.Context, st *store.Store, w io.Writer, o Options) (Stats, error) {
	o.Format = strings.ToLower(o.Format)
	if o.Format == GeoJSON && o.Entity == "" {
		o.Entity = Facilities
	}
	if o.PageSize <= 0 {
		o.PageSize = 20000
	}
	switch o.Format {
	case CSV, XLSX, JSON, NDJSON:
	case GeoJSON:
		if o.Entity != Facilities {
			return Stats{}, rollcall.Errorf(rollcall.EINVALID, "GeoJSON is for facilities, not %s", o.Entity)
		}
	default:
		return Stats{}, rollcall.Errorf(rollcall.EINVALID, "unknown format %q (csv, xlsx, json, ndjson or geojson)", o.Format)
	}
	ent, ok := entities[o.Entity]
	if !ok {
		return Stats{}, rollcall.Errorf(rollcall.EINVALID, "unknown entity %q (%s)", o.Entity, strings.Join(Entities, ", "))
	}
	// Every export is audited with the SHA-256 of what was written, so a
	// copy found later can be matched to the export that made it.
	digest := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, digest), 1<<16)
	var sink rowSink
	switch o.Format {
	case CSV:
		sink = &csvSink{w: csvcell.NewWriter(bw), header: ent.header}
	case XLSX:
		sink = &xlsxSink{w: bw, sheet: o.Entity, header: ent.header}
	case JSON:
		sink = &jsonSink{w: bw, array: true}
	case NDJSON:
		sink = &jsonSink{w: bw}
	case GeoJSON:
		sink = &geoSink{w: bw}
	}
	x := &exporter{st: st, o: o, sink: sink}
	defer sink.close()
	if err := sink.begin(); err != nil {
		return x.stats, fmt.Errorf("export: %w", err)
	}
	if err := ent.each(ctx, x); err != nil {
		return x.stats, err
	}
	if err := sink.end(); err != nil {
		return x.stats, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return x.stats, fmt.Errorf("export: %w", err)
	}
	err := st.AppendAudit(ctx, chain.Entry{
		Actor: rollcall.ActorFrom(ctx).Name, Action: "export", Entity: o.Entity,
		AfterHash: hex.EncodeToString(digest.Sum(nil)),
		Detail:    fmt.Sprintf("format=%s written=%d skipped=%d", o.Format, x.stats.Written, x.stats.Skipped),
	})
	if err != nil {
		return x.stats, fmt.Errorf("export: audit: %w", err)
	}
	return x.stats, nil
}

// WriteFile exports to the file at path, readable and writable by its
// owner only (the regular export holds non-public data: names, dates,
// places), whatever the umask. It writes beside path and renames, so a
// failed export never leaves half a file under the real name.
func WriteFile(ctx context.Context, st *store.Store, path string, o Options) (Stats, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return Stats{}, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(store.FileMode); err != nil {
		tmp.Close()
		return Stats{}, fmt.Errorf("export: %w", err)
	}
	stats, err := Write(ctx, st, tmp, o)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("export: %w", cerr)
	}
	if err == nil {
		if err = os.Rename(tmp.Name(), path); err != nil {
			err = fmt.Errorf("export: %w", err)
		}
	}
	return stats, err
}

// rowSink writes rows in one format. v is the entity value (for JSON and
// GeoJSON), cells its CSV row. close releases what the sink holds, after
// end or instead of it when the export fails.
type rowSink interface {
	begin() error
	row(v any, cells func() []string) error
	end() error
	close()
}

type exporter struct {
	st    *store.Store
	o     Options
	sink  rowSink
	stats Stats

	srcKeys map[int64]string
	facKeys map[int64]string
}

func (x *exporter) emit(v any, cells func() []string) error {
	if err := x.sink.row(v, cells); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	x.stats.Written++
	return nil
}

// page calls list for successive pages until one comes back short.
func page[T any](ctx context.Context, size int, list func(rollcall.ListOptions) ([]T, int, error), f func(*T) error) error {
	for off := 0; ; off += size {
		if err := ctx.Err(); err != nil {
			return err
		}
		items, _, err := list(rollcall.ListOptions{Limit: size, Offset: off})
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for i := range items {
			if err := f(&items[i]); err != nil {
				return err
			}
		}
		if len(items) < size {
			return nil
		}
	}
}

// keys loads the keys of sources and facilities, so that rows that refer
// to them by id also name them by key (which re-import reads).
func (x *exporter) keys(ctx context.Context) error {
	if x.srcKeys != nil {
		return nil
	}
	x.srcKeys, x.facKeys = map[int64]string{}, map[int64]string{}
	if err := page(ctx, x.o.PageSize, func(o rollcall.ListOptions) ([]rollcall.Source, int, error) { return x.st.ListSources(ctx, o) },
		func(s *rollcall.Source) error { x.srcKeys[s.ID] = s.Key; return nil }); err != nil {
		return err
	}
	return page(ctx, x.o.PageSize, func(o rollcall.ListOptions) ([]rollcall.Facility, int, error) { return x.st.ListFacilities(ctx, o) },
		func(f *rollcall.Facility) error { x.facKeys[f.ID] = f.Key; return nil })
}

type entity struct {
	header []string
	each   func(ctx context.Context, x *exporter) error
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func idText(id *int64) string {
	if id == nil {
		return ""
	}
	return itoa(*id)
}

func floatText(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func ids(v []int64) string {
	s := make([]string, len(v))
	for i, id := range v {
		s[i] = itoa(id)
	}
	return strings.Join(s, ";")
}

func keyOf(m map[int64]string, id *int64) string {
	if id == nil {
		return ""
	}
	return m[*id]
}

const timeFmt = "2006-01-02T15:04:05Z07:00"

var entities = map[string]entity{
	Facilities: {
		header: []string{"id", "key", "number", "name_en", "name_ko", "aliases", "type", "agency", "province", "county",
			"lat", "lon", "location_precision", "opened", "closed", "status", "population_estimate", "population_year", "source",
			"version", "updated_at"},
		each: func(ctx context.Context, x *exporter) error {
			return page(ctx, x.o.PageSize, func(o rollcall.ListOptions) ([]rollcall.Facility, int, error) { return x.st.ListFacilities(ctx, o) },
				func(f *rollcall.Facility) error {
					if x.o.Format == GeoJSON && (f.Lat == nil || f.Lon == nil) {
						x.stats.Skipped++
						return nil
					}
					return x.emit(f, func() []string {
						return []string{itoa(f.ID), f.Key, f.Number, f.NameEn, f.NameKo, strings.Join(f.Aliases, ";"), f.Type, f.Agency,
							f.Province, f.County, floatText(f.Lat), floatText(f.Lon), f.LocationPrecision, f.Opened.String(),
							f.Closed.String(), f.Status, idText(f.PopulationEst), f.PopulationYear, f.Source,
							strconv.Itoa(f.Version), f.UpdatedAt.Format(timeFmt)}
					})
				})
		},
	},
	Sources: {
		header: []string{"id", "key", "kind", "title", "author", "organisation", "date", "language", "citation", "url",
			"reliability", "credibility", "sensitivity", "notes", "fictional", "version", "updated_at"},
		each: func(ctx context.Context, x *exporter) error {
			return page(ctx, x.o.PageSize, func(o rollcall.ListOptions) ([]rollcall.Source, int, error) { return x.st.ListSources(ctx, o) },
				func(s *rollcall.Source) error {
					if !rollcall.Visible(rollcall.TeamExportReader(), s) {
						x.stats.Skipped++
						return nil
					}
					s.Informant, s.InformantRedacted = nil, false
					return x.emit(s, func() []string {
						cred := ""
						if s.Credibility != 0 {
							cred = strconv.Itoa(s.Credibility)
						}
						return []string{itoa(s.ID), s.Key, s.Kind, s.Title, s.Author, s.Organisation, s.Date.String(), s.Language,
							s.Citation, s.URL, s.Reliability, cred, string(s.Sensitivity), s.Notes, strconv.FormatBool(s.Fictional),
							strconv.Itoa(s.Version), s.UpdatedAt.Format(timeFmt)}
					})
				})
		},
	},
	Records: {
		header: []string{"id", "source", "source_id", "key", "name", "name_alt", "sex", "birth_date", "birth_place", "province",
			"charge", "charge_category", "facility", "facility_key", "facility_id", "arrest_date", "sentence_years",
			"detained_from", "released_on", "fate", "sensitivity", "person_id", "fictional", "version", "updated_at"},
		each: func(ctx context.Context, x *exporter) error {
			if err := x.keys(ctx); err != nil {
				return err
			}
			return page(ctx, x.o.PageSize, func(o rollcall.ListOptions) ([]rollcall.Record, int, error) { return x.st.ListRecords(ctx, o) },
				func(r *rollcall.Record) error {
					if !rollcall.Visible(rollcall.TeamExportReader(), r) {
						x.stats.Skipped++
						return nil
					}
					r.Testimony, r.TestimonyRedacted = "", false
					return x.emit(r, func() []string {
						return []string{itoa(r.ID), x.srcKeys[r.SourceID], itoa(r.SourceID), r.Key, r.Name, r.NameAlt, r.Sex,
							r.BirthDate.String(), r.BirthPlace, r.Province, r.Charge, r.ChargeCat, r.FacilityText,
							keyOf(x.facKeys, r.FacilityID), idText(r.FacilityID), r.ArrestDate.String(), floatText(r.SentenceYears),
							r.DetainedFrom.String(), r.ReleasedOn.String(), r.Fate, string(r.Sensitivity), idText(r.PersonID),
							strconv.FormatBool(r.Fictional), strconv.Itoa(r.Version), r.UpdatedAt.Format(timeFmt)}
					})
				})
		},
	},
	Persons: {
		header: []string{"id", "name", "name_alt", "sex", "birth_date", "province", "status", "sensitivity", "consent_publish",
			"record_ids", "conflicts", "fictional", "version", "updated_at"},
		each: func(ctx context.Context, x *exporter) error {
			return page(ctx, x.o.PageSize, func(o rollcall.ListOptions) ([]rollcall.Person, int, error) { return x.st.ListPersons(ctx, o) },
				func(p *rollcall.Person) error {
					if !rollcall.Visible(rollcall.TeamExportReader(), p) {
						x.stats.Skipped++
						return nil
					}
					return x.emit(p, func() []string {
						var cs []string
						for _, c := range p.Conflicts {
							cs = append(cs, c.Field+"="+strings.Join(c.Values, "|"))
						}
						return []string{itoa(p.ID), p.Name, p.NameAlt, p.Sex, p.BirthDate.String(), p.Province, p.Status,
							string(p.Sensitivity), strconv.FormatBool(p.ConsentPublish), ids(p.RecordIDs), strings.Join(cs, "; "),
							strconv.FormatBool(p.Fictional), strconv.Itoa(p.Version), p.UpdatedAt.Format(timeFmt)}
					})
				})
		},
	},
	Events: {
		header: []string{"id", "key", "type", "date", "end_date", "facility", "facility_id", "place", "charge_category",
			"sentence_years", "perpetrator", "description", "sensitivity", "source", "source_ids", "victims", "fictional",
			"version", "updated_at"},
		each: func(ctx context.Context, x *exporter) error {
			if err := x.keys(ctx); err != nil {
				return err
			}
			return page(ctx, x.o.PageSize, func(o rollcall.ListOptions) ([]rollcall.Event, int, error) { return x.st.ListEvents(ctx, o) },
				func(e *rollcall.Event) error {
					if !rollcall.Visible(rollcall.TeamExportReader(), e) {
						x.stats.Skipped++
						return nil
					}
					return x.emit(e, func() []string {
						var srcs, vs []string
						for _, id := range e.SourceIDs {
							srcs = append(srcs, x.srcKeys[id])
						}
						for _, v := range e.Victims {
							switch {
							case v.RecordID != nil:
								vs = append(vs, "record:"+itoa(*v.RecordID)+":"+v.Role)
							case v.PersonID != nil:
								vs = append(vs, "person:"+itoa(*v.PersonID)+":"+v.Role)
							}
						}
						return []string{itoa(e.ID), e.Key, e.Type, e.Date.String(), e.EndDate.String(), keyOf(x.facKeys, e.FacilityID),
							idText(e.FacilityID), e.Place, e.ChargeCat, floatText(e.SentenceYears), e.Perpetrator, e.Description,
							string(e.Sensitivity), strings.Join(srcs, ";"), ids(e.SourceIDs), strings.Join(vs, ";"),
							strconv.FormatBool(e.Fictional), strconv.Itoa(e.Version), e.UpdatedAt.Format(timeFmt)}
					})
				})
		},
	},
}

// --- sinks ---

type csvSink struct {
	w      *csvcell.Writer
	header []string
}

func (s *csvSink) begin() error { return s.w.Write(s.header) }

// row writes the cells with formulas neutralised (csvcell.Writer): a name
// such as "=HYPERLINK(…)" reaches the spreadsheet as text.
func (s *csvSink) row(_ any, cells func() []string) error { return s.w.Write(cells()) }
func (s *csvSink) end() error                             { s.w.Flush(); return s.w.Error() }
func (s *csvSink) close()                                 {}

type jsonSink struct {
	w     *bufio.Writer
	array bool
	n     int
}

func (s *jsonSink) begin() error {
	if s.array {
		_, err := s.w.WriteString("[")
		return err
	}
	return nil
}

func (s *jsonSink) row(v any, _ func() []string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if s.array {
		sep := ",\n"
		if s.n == 0 {
			sep = "\n"
		}
		s.w.WriteString(sep)
	}
	s.n++
	s.w.Write(b)
	if !s.array {
		return s.w.WriteByte('\n')
	}
	return nil
}

func (s *jsonSink) close() {}

func (s *jsonSink) end() error {
	if s.array {
		_, err := s.w.WriteString("\n]\n")
		return err
	}
	return nil
}

// geoSink writes a GeoJSON FeatureCollection (RFC 7946): one Point
// feature per facility, coordinates in [longitude, latitude] order.
type geoSink struct {
	w *bufio.Writer
	n int
}

type feature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   point          `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type point struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

func (s *geoSink) begin() error {
	_, err := s.w.WriteString(`{"type":"FeatureCollection","features":[`)
	return err
}

func (s *geoSink) row(v any, _ func() []string) error {
	f := v.(*rollcall.Facility)
	props := map[string]any{
		"key": f.Key, "name_en": f.NameEn, "name_ko": f.NameKo, "type": f.Type, "status": f.Status,
		"source": f.Source, "number": f.Number, "location_precision": f.LocationPrecision,
		"province": f.Province, "county": f.County, "aliases": f.Aliases,
		"opened": f.Opened.String(), "closed": f.Closed.String(),
	}
	if f.PopulationEst != nil {
		props["population_estimate"], props["population_year"] = *f.PopulationEst, f.PopulationYear
	}
	b, err := json.Marshal(feature{Type: "Feature", ID: f.Key,
		Geometry:   point{Type: "Point", Coordinates: [2]float64{*f.Lon, *f.Lat}},
		Properties: props})
	if err != nil {
		return err
	}
	if s.n > 0 {
		s.w.WriteByte(',')
	}
	s.w.WriteString("\n")
	s.n++
	_, err = s.w.Write(b)
	return err
}

func (s *geoSink) close() {}

func (s *geoSink) end() error {
	_, err := s.w.WriteString("\n]}\n")
	return err
}
