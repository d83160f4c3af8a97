package demo

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// LoadTruth writes the reference data and a FICTIONAL population of
// persons (generated with seed) into st, with one person per true person:
// the generator's truth stands in for a linkage run, so tests and
// benchmarks of what follows linkage start from known persons.
func LoadTruth(ctx context.Context, st *store.Store, persons int, seed uint64) error {
	if err := refdata.Load(ctx, st); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: seed})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	err = st.InTx(ctx, func(tx *store.Store) error {
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
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
