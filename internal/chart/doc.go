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
)

// newPlot is a plot of persons (from 0) with the legend at the top.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "persons"
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
