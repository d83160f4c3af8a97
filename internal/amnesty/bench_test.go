package amnesty_test

import (
	"context"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/demo"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// openStore opens a real SQLite store in a temporary directory, acting as
// the local operator.
func openStore(b testing.TB) (context.Context, *store.Store) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	return ctx, storetest.Open(b, store.Open, storetest.SQLitePath(b), store.Options{})
}

// BenchmarkEvaluateStore evaluates the 2015 decree over a fictional
// population in SQLite, reading every person's records and events.
func BenchmarkEvaluateStore(b *testing.B) {
	ctx, st := openStore(b)
	if err := demo.LoadTruth(ctx, st, 3000, 7); err != nil {
		b.Fatal(err)
	}
	n := 0
	start := time.Now()
	for b.Loop() {
		ev, err := amnesty.Evaluate(ctx, st, demo.DecreeKey)
		if err != nil {
			b.Fatal(err)
		}
		n += len(ev.Results)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "persons/s")
}
