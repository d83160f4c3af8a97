package link

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// clock is a test clock the store and the linker share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// liveStore opens db with the name keys the server uses (the linker finds
// candidates through the name index) and a test clock.
func liveStore(t *testing.T, dsn string, c *clock) *store.Store {
	return storetest.Open(t, store.Open, dsn, store.Options{NameKeys: textnorm.NameKeys, Now: c.now})
}

func systemCtx() context.Context {
	return rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
}

// population stores a fictional synth population's sources; add(i, j)
// stores its records i..j-1. truth gives each stored record's person.
type population struct {
	st      *store.Store
	ds      *synth.Dataset
	src     map[string]int64
	truth   map[int64]synth.PersonID
	records []int64
}

func newPopulation(t *testing.T, ctx context.Context, st *store.Store, persons int) *population {
	t.Helper()
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	p := &population{st: st, ds: ds, src: map[string]int64{}, truth: map[int64]synth.PersonID{}}
	for _, s := range ds.Sources {
		s.Informant = nil
		if err := st.CreateSource(ctx, &s); err != nil {
			t.Fatal(err)
		}
		p.src[s.Key] = s.ID
	}
	return p
}

func (p *population) add(t *testing.T, ctx context.Context, from, to int) []int64 {
	t.Helper()
	var ids []int64
	for _, r := range p.ds.Records[from:to] {
		rec := r.Record
		rec.SourceID, rec.PersonID, rec.FacilityID, rec.Testimony = p.src[r.Source], nil, nil, ""
		if err := p.st.CreateRecord(ctx, &rec); err != nil {
			t.Fatal(err)
		}
		p.truth[rec.ID] = p.ds.Truth[synth.RecordKey{Source: r.Source, Record: rec.Key}]
		ids = append(ids, rec.ID)
	}
	p.records = append(p.records, ids...)
	return ids
}

// personOf reads every record's person.
func personOf(t *testing.T, ctx context.Context, st *store.Store) map[int64]int64 {
	t.Helper()
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int64{}
	for _, r := range recs {
		if r.PersonID == nil {
			t.Fatalf("record %d has no person", r.ID)
		}
		out[r.ID] = *r.PersonID
	}
	return out
}

func queued(t *testing.T, ctx context.Context, st *store.Store) int {
	t.Helper()
	_, n, err := st.PendingLinks(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// samePartition counts the pairs of records that one partition puts
// together and the other apart.
func partitionDiff(a, b map[int64]int64) int {
	ids := make([]int64, 0, len(a))
	for id := range a {
		ids = append(ids, id)
	}
	diff := 0
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			x, y := ids[i], ids[j]
			if (a[x] == a[y]) != (b[x] == b[y]) {
				diff++
			}
		}
	}
	return diff
}

// TestLinkerLinksQueuedRecords: records written through the store are
// queued and the linker's step links them all (a full relink, the database
// being small), leaving the queue empty and the model stored.
func TestLinkerLinksQueuedRecords(t *testing.T) { storetest.Run(t, testLinkerLinksQueuedRecords) }

