package link

import (
	"context"
	"fmt"
	"strconv"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// This file gives what else is read from the linkage of the stored
// records: plausible clusterings (to carry linkage uncertainty into an
// estimate) and a check of the match probabilities against the human
// decisions.

// Stored is the stored records as the linkage engine reads them, with the
// human decisions.
type Stored struct {
	// Records are every stored record, in the order of Dataset.Records.
	Records   []rollcall.Record
	Dataset   *match.Dataset
	Decisions []match.Decision
}

// LoadStored reads every stored record into a Dataset with the columns
// PersonColumns, and the stored decisions.
func LoadStored(ctx context.Context, st *store.Store) (*Stored, error) {
	recs, err := allRecords(ctx, st)
	if err != nil {
		return nil, err
	}
	facName, err := facilityNames(ctx, st)
	if err != nil {
		return nil, err
	}
	ds := PersonDataset(recs, facName)
	stored, err := st.LinkDecisions(ctx)
	if err != nil {
		return nil, err
	}
	decisions := make([]match.Decision, len(stored))
	for i, d := range stored {
		decisions[i] = match.Decision{A: strconv.FormatInt(d.RecordA, 10), B: strconv.FormatInt(d.RecordB, 10), Same: d.Same}
	}
	return &Stored{Records: recs, Dataset: ds, Decisions: decisions}, nil
}

// DrawLower is the lowest match probability at which a linkage draw takes
// a pair: well below the review band, which is about human attention. A
// pair the model gives 0.05 is one person in about one draw in twenty;
// leaving such pairs out keeps the persons the point clustering split
// apart split in every draw (on a hard population of 20,000 the draws
// held 0.6–1.0 % more persons than the truth from 0.2, 0.2–0.4 % from 0.01).
const DrawLower = 0.01

// ForDraws returns s with the band of pairs drawn at their probability
// widened down to DrawLower.
func ForDraws(s match.Settings) match.Settings {
	s.ReviewLower = DrawLower
	return s
}

// DrawOptions configure Draws.
type DrawOptions struct {
	// Settings override DefaultSettings (a saved model).
	Settings *match.Settings
	// Seed makes the draws repeatable.
	Seed     uint64
	Progress match.Progress
	// KeepCalibration uses the model's probabilities even when the human
	// decisions show them off.
	KeepCalibration bool
}

// Drawn is what Draws gives.
type Drawn struct {
	// RecordIDs are the stored records' ids, in the order of each
	// clustering.
	RecordIDs []int64
	// Clusterings hold each draw's cluster number per record.
	Clusterings [][]int32
	// Calibration is the check of the probabilities against the human
	// decisions; Recalibrated says its curve was applied to the draws.
	Calibration  match.CalibrationCheck
	Recalibrated bool
}

// Draws links the stored records again, with the stored human decisions,
// and draws n plausible clusterings (match.Result.Draws: decisions,
// transitivity and the guards hold in each). When the decisions show the
// probabilities off (match.CheckCalibration) and enough of them fit a
// curve, the draws use the recalibrated probabilities.
func Draws(ctx context.Context, st *store.Store, n int, opts DrawOptions) (*Drawn, error) {
	sd, err := LoadStored(ctx, st)
	if err != nil {
		return nil, err
	}
	out := &Drawn{RecordIDs: make([]int64, len(sd.Records))}
	for i, r := range sd.Records {
		out.RecordIDs[i] = r.ID
	}
	if len(sd.Records) == 0 {
		return out, nil
	}
	s := DefaultSettings()
	if opts.Settings != nil {
		s = *opts.Settings
	}
	s = ForDraws(s)
	res, err := runStored(ctx, sd, &s, opts.Progress)
	if err != nil {
		return nil, err
	}
	out.Calibration = checkDecisions(sd, res)
	if out.Calibration.Off && len(out.Calibration.Curve) > 0 && !opts.KeepCalibration {
		s = res.Settings
		s.Calibration, s.Trained = out.Calibration.Curve, true
		if res, err = runStored(ctx, sd, &s, opts.Progress); err != nil {
			return nil, err
		}
		out.Recalibrated = true
	}
	if out.Clusterings, err = res.Draws(n, opts.Seed); err != nil {
		return nil, fmt.Errorf("linkage draws: %w", err)
	}
	return out, nil
}

// CheckCalibration links the stored records (changing nothing) and
// compares the model's probabilities with the human decisions, the only
// labels a database has.
func CheckCalibration(ctx context.Context, st *store.Store, settings *match.Settings, progress match.Progress) (match.CalibrationCheck, error) {
	sd, err := LoadStored(ctx, st)
	if err != nil {
		return match.CalibrationCheck{}, err
	}
	if len(sd.Records) == 0 {
		return match.CheckCalibration(nil, nil, 10), nil
	}
	res, err := runStored(ctx, sd, settings, progress)
	if err != nil {
		return match.CalibrationCheck{}, err
	}
	return checkDecisions(sd, res), nil
}

func runStored(ctx context.Context, sd *Stored, settings *match.Settings, progress match.Progress) (*match.Result, error) {
	s := DefaultSettings()
	if settings != nil {
		s = *settings
	}
	res, err := match.RunWithOptions(ctx, sd.Dataset, s, sd.Decisions, match.Options{Progress: progress})
	if err != nil {
		return nil, fmt.Errorf("link records: %w", err)
	}
	return res, nil
}

// checkDecisions checks the model probabilities of the decided pairs
// against the decisions.
func checkDecisions(sd *Stored, res *match.Result) match.CalibrationCheck {
	index := make(map[string]int32, len(sd.Dataset.Records))
	for i, r := range sd.Dataset.Records {
		index[r.ID] = int32(i)
	}
	type key struct{ a, b int32 }
	label := map[key]bool{}
	for _, d := range sd.Decisions {
		a, okA := index[d.A]
		b, okB := index[d.B]
		if okA && okB && a != b {
			label[key{min(a, b), max(a, b)}] = d.Same
		}
	}
	var model []float64
	var same []bool
	for i, p := range res.Pairs {
		if l, ok := label[key{p.A, p.B}]; ok {
			model = append(model, res.ModelProb(i))
			same = append(same, l)
			delete(label, key{p.A, p.B}) // a pair once
		}
	}
	return match.CheckCalibration(model, same, 10)
}
