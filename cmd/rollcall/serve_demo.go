package main

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/synth"
)

// loadSynth writes a generated FICTIONAL dataset into st: its sources,
// records and events, and (demo only) one person per generated true person
// with the records that describe them, so the person pages have something
// to show before a linkage run. The review queue gets the generator's
// pairs of records of one person that disagree on the name, as examples.
func loadSynth(ctx context.Context, st *store.Store, persons int) error {
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: 20150815})
	if err != nil {
		return fmt.Errorf("generate demo data: %w", err)
	}
	err = st.InTx(ctx, func(tx *store.Store) error {
		srcID := map[string]int64{}
		for i := range ds.Sources {
			s := ds.Sources[i]
			s.Fictional = true
			if err := tx.CreateSource(ctx, &s); err != nil {
				return fmt.Errorf("demo source %s: %w", s.Key, err)
			}
			srcID[s.Key] = s.ID
		}
		facID := map[string]*int64{}
		facility := func(key string) (*int64, error) {
			if key == "" {
				return nil, nil
			}
			if id, ok := facID[key]; ok {
				return id, nil
			}
			f, err := tx.FacilityByKey(ctx, key)
			if err != nil {
				if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
					facID[key] = nil
					return nil, nil
				}
				return nil, err
			}
			facID[key] = &f.ID
			return &f.ID, nil
		}
		recID := map[synth.RecordKey]int64{}
		byPerson := map[synth.PersonID][]int64{}
		for i := range ds.Records {
			r := ds.Records[i].Record
			r.SourceID = srcID[ds.Records[i].Source]
			r.Fictional = true
			if err := tx.CreateRecord(ctx, &r); err != nil {
				return fmt.Errorf("demo record %s/%s: %w", ds.Records[i].Source, r.Key, err)
			}
			k := synth.RecordKey{Source: ds.Records[i].Source, Record: r.Key}
			recID[k] = r.ID
			if pid, ok := ds.Truth[k]; ok {
				byPerson[pid] = append(byPerson[pid], r.ID)
			}
		}
		for i := range ds.Events {
			e := ds.Events[i].Event
			e.Fictional = true
			if id, ok := srcID[ds.Events[i].Source]; ok {
				e.SourceIDs = []int64{id}
			}
			fid, err := facility(ds.Events[i].Facility)
			if err != nil {
				return err
			}
			if fid != nil {
				e.FacilityID = fid
			}
			if rid, ok := recID[synth.RecordKey{Source: ds.Events[i].Source, Record: ds.Events[i].Record}]; ok {
				e.Victims = []rollcall.Victim{{RecordID: &rid, Role: "victim"}}
			}
			if err := tx.CreateEvent(ctx, &e); err != nil {
				return fmt.Errorf("demo event: %w", err)
			}
		}
		var queue []store.ReviewPair
		for _, p := range ds.Persons {
			recs := byPerson[p.ID]
			if len(recs) == 0 {
				continue
			}
			first, err := tx.GetRecord(ctx, recs[0])
			if err != nil {
				return err
			}
			per := rollcall.Person{Name: first.Name, NameAlt: p.Hangul, Sex: p.Sex, BirthDate: first.BirthDate,
				Province: p.Province, Status: p.Fate, Sensitivity: rollcall.Internal, Fictional: true}
			if err := tx.CreatePerson(ctx, &per); err != nil {
				return fmt.Errorf("demo person: %w", err)
			}
			for j, rid := range recs {
				if err := tx.SetRecordPerson(ctx, rid, &per.ID); err != nil {
					return err
				}
				if j > 0 && len(queue) < 40 {
					other, err := tx.GetRecord(ctx, rid)
					if err != nil {
						return err
					}
					if other.Name != first.Name {
						queue = append(queue, store.ReviewPair{RecordA: recs[0], RecordB: rid, Probability: 0.5})
					}
				}
			}
		}
		return tx.ReplaceReviewQueue(ctx, queue)
	})
	if err != nil {
		return err
	}
	if _, err := amnesty.SeedDemoOutcomes(ctx, st, 1); err != nil {
		return fmt.Errorf("demo amnesty outcomes: %w", err)
	}
	return nil
}
