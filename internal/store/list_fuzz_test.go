package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

type fuzzList struct {
	name string
	list func(context.Context, rollcall.ListOptions) (int, int, error) // items, total
}

func lister[T any](name string, f func(context.Context, rollcall.ListOptions) ([]T, int, error)) fuzzList {
	return fuzzList{name, func(ctx context.Context, o rollcall.ListOptions) (int, int, error) {
		items, total, err := f(ctx, o)
		return len(items), total, err
	}}
}

// FuzzListOptions lists every entity with arbitrary query text, filters,
// limits and offsets against a real SQLite store: no panic; an error is
// always EINVALID (a bad filter name or value), never an internal error;
// a page is never longer than its limit or the total; and the query text
// cannot change the database (every table and every row count stays).
func FuzzListOptions(f *testing.F) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "fuzz", Role: rollcall.RoleSystem})
	st, err := store.Open(ctx, filepath.Join(f.TempDir(), "list.db"), store.Options{NameKeys: textnorm.NameKeys})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	for _, t := range []rollcall.Term{
		{Scheme: rollcall.VocabSourceKind, Code: "testimony", LabelEn: "Testimony", LabelKo: "증언"},
		{Scheme: rollcall.VocabFacilityType, Code: "kwanliso", LabelEn: "Political prison camp", LabelKo: "관리소"},
		{Scheme: rollcall.VocabEventType, Code: "arrest", LabelEn: "Arrest", LabelKo: "체포"},
	} {
		must(st.UpsertTerm(ctx, t))
	}
	fac := &rollcall.Facility{Key: "kwanliso-15", Number: "15", NameEn: "Yodok", NameKo: "요덕", Type: "kwanliso"}
	must(st.CreateFacility(ctx, fac))
	src := &rollcall.Source{Key: "t-1", Kind: "testimony", Title: "Interview 100% _done_", Sensitivity: rollcall.Internal}
	must(st.CreateSource(ctx, src))
	per := &rollcall.Person{Name: "Kim Young-hee", NameAlt: "김영희", Sensitivity: rollcall.Confidential}
	must(st.CreatePerson(ctx, per))
	for i, n := range []string{"김영희", "Kim Yong-hui", `O'Brien "Bobby" \ 50%`} {
		rec := &rollcall.Record{SourceID: src.ID, Key: string(rune('a' + i)), Name: n, FacilityID: &fac.ID, Sensitivity: rollcall.Internal}
		must(st.CreateRecord(ctx, rec))
	}
	must(st.CreateEvent(ctx, &rollcall.Event{Type: "arrest", Date: rollcall.MustDate("1999-03"), FacilityID: &fac.ID,
		Victims: []rollcall.Victim{{PersonID: &per.ID, Role: "victim"}}, SourceIDs: []int64{src.ID}, Sensitivity: rollcall.Internal}))
	p := 5.0
	must(st.CreatePublishedEstimate(ctx, &rollcall.PublishedEstimate{Subject: "kwanliso-15", Period: "2011", Point: &p, Unit: "persons", Source: "X"}))
	must(st.CreateAmnestyDecree(ctx, &rollcall.AmnestyDecree{Key: "kp-2015", Country: "KP", Title: "Amnesty", Decreed: rollcall.MustDate("2015-07"), Rule: "true"}))
	must(st.CreateFollowUp(ctx, &rollcall.FollowUp{PersonID: per.ID, Date: rollcall.MustDate("2016"), Kind: "housing", Observation: "x", Sensitivity: rollcall.Internal}))

	lists := []fuzzList{
		lister("sources", st.ListSources), lister("records", st.ListRecords), lister("persons", st.ListPersons),
		lister("facilities", st.ListFacilities), lister("events", st.ListEvents),
		lister("published estimates", st.ListPublishedEstimates), lister("decrees", st.ListAmnestyDecrees),
		lister("follow-ups", st.ListFollowUps),
	}
	totals := make([]int, len(lists))
	for i, l := range lists {
		_, n, err := l.list(ctx, rollcall.ListOptions{})
		must(err)
		totals[i] = n
	}
	tables := func() int {
		var n int
		if err := st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").Scan(&n); err != nil {
			f.Fatal(err)
		}
		return n
	}
	nTables := tables()

	for _, s := range []struct {
		q, k1, v1, k2, v2 string
		limit, offset     int
	}{
		{"kim", "", "", "", "", 10, 0},
		{"김영희", "source_id", "1", "fictional", "false", 0, 0},
		{"", "person_id", "none", "facility_id", "1", -1, 1},
		{"100%", "sensitivity", "internal", "sensitivity_max", "public", 1, 0},
		{`_\%`, "type", "arrest", "person_id", "1", 5, 2},
		{"'; DROP TABLE records; --", "key", "' OR '1'='1", "", "", 100, 0},
		{"x", "nosuch", "1", "", "", 0, 0},
		{"", "source_id", "1; DELETE FROM sources", "", "", 0, 0},
		{"Kim Young-hee", "sensitivity_max", "confidential", "subject", "kwanliso-15", 500, 1 << 62},
	} {
		for i := range lists {
			f.Add(uint8(i), s.q, s.k1, s.v1, s.k2, s.v2, s.limit, s.offset)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, q, k1, v1, k2, v2 string, limit, offset int) {
		i := int(which) % len(lists)
		l := lists[i]
		o := rollcall.ListOptions{Query: q, Limit: limit, Offset: offset}
		if k1 != "" || k2 != "" {
			o.Filters = map[string]string{k1: v1, k2: v2}
			delete(o.Filters, "")
		}
		n, total, err := l.list(ctx, o)
		if err != nil {
			if rollcall.ErrorCode(err) != rollcall.EINVALID || rollcall.ErrorMessage(err) == "" {
				t.Fatalf("%s %+v: %v (code %s), want an invalid-input error", l.name, o, err, rollcall.ErrorCode(err))
			}
		} else {
			want := limit
			if limit == 0 {
				want = store.DefaultLimit
			}
			if n > total || (limit >= 0 && n > want) || total > totals[i] || total < 0 {
				t.Fatalf("%s %+v: %d items of %d (of %d rows)", l.name, o, n, total, totals[i])
			}
		}
		if tables() != nTables {
			t.Fatalf("%s %+v: the number of tables changed", l.name, o)
		}
		for j, l := range lists {
			if _, n, err := l.list(ctx, rollcall.ListOptions{Limit: 1}); err != nil || n != totals[j] {
				t.Fatalf("after %+v: %s has %d rows (%v), want %d", o, l.name, n, err, totals[j])
			}
		}
	})
}
