package amnesty

import (
	"context"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/synth"
)

// loadFictional writes a synth dataset into st with one person per true
// person (the generator's truth stands in for a linkage run).
func loadFictional(t testing.TB, ctx context.Context, st *store.Store, persons int) {
	t.Helper()
	must(t, refdata.Load(ctx, st))
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: 7})
	must(t, err)
	must(t, st.InTx(ctx, func(tx *store.Store) error {
		srcID := map[string]int64{}
		for _, s := range ds.Sources {
			if err := tx.CreateSource(ctx, &s); err != nil {
				return err
			}
			srcID[s.Key] = s.ID
		}
		recID := map[synth.RecordKey]int64{}
		byPerson := map[synth.PersonID][]int64{}
		for _, r := range ds.Records {
			rec := r.Record
			rec.SourceID = srcID[r.Source]
			if err := tx.CreateRecord(ctx, &rec); err != nil {
				return err
			}
			k := synth.RecordKey{Source: r.Source, Record: rec.Key}
			recID[k] = rec.ID
			byPerson[ds.Truth[k]] = append(byPerson[ds.Truth[k]], rec.ID)
		}
		for _, e := range ds.Events {
			ev := e.Event
			ev.SourceIDs = []int64{srcID[e.Source]}
			if e.Facility != "" {
				if f, err := tx.FacilityByKey(ctx, e.Facility); err == nil {
					ev.FacilityID = &f.ID
				}
			}
			if rid, ok := recID[synth.RecordKey{Source: e.Source, Record: e.Record}]; ok {
				ev.Victims = []rollcall.Victim{{RecordID: &rid, Role: "victim"}}
			}
			if err := tx.CreateEvent(ctx, &ev); err != nil {
				return err
			}
		}
		for _, p := range ds.Persons {
			if len(byPerson[p.ID]) == 0 {
				continue
			}
			per := rollcall.Person{Name: p.Hangul, Sex: p.Sex, Fictional: true}
			if err := tx.CreatePerson(ctx, &per); err != nil {
				return err
			}
			for _, rid := range byPerson[p.ID] {
				if err := tx.SetRecordPerson(ctx, rid, &per.ID); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

func TestDemoShowsTheGap(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the demo population test in -short mode")
	}
	ctx, st := openStore(t)
	loadFictional(t, ctx, st, 400)
	sum, err := SeedDemoOutcomes(ctx, st, 3)
	must(t, err)
	if sum.Skipped || sum.Outcomes == 0 {
		t.Fatalf("demo recorded nothing: %+v", sum)
	}
	again, err := SeedDemoOutcomes(ctx, st, 3)
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
	rep, err := Report(ctx, st, DemoDecreeKey)
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
