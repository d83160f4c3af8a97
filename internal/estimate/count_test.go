package estimate

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

func TestCountNormalize(t *testing.T) {
	vocab, err := refdata.Vocabulary(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in      Count
		want    Count
		errWant []string // words the error names
	}{
		{in: Count{}, want: Count{}},
		{in: Count{Fate: []string{"died", "Executed", "처형"}}, want: Count{Fate: []string{"died", "executed"}}},
		{in: Count{Event: []string{"execution", "death in custody"}, From: 2000, To: 2015},
			want: Count{Event: []string{"execution", "death_in_custody"}, From: 2000, To: 2015}},
		{in: Count{Fate: []string{"dead"}}, errWant: []string{`"dead"`, "died", "executed", "disappeared"}},
		{in: Count{Event: []string{"shooting"}}, errWant: []string{`"shooting"`, "execution", "death_in_custody"}},
		{in: Count{Fate: []string{"died"}, From: 2000}, errWant: []string{"event"}},
		{in: Count{Event: []string{"execution"}, From: 2015, To: 2000}, errWant: []string{"2000", "2015"}},
		{in: Count{Fate: []string{"died"}, Event: []string{"execution"}}, errWant: []string{"not both"}},
	} {
		c := tt.in
		err := c.Normalize(vocab)
		if tt.errWant != nil {
			if rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Errorf("%+v: %v, want invalid", tt.in, err)
				continue
			}
			for _, w := range tt.errWant {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%+v: error %q does not name %s", tt.in, err, w)
				}
			}
			continue
		}
		if err != nil || !slices.Equal(c.Fate, tt.want.Fate) || !slices.Equal(c.Event, tt.want.Event) || c.From != tt.want.From || c.To != tt.want.To {
			t.Errorf("%+v: got %+v, %v; want %+v", tt.in, c, err, tt.want)
		}
	}
}

// fateOf is the fate the fixture's list j reports for person n.
func fateOf(n, j int) string {
	if (n+j)%3 == 0 {
		return "died"
	}
	return "detained"
}

