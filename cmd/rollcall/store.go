package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

func (m *Main) storeCommands() []*cobra.Command {
	var reindex, noRef bool
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Create the database (or bring its schema up to date) with the reference data",
		Long: `init creates the database, or brings its schema up to date, and loads the
reference data that imports refer to: the facilities, facility types and
other vocabularies, amnesty decrees and published estimates, each with its
source (idempotent: running it again changes nothing).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				v, err := st.SchemaVersion(ctx)
				if err != nil {
					return err
				}
				if !noRef {
					if err := refdata.Load(ctx, st); err != nil {
						return fmt.Errorf("load reference data: %w", err)
					}
				}
				fmt.Fprintf(m.Stdout, "database %s ready (%s, schema version %d)\n", store.RedactDSN(m.dbFlag(cmd)), st.Dialect(), v)
				if !reindex {
					return nil
				}
				if err := st.OptimizeSearchIndex(ctx); err != nil {
					return err
				}
				n, err := st.ReindexNames(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "name search keys rebuilt: %d rows changed\n", n)
				return nil
			})
		},
	}
	initCmd.Flags().BoolVar(&reindex, "reindex", false, "rebuild the name search keys (after upgrading rollcall)")
	initCmd.Flags().BoolVar(&noRef, "no-refdata", false, "do not load the reference facilities, vocabularies, decrees and published estimates")
	return []*cobra.Command{initCmd, m.listCommand(), m.showCommand()}
}

// listFlags are shared by every list subcommand.
type listFlags struct {
	format, query         string
	limit, offset         int
	typ, source, province string
	person, facility, sex string
	kind                  string
}

func (m *Main) listCommand() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:       "list facilities|sources|records|persons|events",
		Short:     "List rows of one kind, filtered and paged",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"facilities", "sources", "records", "persons", "events"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				return m.runList(ctx, st, args[0], f)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "table", "output format: table, json or csv")
	fl.StringVar(&f.query, "query", "", "search names and titles (case-insensitive; romanised names find hangul)")
	fl.IntVar(&f.limit, "limit", 50, "rows to show (-1 for all)")
	fl.IntVar(&f.offset, "offset", 0, "rows to skip")
	fl.StringVar(&f.typ, "type", "", "facility or event type")
	fl.StringVar(&f.kind, "kind", "", "source kind")
	fl.StringVar(&f.source, "source", "", "records of this source (id or key)")
	fl.StringVar(&f.person, "person", "", "records or events of this person id (\"none\" for unlinked records)")
	fl.StringVar(&f.facility, "facility", "", "records or events at this facility (id or key)")
	fl.StringVar(&f.province, "province", "", "facilities, records or persons of this province")
	fl.StringVar(&f.sex, "sex", "", "records or persons of this sex (f or m)")
	return cmd
}

func (m *Main) runList(ctx context.Context, st *store.Store, what string, f listFlags) error {
	o := rollcall.ListOptions{Query: f.query, Limit: f.limit, Offset: f.offset, Filters: map[string]string{}}
	set := func(k, v string) {
		if v != "" {
			o.Filters[k] = v
		}
	}
	var (
		items any
		total int
		t     table
		err   error
	)
	switch what {
	case "facilities", "facility":
		set("type", f.typ)
		set("province", f.province)
		var v []rollcall.Facility
		v, total, err = st.ListFacilities(ctx, o)
		items, t = v, facilityTable(v)
	case "sources", "source":
		set("kind", f.kind)
		if f.typ != "" {
			set("kind", f.typ)
		}
		var v []rollcall.Source
		v, total, err = st.ListSources(ctx, o)
		items, t = v, sourceTable(v)
	case "records", "record":
		if f.source != "" {
			id, err := resolveID(ctx, f.source, func(ctx context.Context, k string) (int64, error) {
				s, err := st.SourceByKey(ctx, k)
				if err != nil {
					return 0, err
				}
				return s.ID, nil
			})
			if err != nil {
				return err
			}
			set("source_id", strconv.FormatInt(id, 10))
		}
		if err := setFacility(ctx, st, f.facility, set); err != nil {
			return err
		}
		set("person_id", f.person)
		set("sex", f.sex)
		set("province", f.province)
		var v []rollcall.Record
		v, total, err = st.ListRecords(ctx, o)
		items, t = v, recordTable(v)
	case "persons", "person":
		set("sex", f.sex)
		set("province", f.province)
		var v []rollcall.Person
		v, total, err = st.ListPersons(ctx, o)
		items, t = v, personTable(v)
	case "events", "event":
		set("type", f.typ)
		set("person_id", f.person)
		if err := setFacility(ctx, st, f.facility, set); err != nil {
			return err
		}
		var v []rollcall.Event
		v, total, err = st.ListEvents(ctx, o)
		items, t = v, eventTable(v)
	default:
		return rollcall.Errorf(rollcall.EINVALID, "cannot list %q: choose facilities, sources, records, persons or events", what)
	}
	if err != nil {
		return err
	}
	if err := m.render(f.format, items, t); err != nil {
		return err
	}
	if f.format == "table" {
		fmt.Fprintf(m.Stderr, "%d of %d shown\n", len(t.rows), total)
	}
	return nil
}

func setFacility(ctx context.Context, st *store.Store, v string, set func(k, v string)) error {
	if v == "" {
		return nil
	}
	id, err := resolveID(ctx, v, func(ctx context.Context, k string) (int64, error) {
		f, err := st.FacilityByKey(ctx, k)
		if err != nil {
			return 0, err
		}
		return f.ID, nil
	})
	if err != nil {
		return err
	}
	set("facility_id", strconv.FormatInt(id, 10))
	return nil
}

// resolveID reads v as an id, or looks it up as a key.
func resolveID(ctx context.Context, v string, byKey func(context.Context, string) (int64, error)) (int64, error) {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		return id, nil
	}
	return byKey(ctx, v)
}

func (m *Main) showCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show facility|source|record|person|event ID",
		Short: "Show one row in full (ID may be a key for facilities, sources and events)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				return m.runShow(ctx, st, args[0], args[1], format)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or csv")
	return cmd
}

func (m *Main) runShow(ctx context.Context, st *store.Store, what, ref, format string) error {
	var (
		item any
		t    table
	)
	badID := func() error {
		return rollcall.Errorf(rollcall.EINVALID, "%s id %q is not a number", what, ref)
	}
	switch strings.TrimSuffix(what, "s") {
	case "facility", "facilitie":
		var v *rollcall.Facility
		var err error
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			v, err = st.GetFacility(ctx, id)
		} else {
			v, err = st.FacilityByKey(ctx, ref)
		}
		if err != nil {
			return err
		}
		item, t = v, facilityTable([]rollcall.Facility{*v})
	case "source":
		var v *rollcall.Source
		var err error
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			v, err = st.GetSource(ctx, id)
		} else {
			v, err = st.SourceByKey(ctx, ref)
		}
		if err != nil {
			return err
		}
		item, t = v, sourceTable([]rollcall.Source{*v})
	case "record":
		id, perr := strconv.ParseInt(ref, 10, 64)
		if perr != nil {
			return badID()
		}
		v, err := st.GetRecord(ctx, id)
		if err != nil {
			return err
		}
		item, t = v, recordTable([]rollcall.Record{*v})
	case "person":
		id, perr := strconv.ParseInt(ref, 10, 64)
		if perr != nil {
			return badID()
		}
		v, err := st.GetPerson(ctx, id)
		if err != nil {
			return err
		}
		item, t = v, personTable([]rollcall.Person{*v})
	case "event":
		var v *rollcall.Event
		var err error
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			v, err = st.GetEvent(ctx, id)
		} else {
			v, err = st.EventByKey(ctx, ref)
		}
		if err != nil {
			return err
		}
		item, t = v, eventTable([]rollcall.Event{*v})
	default:
		return rollcall.Errorf(rollcall.EINVALID, "cannot show %q: choose facility, source, record, person or event", what)
	}
	if format == "table" {
		// One row reads better transposed, and a JSON dump shows every field.
		return m.renderOne(item)
	}
	return m.render(format, item, t)
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func optID(p *int64) string {
	if p == nil {
		return ""
	}
	return idStr(*p)
}

func fictional(b bool) string {
	if b {
		return "fictional"
	}
	return ""
}

func facilityTable(v []rollcall.Facility) table {
	t := table{header: []string{"id", "key", "type", "name_en", "name_ko", "province", "status"}}
	for _, f := range v {
		t.rows = append(t.rows, []string{idStr(f.ID), f.Key, f.Type, f.NameEn, f.NameKo, f.Province, f.Status})
	}
	return t
}

func sourceTable(v []rollcall.Source) table {
	t := table{header: []string{"id", "key", "kind", "title", "date", "reliability", "sensitivity", "fictional"}}
	for _, s := range v {
		rel := s.Reliability
		if s.Credibility != 0 {
			rel += strconv.Itoa(s.Credibility)
		}
		t.rows = append(t.rows, []string{idStr(s.ID), s.Key, s.Kind, s.Title, s.Date.String(), rel, string(s.Sensitivity), fictional(s.Fictional)})
	}
	return t
}

func recordTable(v []rollcall.Record) table {
	t := table{header: []string{"id", "source_id", "key", "name", "sex", "birth_date", "province", "facility", "person_id", "fictional"}}
	for _, r := range v {
		fac := r.FacilityText
		if r.FacilityID != nil && fac == "" {
			fac = "#" + idStr(*r.FacilityID)
		}
		t.rows = append(t.rows, []string{idStr(r.ID), idStr(r.SourceID), r.Key, r.Name, r.Sex, r.BirthDate.String(), r.Province, fac, optID(r.PersonID), fictional(r.Fictional)})
	}
	return t
}

func personTable(v []rollcall.Person) table {
	t := table{header: []string{"id", "name", "name_alt", "sex", "birth_date", "province", "status", "records", "conflicts", "fictional"}}
	for _, p := range v {
		var conf []string
		for _, c := range p.Conflicts {
			conf = append(conf, c.Field)
		}
		t.rows = append(t.rows, []string{idStr(p.ID), p.Name, p.NameAlt, p.Sex, p.BirthDate.String(), p.Province, p.Status, strconv.Itoa(len(p.RecordIDs)), strings.Join(conf, ","), fictional(p.Fictional)})
	}
	return t
}

func eventTable(v []rollcall.Event) table {
	t := table{header: []string{"id", "key", "type", "date", "facility_id", "place", "victims", "sources", "fictional"}}
	for _, e := range v {
		t.rows = append(t.rows, []string{idStr(e.ID), e.Key, e.Type, e.Date.String(), optID(e.FacilityID), e.Place, strconv.Itoa(len(e.Victims)), strconv.Itoa(len(e.SourceIDs)), fictional(e.Fictional)})
	}
	return t
}
