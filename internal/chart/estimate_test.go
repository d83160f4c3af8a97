package chart

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/rollcall-project/rollcall/internal/store"
)

func TestEstimatesIsWellFormed(t *testing.T) {
	lo, hi := 130.0, 349.0
	rows := []store.EstimateRow{
		{Stratum: "all", Method: "loglinear", Observed: 123, Estimate: 157.2, Lower: &lo, Upper: &hi},
		{Stratum: "all", Method: "loglinear", Observed: 96, Estimate: -1}, // unbounded
	}
	svg, err := Estimates(rows, Labels{Title: "Fictional test"})
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
	if _, err := Estimates(nil, Labels{Title: "x"}); err == nil {
		t.Error("empty chart: want an error")
	}
}