// seedFates is seed with fates: list j's record of person n reports
// fateOf(n, j).
func seedFates(t *testing.T, st *store.Store) {
	t.Helper()
	c := t.Context()
	c = rollcall.WithActor(c, rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	seed(t, c, st)
	recs, err := st.CaptureRecords(c)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[int64]int{}
	for _, s := range []string{"b", "c", "d"} {
		src, err := st.SourceByKey(c, s)
		if err != nil {
			t.Fatal(err)
		}
		keys[src.ID] = len(keys)
	}
	for _, r := range recs {
		full, err := st.GetRecord(c, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		fmt.Sscan(full.Key, &n)
		full.Fate = fateOf(n, keys[r.SourceID])
		if err := st.UpdateRecord(c, full); err != nil {
			t.Fatal(err)
		}
	}
}

// Counting by fate: a person counts when a record reports the fate, and
// only the lists whose records report it capture them; the table is the
// one built by hand from the fixture, stratified or not.
func TestRunCountsFates(t *testing.T) { storetest.Run(t, testRunCountsFates) }

func testRunCountsFates(t *testing.T, db storetest.DB) {
	ctx, st := openStore(t, db)
	seedFates(t, st)
	// The table by hand: records of one person share a key (seed), a
	// list captures the person when its record reports the death.
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	listOf := map[int64]int{}
	for j, k := range []string{"b", "c", "d"} {
		src, _ := st.SourceByKey(ctx, k)
		listOf[src.ID] = j
	}
	bits := map[string]uint32{}
	for _, r := range recs {
		if r.Fate == "died" {
			bits[r.Key] |= 1 << listOf[r.SourceID]
		}
	}
	want, _ := mse.NewTable([]string{"b", "c", "d"})
	for _, b := range bits {
		want.Add(b, 1)
	}
	wantRes := mse.Chao(want)
	out, err := Run(ctx, st, Options{Method: mse.MethodChao, Count: Count{Fate: []string{"Died"}}, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.Result.Observed != want.Observed() || math.Abs(out.Result.Estimate-wantRes.Estimate) > 1e-9 {
		t.Errorf("died: %d observed, estimate %.3f; want %d, %.3f", out.Result.Observed, out.Result.Estimate, want.Observed(), wantRes.Estimate)
	}
	if !strings.Contains(out.Counted, "died") {
		t.Errorf("counted %q", out.Counted)
	}
	saved, err := st.ListEstimates(ctx)
	if err != nil || len(saved) != 1 {
		t.Fatalf("saved %v, %v", saved, err)
	}
	var params struct {
		Count   Count         `json:"count"`
		Counted string        `json:"counted"`
		Flags   []mse.Warning `json:"flags"`
	}
	if err := json.Unmarshal([]byte(saved[0].ParamsJSON), &params); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(params.Count.Fate, []string{"died"}) || params.Counted != out.Counted || len(params.Flags) == 0 {
		t.Errorf("stored parameters %s", saved[0].ParamsJSON)
	}
	// By sex: the strata add up to the whole.
	by, err := Run(ctx, st, Options{Method: mse.MethodChao, By: Strata{"sex"}, Count: Count{Fate: []string{"died"}}})
	if err != nil {
		t.Fatal(err)
	}
	if by.Result.Observed != want.Observed() || len(by.Result.Strata) != 2 {
		t.Errorf("by sex: %d observed in %d strata, want %d in 2", by.Result.Observed, len(by.Result.Strata), want.Observed())
	}
	if _, err := Run(ctx, st, Options{Method: mse.MethodChao, Count: Count{Fate: []string{"vanished"}}}); rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), "disappeared") {
		t.Errorf("unknown fate: %v", err)
	}
	if _, err := Run(ctx, st, Options{Method: mse.MethodChao, Count: Count{Fate: []string{"executed"}}}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("no one executed: %v, want invalid", err)
	}
}

// Counting victims of events: who counts and which lists capture them, with
// and without a period (see Count).
func TestRunCountsEvents(t *testing.T) { storetest.Run(t, testRunCountsEvents) }

func testRunCountsEvents(t *testing.T, db storetest.DB) {
	ctx, st := openStore(t, db)
	src := map[string]int64{}
	for _, k := range []string{"a", "b", "c"} {
		s := &rollcall.Source{Key: k, Kind: "list", Title: "fictional list " + k, Sensitivity: rollcall.Internal, Fictional: true}
		if err := st.CreateSource(ctx, s); err != nil {
			t.Fatal(err)
		}
		src[k] = s.ID
	}
	persons := map[string]int64{}
	rec := map[string]int64{} // "a1" → record id
	for _, p := range []struct {
		name  string
		lists string
	}{{"P1", "ab"}, {"P2", "abc"}, {"P3", "b"}, {"P4", "c"}, {"P5", "ac"}, {"P6", "ab"}, {"P7", "a"}} {
		per := &rollcall.Person{Name: "Fictional " + p.name, Sensitivity: rollcall.Internal, Fictional: true}
		if err := st.CreatePerson(ctx, per); err != nil {
			t.Fatal(err)
		}
		persons[p.name] = per.ID
		for _, l := range p.lists {
			key := string(l) + p.name[1:]
			r := &rollcall.Record{SourceID: src[string(l)], Key: key, Name: per.Name, PersonID: &per.ID, Sensitivity: rollcall.Internal, Fictional: true}
			if err := st.CreateRecord(ctx, r); err != nil {
				t.Fatal(err)
			}
			rec[key] = r.ID
		}
	}
	ev := func(typ, date string, victim rollcall.Victim, sources ...string) {
		e := &rollcall.Event{Type: typ, Sensitivity: rollcall.Internal, Fictional: true, Victims: []rollcall.Victim{victim}}
		if date != "" {
			e.Date = rollcall.MustDate(date)
		}
		for _, s := range sources {
			e.SourceIDs = append(e.SourceIDs, src[s])
		}
		if err := st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	byRecord := func(k, role string) rollcall.Victim { id := rec[k]; return rollcall.Victim{RecordID: &id, Role: role} }
	byPerson := func(p string) rollcall.Victim {
		id := persons[p]
		return rollcall.Victim{PersonID: &id, Role: "victim"}
	}
	ev("execution", "2005", byRecord("a1", "victim"), "a", "b")  // a: victim entry, b: cites it
	ev("execution", "2010-03", byPerson("P2"), "c")              // c only
	ev("execution", "1990s", byRecord("b3", ""), "b")            // maybe outside 1995–2005
	ev("execution", "", byRecord("c4", "victim"), "c")           // undated
	ev("execution", "2003", byRecord("a5", "witness"), "a", "c") // a witness is not a victim
	ev("torture", "2004", byRecord("a6", "victim"), "a")         // another type
	ev("execution", "2012", byRecord("b6", "victim"), "a")       // b: victim entry, a: cites it
	ev("execution", "c. 2001", byRecord("a7", "victim"), "b")    // P7 has no record in b

	patterns := func(c Count) map[int64]string {
		t.Helper()
		vocab, _ := refdata.Vocabulary(ctx, st)
		if err := c.Normalize(vocab); err != nil {
			t.Fatal(err)
		}
		recs, err := st.CaptureRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		evs, _, err := st.ListEvents(ctx, rollcall.ListOptions{Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		cluster := make([]int64, len(recs))
		for i, r := range recs {
			cluster[i] = r.PersonID
		}
		cnt := newCounter(c, recs, evs)
		names := []string{"a", "b", "c"}
		out := map[int64]string{}
		for _, row := range store.Histories(recs, cluster, nil, names, cnt.capture) {
			s := ""
			for _, l := range row.Lists {
				s += names[l]
			}
			out[row.PersonID] = s
		}
		return out
	}
	want := map[int64]string{persons["P1"]: "ab", persons["P2"]: "c", persons["P6"]: "ab", persons["P7"]: "a"}
	if got := patterns(Count{Event: []string{"execution"}, From: 1995, To: 2015}); !maps.Equal(got, want) {
		t.Errorf("executions 1995–2015: %v, want %v", got, want)
	}
	want[persons["P3"]], want[persons["P4"]] = "b", "c"
	if got := patterns(Count{Event: []string{"execution"}}); !maps.Equal(got, want) {
		t.Errorf("executions: %v, want %v", got, want)
	}
	out, err := Run(ctx, st, Options{Method: mse.MethodObserved, Count: Count{Event: []string{"Execution"}, From: 1995, To: 2015}})
	if err != nil {
		t.Fatal(err)
	}
	var flagged bool
	for _, w := range out.Result.Flags {
		flagged = flagged || (w.Code == WarnPeriodUncertain && strings.Contains(w.Text, "1 events of type execution have no date and 1"))
	}
	if out.Result.Observed != 4 || !flagged || !strings.Contains(out.Counted, "1995–2015") {
		t.Errorf("executions 1995–2015: %d observed, counted %q, flags %v", out.Result.Observed, out.Counted, out.Result.Flags)
	}
	if _, err := Run(ctx, st, Options{Method: mse.MethodObserved, Count: Count{Event: []string{"shooting"}}}); rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), "execution") {
		t.Errorf("unknown event type: %v", err)
	}
}