func testLinkerLinksQueuedRecords(t *testing.T, db storetest.DB) {
	ctx := systemCtx()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := liveStore(t, db.DSN, c)
	pop := newPopulation(t, ctx, st, 120)
	pop.add(t, ctx, 0, len(pop.ds.Records))
	if n := queued(t, ctx, st); n != len(pop.records) {
		t.Fatalf("%d queued, want %d", n, len(pop.records))
	}
	var outcomes []string
	l := &Linker{Store: st, Holder: "a", Now: c.now, Observe: func(o string, _ time.Duration) { outcomes = append(outcomes, o) }}
	rep, err := l.Step(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Leased || !rep.Full || rep.Linked != len(pop.records) || len(outcomes) != len(pop.records) {
		t.Fatalf("step %+v, %d outcomes", rep, len(outcomes))
	}
	personOf(t, ctx, st)
	if n := queued(t, ctx, st); n != 0 {
		t.Fatalf("%d still queued", n)
	}
	if _, _, err := LoadModel(ctx, st); err != nil {
		t.Fatal(err)
	}
}

// TestLinkerPriorModel: a handful of records and no stored model: the
// prior model links 박순옥 and Pak Sun-ok (same sex, birth 1968-03) and
// keeps a different person apart; no model is stored (nothing was learned).
func TestLinkerPriorModel(t *testing.T) { storetest.Run(t, testLinkerPriorModel) }

func testLinkerPriorModel(t *testing.T, db storetest.DB) {
	ctx := systemCtx()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := liveStore(t, db.DSN, c)
	recs := twoScripts(t, ctx, st)
	l := &Linker{Store: st, Holder: "a", Now: c.now}
	if _, err := l.Step(ctx); err != nil {
		t.Fatal(err)
	}
	p := personOf(t, ctx, st)
	if p[recs[0]] != p[recs[1]] || p[recs[0]] == p[recs[2]] {
		t.Fatalf("persons %v of records %v", p, recs)
	}
	if m, _, err := LoadModel(ctx, st); err != nil || m != nil {
		t.Fatalf("model stored from a prior run: %v %v", m, err)
	}
}

// twoScripts stores 박순옥 and Pak Sun-ok (one person in two scripts) and
// 김철수 (another), each from its own source.
func twoScripts(t *testing.T, ctx context.Context, st *store.Store) []int64 {
	t.Helper()
	birth, _ := rollcall.ParseDate("1968-03")
	var ids []int64
	for i, r := range []rollcall.Record{
		{Name: "박순옥", Sex: "f", BirthDate: birth},
		{Name: "Pak Sun-ok", Sex: "f", BirthDate: birth},
		{Name: "김철수", Sex: "m", BirthDate: rollcall.PartialDate{}},
	} {
		src := rollcall.Source{Key: "s" + string(rune('a'+i)), Kind: "testimony", Title: "t", Sensitivity: rollcall.Internal, Fictional: true}
		if err := st.CreateSource(ctx, &src); err != nil {
			t.Fatal(err)
		}
		r.SourceID, r.Fictional, r.Sensitivity = src.ID, true, rollcall.Internal
		if err := st.CreateRecord(ctx, &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// TestAttachAgreesWithRun: records linked one batch at a time against
// their neighbourhood land in the persons a full run with the same stored
// model gives them.
func TestAttachAgreesWithRun(t *testing.T) { storetest.Run(t, testAttachAgreesWithRun) }

func testAttachAgreesWithRun(t *testing.T, db storetest.DB) {
	ctx := systemCtx()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := liveStore(t, db.DSN, c)
	pop := newPopulation(t, ctx, st, 300)
	n := len(pop.ds.Records)
	pop.add(t, ctx, 0, n*9/10)
	if _, err := Run(ctx, st, Options{}); err != nil { // trains and stores the model
		t.Fatal(err)
	}
	model, _, err := LoadModel(ctx, st)
	if err != nil || model == nil {
		t.Fatalf("no stored model: %v", err)
	}
	pop.add(t, ctx, n*9/10, n)
	l := &Linker{Store: st, Holder: "a", Now: c.now, Batch: 7, FullBelow: -1, FullShare: -1}
	for queued(t, ctx, st) > 0 {
		rep, err := l.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Full {
			t.Fatal("a full relink instead of attaching")
		}
	}
	live := personOf(t, ctx, st)
	if _, err := Run(ctx, st, Options{Settings: model}); err != nil {
		t.Fatal(err)
	}
	full := personOf(t, ctx, st)
	// The full run scores with term frequencies, the neighbourhood without
	// (liveSettings): allow a pair or two of the ~n²/2 to differ.
	if d := partitionDiff(live, full); d > 2 {
		t.Errorf("%d record pairs differ between live linkage and a full run", d)
	}
}

// TestAttachHonoursDecisions: a "different" decision between a stored
// record and a new one keeps them apart although the model would join them.
func TestAttachHonoursDecisions(t *testing.T) { storetest.Run(t, testAttachHonoursDecisions) }

func testAttachHonoursDecisions(t *testing.T, db storetest.DB) {
	ctx := systemCtx()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := liveStore(t, db.DSN, c)
	recs := twoScripts(t, ctx, st)
	if err := st.AddLinkDecision(ctx, recs[0], recs[1], false, "test", ""); err != nil {
		t.Fatal(err)
	}
	pend, _, err := st.PendingLinks(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := relink(ctx, st, pend, PriorSettings(), ""); err != nil {
		t.Fatal(err)
	}
	p := personOf(t, ctx, st)
	if p[recs[0]] == p[recs[1]] {
		t.Fatalf("records decided different share person %d", p[recs[0]])
	}
}

// TestDecideTakesEffectAtOnce: a review decision merges or splits the
// persons in the same call, ids kept stable.
func TestDecideTakesEffectAtOnce(t *testing.T) { storetest.Run(t, testDecideTakesEffectAtOnce) }

func testDecideTakesEffectAtOnce(t *testing.T, db storetest.DB) {
	ctx := systemCtx()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := liveStore(t, db.DSN, c)
	recs := twoScripts(t, ctx, st)
	l := &Linker{Store: st, Holder: "a", Now: c.now}
	if _, err := l.Step(ctx); err != nil {
		t.Fatal(err)
	}
	p := personOf(t, ctx, st)
	kept := p[recs[0]]
	if _, err := Decide(ctx, st, Decision{RecordA: recs[0], RecordB: recs[1], By: "ana", Note: "different fathers"}); err != nil {
		t.Fatal(err)
	}
	if err := Split(ctx, st, recs[0], recs[1]); err != nil {
		t.Fatal(err)
	}
	p = personOf(t, ctx, st)
	if p[recs[0]] == p[recs[1]] || (p[recs[0]] != kept && p[recs[1]] != kept) {
		t.Fatalf("after 'different': persons %v (was %d)", p, kept)
	}
	if _, err := Decide(ctx, st, Decision{RecordA: recs[1], RecordB: recs[2], Same: true, By: "ana"}); err != nil {
		t.Fatal(err)
	}
	p = personOf(t, ctx, st)
	if p[recs[1]] != p[recs[2]] || p[recs[0]] == p[recs[1]] {
		t.Fatalf("after 'same': persons %v", p)
	}
	if _, n, err := st.ListPersons(ctx, rollcall.ListOptions{Limit: 1}); err != nil || n != 2 {
		t.Fatalf("%d persons, want 2 (%v)", n, err)
	}
}

// TestLinkersShareADatabase: two linkers (two processes' stores) on one
// database link the queue together: each record once, none twice.
func TestLinkersShareADatabase(t *testing.T) { storetest.Run(t, testLinkersShareADatabase) }

func testLinkersShareADatabase(t *testing.T, db storetest.DB) {
	ctx := systemCtx()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := liveStore(t, db.DSN, c)
	pop := newPopulation(t, ctx, st, 200)
	n := len(pop.ds.Records)
	pop.add(t, ctx, 0, n*4/5)
	if _, err := Run(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	added := pop.add(t, ctx, n*4/5, n)
	var mu sync.Mutex
	linked := map[int64]int{}
	var wg sync.WaitGroup
	for i, holder := range []string{"a", "b"} {
		sti := st
		if i == 1 {
			sti = liveStore(t, db.DSN, c)
		}
		l := &Linker{Store: sti, Holder: holder, Now: c.now, Batch: 5, FullBelow: -1, FullShare: -1}
		wg.Go(func() {
			for range 1000 {
				_, total, err := sti.PendingLinks(ctx, 0)
				if err != nil || total == 0 {
					return
				}
				rep, err := l.Step(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if rep.Linked > 0 {
					linked[int64(i)] += rep.Linked
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if got := linked[0] + linked[1]; got != len(added) {
		t.Errorf("linked %d (a %d, b %d), want %d: a record linked twice or not at all", got, linked[0], linked[1], len(added))
	}
	personOf(t, ctx, st)
}
