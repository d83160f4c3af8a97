package estimate_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/demo"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// Linkage draws over the database: the stored records are linked again
// with the stored decisions, the draws' estimates pooled and stored with
// their linkage share; the decisions are the labels of the calibration
// check.
func TestRunLinkageDraws(t *testing.T) { storetest.Run(t, testRunLinkageDraws) }

func testRunLinkageDraws(t *testing.T, db storetest.DB) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	st := storetest.Open(t, store.Open, db.DSN, store.Options{})
	// FICTIONAL persons stored as the generator's truth: the point
	// clustering is the true one.
	if err := demo.LoadTruth(ctx, st, 600, 8); err != nil {
		t.Fatal(err)
	}
	point, err := estimate.Run(ctx, st, estimate.Options{Method: mse.MethodChao})
	if err != nil {
		t.Fatal(err)
	}
	// Decisions: 25 pairs of one person said same, 25 of two said different.
	recs, err := st.CaptureRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var same, diff int
	byPerson := map[int64]int64{}
	for i, r := range recs {
		if first, ok := byPerson[r.PersonID]; ok && same < 25 {
			if err := st.AddLinkDecision(ctx, first, r.ID, true, "test", ""); err != nil {
				t.Fatal(err)
			}
			same++
		} else if !ok {
			byPerson[r.PersonID] = r.ID
		}
		if j := i + 7; j < len(recs) && recs[j].PersonID != r.PersonID && diff < 25 && i%3 == 0 {
			if err := st.AddLinkDecision(ctx, r.ID, recs[j].ID, false, "test", ""); err != nil {
				t.Fatal(err)
			}
			diff++
		}
	}
	check, err := link.CheckCalibration(ctx, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if check.Pairs != 50 || check.Matches > check.Doubtful || check.Off {
		t.Errorf("calibration check on the decisions: %+v", check)
	}

	out, err := estimate.Run(ctx, st, estimate.Options{Method: mse.MethodChao, LinkageDraws: 5, LinkageSeed: 3, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Result
	if r.Linkage == nil || r.Linkage.Draws != 5 || out.Linkage == nil || out.Linkage.Calibration.Pairs != 50 {
		t.Fatalf("linkage %+v, %+v", r.Linkage, out.Linkage)
	}
	if math.Abs(r.Estimate/point.Result.Estimate-1) > 0.1 || r.Lower > point.Result.Estimate || r.Upper < point.Result.Estimate {
		t.Errorf("linkage-averaged %.0f [%.0f, %.0f], on the true persons %.0f", r.Estimate, r.Lower, r.Upper, point.Result.Estimate)
	}
	again, err := estimate.Run(ctx, st, estimate.Options{Method: mse.MethodChao, LinkageDraws: 5, LinkageSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if again.Result.Estimate != r.Estimate || again.InputHash != out.InputHash {
		t.Errorf("same seed, another result: %.1f (%s) and %.1f (%s)", r.Estimate, out.InputHash, again.Result.Estimate, again.InputHash)
	}
	saved, err := st.ListEstimates(ctx)
	if err != nil || len(saved) != 1 {
		t.Fatalf("saved %d, %v", len(saved), err)
	}
	var params struct {
		Draws   int         `json:"linkage_draws"`
		Linkage mse.Linkage `json:"linkage"`
	}
	if err := json.Unmarshal([]byte(saved[0].ParamsJSON), &params); err != nil || params.Draws != 5 || params.Linkage.Draws != 5 {
		t.Errorf("stored %s (%v)", saved[0].ParamsJSON, err)
	}

	// Deaths, stratified, over the draws.
	died, err := estimate.Run(ctx, st, estimate.Options{Method: mse.MethodChao, By: estimate.Strata{"sex"},
		Count: estimate.Count{Fate: []string{"died"}}, LinkageDraws: 3, LinkageSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if died.Result.Linkage == nil || len(died.Result.Strata) != 2 || died.Result.Observed >= r.Observed/2 {
		t.Errorf("deaths by sex over draws: %+v observed %d", died.Result.Linkage, died.Result.Observed)
	}

	// Decisions that contradict the model (pairs of two persons said to be
	// one): the check finds the probabilities off and the draws use the
	// curve fitted on the decisions.
	added := 0
	for i := 0; i+11 < len(recs) && added < 40; i += 5 {
		if recs[i].PersonID != recs[i+11].PersonID {
			if err := st.AddLinkDecision(ctx, recs[i].ID, recs[i+11].ID, true, "test", ""); err != nil {
				t.Fatal(err)
			}
			added++
		}
	}
	off, err := estimate.Run(ctx, st, estimate.Options{Method: mse.MethodChao, LinkageDraws: 2, LinkageSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if c := off.Linkage.Calibration; !c.Off || len(c.Curve) == 0 || !off.Linkage.Recalibrated {
		t.Errorf("contradicting decisions: check %+v, recalibrated %v", c, off.Linkage.Recalibrated)
	}
}
