package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/rollcall-project/rollcall/internal/store"
)

// Estimates draws, for each estimate, the documented count (a bar: a lower
// bound) beside the estimate with its interval (a point with error bars), so
// that the documented figure is never read as the total.
func Estimates(rows []store.EstimateRow, l Labels) ([]byte, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("chart: estimates: no estimates to draw")
	}
	p := newPlot(l)
	p.Legend.Left = true
	names := make([]string, len(rows))
	observed := make(plotter.Values, len(rows))
	var pts plotter.XYs
	var errs plotter.YErrors
	top := 0.0
	for i, r := range rows {
		if l.Row != nil {
			names[i] = l.Row(r)
		} else {
			names[i] = r.Stratum + " · " + r.Method
		}
		observed[i] = float64(r.Observed)
		top = math.Max(top, observed[i])
		if r.Estimate < 0 {
			continue // unbounded: the table says so; nothing finite to draw
		}
		lo, hi := r.Estimate, r.Estimate
		if r.Lower != nil {
			lo = *r.Lower
		}
		if r.Upper != nil {
			hi = *r.Upper
		}
		pts = append(pts, plotter.XY{X: float64(i) + 0.18, Y: r.Estimate})
		errs = append(errs, struct{ Low, High float64 }{r.Estimate - lo, hi - r.Estimate})
		top = math.Max(top, hi)
	}
	p.NominalX(names...)
	bars, err := plotter.NewBarChart(observed, vg.Points(14))
	if err != nil {
		return nil, fmt.Errorf("chart: estimates: %w", err)
	}
	bars.Color = color.RGBA{0x56, 0xb4, 0xe9, 0xff}
	bars.LineStyle.Width = 0
	bars.Offset = -vg.Points(8)
	p.Add(bars)
	p.Legend.Add(l.word("documented (lower bound)"), bars)
	if len(pts) > 0 {
		type xyErr struct {
			plotter.XYs
			plotter.YErrors
		}
		eb, err := plotter.NewYErrorBars(xyErr{pts, errs})
		if err != nil {
			return nil, fmt.Errorf("chart: estimates: %w", err)
		}
		eb.Color = color.RGBA{0xd5, 0x5e, 0x00, 0xff}
		eb.LineStyle.Width = vg.Points(1.5)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: estimates: %w", err)
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Color = eb.Color
		sc.GlyphStyle.Radius = vg.Points(3)
		p.Add(eb, sc)
		p.Legend.Add(l.word("estimate with interval"), sc)
	}
	p.Y.Max = math.Max(1, top*1.3) // room for the legend
	p.X.Tick.Label.Rotation = 0.4
	p.X.Tick.Label.XAlign = draw.XRight
	width := vg.Length(math.Max(6, math.Min(14, 1.2*float64(len(rows))))) * vg.Inch
	return svg(p, width, 4.5*vg.Inch, "estimates")
}
