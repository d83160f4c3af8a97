package work

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/jobs"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// seed adds two fictional sources and n linked persons seen by one or both.
func seed(t *testing.T, st *store.Store, n int) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	var srcs []*rollcall.Source
	for _, k := range []string{"a", "b"} {
		s := &rollcall.Source{Key: k, Kind: "testimony", Title: k, Sensitivity: rollcall.Internal, Fictional: true}
		if err := st.CreateSource(ctx, s); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	for i := range n {
		p := &rollcall.Person{Name: fmt.Sprint("Person ", i), Sensitivity: rollcall.Internal, Fictional: true}
		if err := st.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		for j, s := range srcs {
			if (j == 0 && i%3 != 2) || (j == 1 && i%3 != 0) {
				r := &rollcall.Record{SourceID: s.ID, Key: fmt.Sprint(i), Name: p.Name, Sensitivity: rollcall.Internal, Fictional: true}
				if err := st.CreateRecord(ctx, r); err != nil {
					t.Fatal(err)
				}
				if err := st.SetRecordPerson(ctx, r.ID, &p.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestEstimateJobIdempotent: an estimate job that runs again from its
// start (its process died after saving) returns the results it saved and
// saves nothing twice; an lcmcr job's seed is drawn when it is queued, so
// what runs is what the stored parameters say.
func TestEstimateJobIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		st := storetest.Open(t, store.Open, db.DSN, store.Options{})
		seed(t, st, 30)
		r := jobs.New(st, jobs.Config{Owner: "w", Clock: func() time.Time { return time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC) }})
		Register(r, st)
		ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "ana", Role: rollcall.RoleAnalyst})
		p, err := ParseEstimateParams([]byte(`{"method":"lcmcr","iterations":2000,"burnin":200}`))
		if err != nil || p.Seed == nil {
			t.Fatalf("params %+v: %v", p, err)
		}
		j, err := r.Enqueue(ctx, jobs.Request{Kind: KindEstimate, Params: p})
		if err != nil {
			t.Fatal(err)
		}
		if ran, err := r.RunOnce(context.Background()); !ran || err != nil {
			t.Fatal(ran, err)
		}
		done, _ := st.GetJob(ctx, j.ID)
		var first EstimateResult
		if done.Status != jobs.Done || json.Unmarshal(done.Result, &first) != nil || len(first.Saved) != 1 {
			t.Fatalf("job %+v %s", done, done.Result)
		}
		all, _ := st.ListEstimates(ctx)
		if len(all) != 1 || all[0].Seed != int64(*p.Seed) || all[0].CreatedBy != "ana" {
			t.Errorf("stored %+v, want the queued seed %d by ana", all, *p.Seed)
		}
		again, err := runEstimate(ctx, st, *done, func(int64, int64, string) {})
		if err != nil || fmt.Sprint(again.Saved) != fmt.Sprint(first.Saved) {
			t.Errorf("run again: %+v %v", again, err)
		}
		if all, _ := st.ListEstimates(ctx); len(all) != 1 {
			t.Errorf("%d stored results after running again, want 1", len(all))
		}
	})
}

// TestParseEstimateParams: defaults are filled in, aliases resolved, and a
// wrong option or value is refused naming what is allowed.
func TestParseEstimateParams(t *testing.T) {
	p, err := ParseEstimateParams([]byte(`{"by":"region, period","lists":"kind"}`))
	if err != nil || p.Method != "loglinear" || p.By != "province,decade" || p.Lists != "kind" || p.Criterion != "bic" ||
		p.Chains != DefaultChains || p.Seed != nil {
		t.Errorf("%+v %v", p, err)
	}
	for _, c := range []struct{ in, field string }{
		{`{"method":"bayes"}`, "method"}, {`{"by":"age"}`, "by"}, {`{"max_order":-1}`, "max_order"},
		{`{"burn_in":5}`, "burn_in"}, {`{"classes":"ten"}`, "classes"},
		{`{"fate":["vanished"]}`, "fate"}, {`{"event":["execution"],"from":2015,"to":2000}`, "to"},
		{`{"from":2000}`, "from"}, {`{"linkage_draws":-1}`, "linkage_draws"}, {`{"linkage_draws":100000}`, "linkage_draws"},
	} {
		_, err := ParseEstimateParams([]byte(c.in))
		var re *rollcall.Error
		if rollcall.ErrorCode(err) != rollcall.EINVALID || !errors.As(err, &re) || re.Field != c.field {
			t.Errorf("%s: %v, want invalid %s", c.in, err, c.field)
		}
	}
}

// TestEstimateParamsCount: the job takes estimate --fate/--event/--from/--to
// and --linkage-draws with the JSON names of estimate.Options, normalises
// the spellings to codes and draws a seed for the draws.
func TestEstimateParamsCount(t *testing.T) {
	p, err := ParseEstimateParams([]byte(`{"method":"chao","fate":["Died","executed"],"linkage_draws":5}`))
	if err != nil {
		t.Fatal(err)
	}
	o := p.Options(7)
	if !slices.Equal(o.Fate, []string{"died", "executed"}) || o.LinkageDraws != 5 || p.Seed == nil || o.LinkageSeed != *p.Seed {
		t.Errorf("options %+v from %+v", o, p)
	}
	p, err = ParseEstimateParams([]byte(`{"event":["execution"],"from":2000,"to":2015}`))
	if err != nil || !slices.Equal(p.Event, []string{"execution"}) || p.From != 2000 || p.To != 2015 {
		t.Errorf("event period: %+v %v", p, err)
	}
	for _, name := range []string{"fate", "event", "from", "to", "linkage_draws"} {
		if !slices.Contains(FieldNames(EstimateParams{}), name) {
			t.Errorf("FieldNames lacks %q: unknown-option errors would not name it", name)
		}
	}
}
