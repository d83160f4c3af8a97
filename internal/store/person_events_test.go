package store

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestEventsOfPerson: the events of a person are those whose victims name
// the person or one of its records, with the person's role, the same from
// EventsOfPerson, EventsByPerson and the list filter the API uses.
func TestEventsOfPerson(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		src := mkSource(t, st, "s")
		p, other := mkPerson(t, st, "Kim"), mkPerson(t, st, "Pak")
		rec := &rollcall.Record{SourceID: src.ID, Key: "1", Name: "Kim", PersonID: &p.ID}
		must(t, st.CreateRecord(ctx, rec))
		ev := func(date string, victims ...rollcall.Victim) int64 {
			e := &rollcall.Event{Type: "detention", Date: rollcall.MustDate(date), Victims: victims, SourceIDs: []int64{src.ID}}
			must(t, st.CreateEvent(ctx, e))
			return e.ID
		}
		direct := ev("2001", rollcall.Victim{PersonID: &p.ID, Role: "victim"})
		viaRecord := ev("2002", rollcall.Victim{RecordID: &rec.ID}) // no role: a victim
		witnessed := ev("2003", rollcall.Victim{RecordID: &rec.ID, Role: "witness"})
		ev("2004", rollcall.Victim{PersonID: &other.ID, Role: "victim"})
		both := ev("2005", rollcall.Victim{PersonID: &p.ID, Role: "witness"}, rollcall.Victim{RecordID: &rec.ID, Role: "victim"},
			rollcall.Victim{PersonID: &other.ID, Role: "family_member"})

		type got struct {
			id   int64
			role string
		}
		want := []got{{direct, "victim"}, {viaRecord, "victim"}, {witnessed, "witness"}, {both, "victim"}}
		flat := func(es []PersonEvent) []got {
			var out []got
			for _, e := range es {
				out = append(out, got{e.ID, e.Role})
			}
			return out
		}
		one, err := st.EventsOfPerson(ctx, p.ID)
		must(t, err)
		if !reflect.DeepEqual(flat(one), want) {
			t.Errorf("EventsOfPerson = %v, want %v", flat(one), want)
		}
		all, err := st.EventsByPerson(ctx)
		must(t, err)
		if !reflect.DeepEqual(flat(all[p.ID]), want) {
			t.Errorf("EventsByPerson[p] = %v, want %v", flat(all[p.ID]), want)
		}
		if o := flat(all[other.ID]); len(o) != 2 || o[1] != (got{both, "family_member"}) {
			t.Errorf("EventsByPerson[other] = %v", o)
		}
		listed, n, err := st.ListEvents(ctx, rollcall.ListOptions{Filters: map[string]string{"person_id": strconv.FormatInt(p.ID, 10)}})
		must(t, err)
		if n != len(want) || len(listed) != len(want) {
			t.Errorf("ListEvents person_id: %d events (total %d), want %d", len(listed), n, len(want))
		}
	})
}

// TestCaptureStratumTies: a tie between the records' values goes to the
// earliest record (rollcall.ResolveAttribute), not to the alphabetically
// first value.
func TestCaptureStratumTies(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		a, b := mkSource(t, st, "a"), mkSource(t, st, "b")
		p := mkPerson(t, st, "One")
		for i, prov := range []string{"Ryanggang", "Hamgyong"} {
			src := []*rollcall.Source{a, b}[i]
			must(t, st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: "1", Name: "n", PersonID: &p.ID, Province: prov}))
		}
		rows, _, err := st.CaptureHistories(ctx, []string{"province"})
		must(t, err)
		if len(rows) != 1 || rows[0].Stratum != "Ryanggang" {
			t.Errorf("capture histories %+v, want the province of the earliest record", rows)
		}
	})
}
