package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/rollcall-project/rollcall/internal/amnesty"
)

func TestAmnestiesIsWellFormed(t *testing.T) {
	announced := int64(3)
	rows := []amnesty.TimelineRow{
		{Key: "t-prison", Date: "2015-08-01", HasRule: true, AnnouncedFigure: &announced,
			Counts: amnesty.Counts{Documented: 6, Eligible: 3, Undetermined: 2, ReleaseVerified: 1, ReleaseReported: 1, NotReleased: 1}},
		{Key: "t-norule", Date: "2018-07-16"}, // no rule, no figure: those bars are left out
	}
	svg, err := Amnesties(rows, Labels{Title: "test"})
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := dec.Token(); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("SVG does not parse: %v", err)
		}
	}
	for _, want := range []string{"<svg", "eligible", "announced", "verified released", "test"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if path := os.Getenv("AMNESTY_WRITE_SVG"); path != "" {
		if err := os.WriteFile(path, svg, 0o644); err != nil {
			t.Error(err)
		}
	}
	if _, err := Amnesties(nil, Labels{Title: "x"}); err == nil {
		t.Error("empty chart: want an error")
	}
}
