package estimate

import (
	"testing"
	"time"

	"github.com/rollcall-project/rollcall/internal/store"
)

func TestLatestKeepsNewestPerStratumAndMethod(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := []store.EstimateRow{
		{ID: 1, Stratum: "all", Method: "loglinear", Estimate: 100, CreatedAt: t0},
		{ID: 2, Stratum: "all", Method: "lcmcr", Estimate: 120, CreatedAt: t0},
		{ID: 3, Stratum: "all", Method: "loglinear", Estimate: 110, CreatedAt: t0.Add(time.Hour)},
		{ID: 4, Stratum: "sex=f", Method: "loglinear", Estimate: 50, CreatedAt: t0},
	}
	got := Latest(rows)
	if len(got) != 3 || got[0].ID != 3 || got[1].ID != 2 || got[2].ID != 4 {
		t.Errorf("Latest = %+v", got)
	}
}
