package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/rollcall-project/rollcall/internal/amnesty"
)

// amnestySeries are the bars drawn for each decree, with their colours
// (colour-blind safe Okabe–Ito palette).
var amnestySeries = []struct {
	label string
	value func(amnesty.TimelineRow) (float64, bool)
	color color.RGBA
}{
	{"announced", func(t amnesty.TimelineRow) (float64, bool) {
		if t.AnnouncedFigure == nil {
			return 0, false
		}
		return float64(*t.AnnouncedFigure), true
	}, color.RGBA{0x99, 0x99, 0x99, 0xff}},
	{"documented detainees", func(t amnesty.TimelineRow) (float64, bool) { return float64(t.Documented), true }, color.RGBA{0x56, 0xb4, 0xe9, 0xff}},
	{"eligible", func(t amnesty.TimelineRow) (float64, bool) { return float64(t.Eligible), t.HasRule }, color.RGBA{0x00, 0x9e, 0x73, 0xff}},
	{"undetermined", func(t amnesty.TimelineRow) (float64, bool) { return float64(t.Undetermined), t.HasRule }, color.RGBA{0xe6, 0x9f, 0x00, 0xff}},
	{"verified released", func(t amnesty.TimelineRow) (float64, bool) { return float64(t.ReleaseVerified), true }, color.RGBA{0x00, 0x72, 0xb2, 0xff}},
	{"reported released", func(t amnesty.TimelineRow) (float64, bool) { return float64(t.ReleaseReported), true }, color.RGBA{0xcc, 0x79, 0xa7, 0xff}},
	{"not released", func(t amnesty.TimelineRow) (float64, bool) { return float64(t.NotReleased), true }, color.RGBA{0xd5, 0x5e, 0x00, 0xff}},
}

// Amnesties draws one group of bars per decree (announced figure when it is
// a number, documented detainees, eligible, undetermined, verified released,
// not released) as an SVG document the web page can embed. A bar that
// does not apply (no announced number, no rule) is left out, not drawn as 0.
func Amnesties(rows []amnesty.TimelineRow, l Labels) ([]byte, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("chart: amnesties: no decrees to draw")
	}
	p := newPlot(l)
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Date
		if len(names[i]) > 7 {
			names[i] = names[i][:7]
		}
	}
	p.NominalX(names...)
	// Only series with a value somewhere are drawn, centred on the tick.
	type series struct {
		label string
		vals  plotter.Values
		color color.RGBA
	}
	var drawn []series
	top := 0.0
	for _, s := range amnestySeries {
		vals := make(plotter.Values, len(rows))
		any := false
		for i, r := range rows {
			if v, ok := s.value(r); ok {
				vals[i] = v
				any = any || v > 0
				top = math.Max(top, v)
			}
		}
		if any {
			drawn = append(drawn, series{l.word(s.label), vals, s.color})
		}
	}
	width := vg.Points(math.Max(3, math.Min(14, 400/float64(len(rows)*max(len(drawn), 1)))))
	for k, s := range drawn {
		b, err := plotter.NewBarChart(s.vals, width)
		if err != nil {
			return nil, fmt.Errorf("chart: amnesties: %w", err)
		}
		b.Color = s.color
		b.LineStyle.Width = 0
		b.Offset = width * vg.Length(float64(k)-float64(len(drawn)-1)/2)
		p.Add(b)
		p.Legend.Add(s.label, b)
	}
	p.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ticks := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = fmt.Sprintf("%.0f", ticks[i].Value)
			}
		}
		return ticks
	})
	if top == 0 {
		p.Y.Max = 1
	}
	p.Y.Max = math.Max(p.Y.Max, top*1.25) // room for the legend
	return svg(p, 8*vg.Inch, 4*vg.Inch, "amnesties")
}
