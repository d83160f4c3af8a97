package estimate

import (
	"bytes"
	"encoding/xml"
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

func TestChartSVGIsWellFormed(t *testing.T) {
	lo, hi := 130.0, 349.0
	rows := []store.EstimateRow{
		{Stratum: "all", Method: "loglinear", Observed: 123, Estimate: 157.2, Lower: &lo, Upper: &hi},
		{Stratum: "all", Method: "loglinear", Observed: 96, Estimate: -1}, // unbounded
	}
	svg, err := ChartSVG(rows, "Fictional test")
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("SVG does not parse: %v", err)
		}
	}
	for _, want := range []string{"<svg", "documented (lower bound)", "estimate with interval", "Fictional test"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if _, err := ChartSVG(nil, "x"); err == nil {
		t.Error("empty chart: want an error")
	}
}
