// Package chart draws rollcall's charts as SVG documents the web pages
// embed and the command line writes (gonum/plot): stored estimates beside
// the documented counts, and amnesties announced against documented,
// eligible and released. Colours are the colour-blind safe Okabe–Ito
// palette; a figure that does not apply is left out, never drawn as 0.
package chart

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/rollcall-project/rollcall/internal/store"
)

// Labels are a chart's words in the reader's language. A word missing from
// Words is its English default (the key itself, e.g. "documented (lower
// bound)"), so a caller translates what it can and nothing is left blank.
type Labels struct {
	Title string
	Words map[string]string
	// Row names an estimate on the x axis (default: "stratum · method").
	Row func(store.EstimateRow) string
}

// word is the text of key in l.
func (l Labels) word(key string) string {
	if w, ok := l.Words[key]; ok && w != "" {
		return w
	}
	return key
}

// WordKeys are the keys of Labels.Words the charts use (the English
// defaults), for callers that translate them.
var WordKeys = []string{"persons", "documented (lower bound)", "estimate with interval", "announced", "documented detainees",
	"eligible", "undetermined", "verified released", "reported released", "not released"}

// newPlot is a plot of persons (from 0) with the legend at the top.
func newPlot(l Labels) *plot.Plot {
	p := plot.New()
	p.Title.Text = l.Title
	p.Y.Label.Text = l.word("persons")
	p.Y.Min = 0
	p.Legend.Top = true
	return p
}

// svg renders p as an SVG document of the given size; what names the chart
// in errors.
func svg(p *plot.Plot, width, height vg.Length, what string) ([]byte, error) {
	wt, err := p.WriterTo(width, height, "svg")
	if err != nil {
		return nil, fmt.Errorf("chart: %s: %w", what, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %s: %w", what, err)
	}
	return buf.Bytes(), nil
}
