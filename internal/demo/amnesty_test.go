package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// openStore opens a real SQLite store in a temporary directory, acting as
// the local operator.
func openStore(t testing.TB) (context.Context, *store.Store) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	return ctx, storetest.Open(t, store.Open, storetest.SQLitePath(t), store.Options{})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDemoShowsTheGap(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the demo population test in -short mode")
	}
	ctx, st := openStore(t)
	must(t, LoadTruth(ctx, st, 400, 7))
	sum, err := SeedAmnestyOutcomes(ctx, st, 3)
	must(t, err)
	if sum.Skipped || sum.Outcomes == 0 {
		t.Fatalf("demo recorded nothing: %+v", sum)
	}
	again, err := SeedAmnestyOutcomes(ctx, st, 3)
	must(t, err)
	if !again.Skipped {
		t.Fatalf("second demo run was not skipped: %+v", again)
	}
	outs, err := st.AmnestyOutcomes(ctx, 0, 0)
	must(t, err)
	if len(outs) != sum.Outcomes {
		t.Fatalf("%d outcome rows, demo said %d", len(outs), sum.Outcomes)
	}
	for _, o := range outs {
		if !strings.Contains(o.Note, "FICTIONAL") {
			t.Fatalf("outcome %d is not marked fictional: %q", o.ID, o.Note)
		}
	}
	rep, err := amnesty.Report(ctx, st, DecreeKey)
	must(t, err)
	o := rep.Overall
	t.Logf("documented %d, eligible %d, undetermined %d, verified %d, reported %d, not released %d",
		o.Documented, o.Eligible, o.Undetermined, o.ReleaseVerified, o.ReleaseReported, o.NotReleased)
	// The gap: people the decree covers outnumber verified releases, and
	// the announced figure is text, not a number.
	if o.Eligible == 0 || o.ReleaseVerified == 0 || o.ReleaseVerified >= o.Eligible+o.Undetermined {
		t.Errorf("no gap to show: %+v", o)
	}
	if !rep.Fictional || rep.AnnouncedFigure != nil || rep.AnnouncedNumber == "" {
		t.Errorf("fictional %v, announced %q / %v", rep.Fictional, rep.AnnouncedNumber, rep.AnnouncedFigure)
	}
	if len(rep.Timeline) < 5 {
		t.Errorf("timeline has %d decrees", len(rep.Timeline))
	}
}
