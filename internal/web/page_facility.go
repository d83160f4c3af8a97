package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/rollcall-project/rollcall"
)

// FacilityView is the data of a facility's page.
type FacilityView struct {
	Facility *rollcall.Facility
	Events   []rollcall.Event
	Records  *ListView[rollcall.Record]
	Chart    *Chart
	Series   []PopPoint
}

// PopPoint is one population figure for a facility.
type PopPoint struct {
	Year   int
	Low    float64
	High   float64
	Point  float64
	Source string
}

// Chart is a small line chart of population over time, laid out here so
// the template only draws (an SVG with no script).
type Chart struct {
	W, H      int
	Path      string // the polyline of points
	Dots      []ChartDot
	XTicks    []ChartTick
	YTicks    []ChartTick
	PlotLeft  int
	PlotRight int
	PlotTop   int
	PlotBot   int
}

// ChartDot is a point with its range bar.
type ChartDot struct {
	X, Y, YLo, YHi float64
	Title          string
}

// ChartTick is an axis label.
type ChartTick struct {
	Pos   float64
	Label string
}

// populationSeries gathers population figures: published estimates whose
// subject is the facility's key, and the facility's own estimate.
func populationSeries(f *rollcall.Facility, pubs []rollcall.PublishedEstimate) []PopPoint {
	var pts []PopPoint
	for _, p := range pubs {
		y, err := strconv.Atoi(firstYear(p.Period))
		if err != nil {
			continue
		}
		pt := PopPoint{Year: y, Source: p.Source}
		switch {
		case p.Point != nil:
			pt.Point = *p.Point
		case p.Low != nil && p.High != nil:
			pt.Point = (*p.Low + *p.High) / 2
		default:
			continue
		}
		pt.Low, pt.High = pt.Point, pt.Point
		if p.Low != nil {
			pt.Low = *p.Low
		}
		if p.High != nil {
			pt.High = *p.High
		}
		pts = append(pts, pt)
	}
	if f.PopulationEst != nil {
		if y, err := strconv.Atoi(firstYear(f.PopulationYear)); err == nil {
			v := float64(*f.PopulationEst)
			pts = append(pts, PopPoint{Year: y, Low: v, High: v, Point: v, Source: f.Source})
		}
	}
	slices.SortStableFunc(pts, func(a, b PopPoint) int { return a.Year - b.Year })
	return pts
}

func firstYear(s string) string {
	for i := 0; i+4 <= len(s); i++ {
		if _, err := strconv.Atoi(s[i : i+4]); err == nil {
			return s[i : i+4]
		}
	}
	return ""
}

// chartOf lays out pts; nil when there is nothing to draw.
func chartOf(pts []PopPoint) *Chart {
	if len(pts) == 0 {
		return nil
	}
	c := &Chart{W: 600, H: 220, PlotLeft: 60, PlotRight: 580, PlotTop: 10, PlotBot: 190}
	y0, y1 := pts[0].Year, pts[len(pts)-1].Year
	if y0 == y1 {
		y0, y1 = y0-1, y1+1
	}
	top := 0.0
	for _, p := range pts {
		top = max(top, p.High)
	}
	if top == 0 {
		top = 1
	}
	x := func(y int) float64 {
		return float64(c.PlotLeft) + float64(y-y0)/float64(y1-y0)*float64(c.PlotRight-c.PlotLeft)
	}
	yy := func(v float64) float64 {
		return float64(c.PlotBot) - v/top*float64(c.PlotBot-c.PlotTop)
	}
	for i, p := range pts {
		d := ChartDot{X: x(p.Year), Y: yy(p.Point), YLo: yy(p.Low), YHi: yy(p.High),
			Title: fmt.Sprintf("%d: %.0f (%s)", p.Year, p.Point, p.Source)}
		c.Dots = append(c.Dots, d)
		if i == 0 {
			c.Path = fmt.Sprintf("M%.1f,%.1f", d.X, d.Y)
		} else {
			c.Path += fmt.Sprintf(" L%.1f,%.1f", d.X, d.Y)
		}
	}
	for _, y := range []int{y0, (y0 + y1) / 2, y1} {
		c.XTicks = append(c.XTicks, ChartTick{Pos: x(y), Label: strconv.Itoa(y)})
	}
	for _, f := range []float64{0, 0.5, 1} {
		c.YTicks = append(c.YTicks, ChartTick{Pos: yy(top * f), Label: strconv.FormatFloat(top*f, 'f', 0, 64)})
	}
	return c
}

func (s *Server) handleFacility(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f, err := s.store.GetFacility(ctx, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	idStr := strconv.FormatInt(id, 10)
	v := FacilityView{Facility: f}
	if v.Events, _, err = s.store.ListEvents(ctx, rollcall.ListOptions{Filters: map[string]string{"facility_id": idStr}, Limit: 200}); err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Events = visibleOnly(ctx, v.Events)
	if v.Records, err = listPage(r, s.store.ListRecords, map[string]string{"facility_id": idStr}); err != nil {
		s.renderError(w, r, err)
		return
	}
	pubs, _, err := s.store.ListPublishedEstimates(ctx, rollcall.ListOptions{Filters: map[string]string{"subject": f.Key}, Limit: 200})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Series = populationSeries(f, pubs)
	v.Chart = chartOf(v.Series)
	s.render(w, r, http.StatusOK, "facility", "facility.title", v)
}
