package report

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ventd/ventd/export"
)

// Colours of the plots, chosen to stay apart in grey print too.
var (
	colMean  = color.RGBA{R: 0x1f, G: 0x5f, B: 0xa8, A: 0xff} // dark blue
	colMax   = color.RGBA{R: 0xa9, G: 0xc4, B: 0xe6, A: 0xff} // pale blue
	colSTEL  = color.RGBA{R: 0xe0, G: 0x7b, B: 0x00, A: 0xff} // orange
	colLimit = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff} // red
	colTWA   = color.RGBA{R: 0x6a, G: 0x1b, B: 0x9a, A: 0xff} // purple
	colGap   = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff} // light grey
	// Above the sensor's range (dense smoke): a pale tint over the time
	// and a dark band along the top, so it never reads as "no data"
	// (ventd not running), and the axis stopping at the range's top
	// does not read as the air's top.
	colAboveTint = color.RGBA{R: 0xf6, G: 0xdc, B: 0xc0, A: 0xff} // pale amber
	colAbove     = color.RGBA{R: 0x7a, G: 0x3b, B: 0x00, A: 0xff} // dark brown
	colAlarm     = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
)

// limitLine is a limit drawn across a plot.
type limitLine struct {
	name  string
	value float64
	col   color.Color
	dash  bool
}

// limits returns the row's limits worth drawing: the alarm level, the
// STEL limit and the (Brief & Scala adjusted) TWA limit.
func limits(row export.Shift) []limitLine {
	var out []limitLine
	if v := row.Limits.Alarm; v > 0 {
		out = append(out, limitLine{"alarm level", v, colLimit, true})
	}
	if v := row.Limits.STEL; v > 0 {
		out = append(out, limitLine{"STEL limit", v, colLimit, false})
	}
	if v := row.AdjustedTWALimit; v > 0 {
		name := "TWA limit"
		if row.ReductionFactor != 1 {
			name = fmt.Sprintf("TWA limit × %.2f (Brief & Scala)", row.ReductionFactor)
		}
		out = append(out, limitLine{name, v, colTWA, true})
	}
	return out
}

// plotted is what drawSeries drew, for the caption.
type plotted struct {
	offScale []limitLine // limits far above the data, named but not drawn
}

// drawSeries draws s into c: gaps shaded, the minute maxima and means, the
// rolling 15 min average, the limits within reach of the data, and the
// times alarms were raised for this zone and pollutant.
func drawSeries(c draw.Canvas, s *series, alarms []*alarmSpan, loc *time.Location) plotted {
	var out plotted
	p := plot.New()
	style(p)
	x0, x1 := unix(s.row.Start), unix(s.row.End)
	p.X.Min, p.X.Max = x0, x1
	p.X.Tick.Marker = hourTicks(loc)
	p.Y.Min = 0
	p.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = trimNum(ts[i].Value)
			}
		}
		return ts
	})
	top := s.yMax
	var drawn []limitLine
	for _, l := range limits(s.row) {
		// A limit far above the data would flatten it to the axis.
		if s.points > 0 && l.value > 3*max(top, 1) {
			out.offScale = append(out.offScale, l)
			continue
		}
		drawn = append(drawn, l)
		top = max(top, l.value)
	}
	if top <= 0 {
		top = 1
	}
	p.Y.Max = top * 1.12
	p.Y.Label.Text = s.row.Unit
	p.Add(&shade{spans: s.gaps, lo: x0, hi: x1, col: colGap})
	p.Add(&shade{spans: s.above, lo: x0, hi: x1, col: colAboveTint, band: colAbove})
	p.Add(plotter.NewGrid())
	for _, l := range drawn {
		p.Add(&hline{l: l})
	}
	lines := func(runs []runXY, col color.Color, width vg.Length) {
		for _, r := range runs {
			pts := make(plotter.XYs, len(r))
			for i, q := range r {
				pts[i] = plotter.XY{X: unix(q.t), Y: q.v}
			}
			if len(pts) == 1 { // one lone minute: a short tick, not nothing
				pts = append(pts, plotter.XY{X: pts[0].X + 20, Y: pts[0].Y})
				pts[0].X -= 20
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				continue
			}
			l.Color, l.Width = col, width
			p.Add(l)
		}
	}
	lines(s.max, colMax, 0.6)
	lines(s.mean, colMean, 0.9)
	lines(s.stel, colSTEL, 1.4)
	var marks []float64
	for _, a := range alarms {
		if a.subj == s.row.Zone && a.quantity == string(s.row.Quantity) && !a.raised.IsZero() {
			marks = append(marks, unix(a.raised))
		}
	}
	p.Add(&alarmMarks{at: marks})

	rows := legendRows(legendItems(drawn, len(s.above) > 0), c.Max.X-c.Min.X-legendIndent)
	legendH := legendLineH * vg.Length(len(rows))
	drawLegend(draw.Crop(c, 0, 0, c.Max.Y-c.Min.Y-legendH, 0), rows)
	p.Draw(draw.Crop(c, 0, 0, 0, -legendH))
	return out
}

func unix(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// style sets the report's fonts and a light frame on p.
func style(p *plot.Plot) {
	p.Title.TextStyle.Font = plotFont(9, true)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = plotFont(7, false)
		a.Tick.Label.Font = plotFont(7, false)
		a.Width = 0.5
		a.Tick.LineStyle.Width = 0.5
	}
	p.Legend.TextStyle.Font = plotFont(7, false)
	p.BackgroundColor = color.Transparent
}

// hourTicks labels whole local hours, every 1, 2 or 3 h so that about
// eight labels fit, with a minor tick at every hour between.
func hourTicks(loc *time.Location) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		span := (hi - lo) / 3600
		step := max(1, int(math.Ceil(span/8)))
		// Whole hours of the local wall clock: Truncate works on absolute
		// time, which puts them on the half hour in India or Newfoundland.
		l := time.Unix(int64(lo), 0).In(loc)
		start := l.Add(-time.Duration(l.Minute())*time.Minute - time.Duration(l.Second())*time.Second)
		var ts []plot.Tick
		for t := start; unix(t) <= hi; t = t.Add(time.Hour) {
			v := unix(t)
			if v < lo {
				continue
			}
			label := ""
			if t.In(loc).Hour()%step == 0 {
				label = t.In(loc).Format("15:04")
			}
			ts = append(ts, plot.Tick{Value: v, Label: label})
		}
		return ts
	})
}

// shade fills the spans without data across the whole plot height in col,
// with a band along the top in band when set (above the sensor's range).
type shade struct {
	spans     []span
	lo, hi    float64
	col, band color.Color
}

// aboveBandH is the height of the band along a plot's top where every
// sensor read above its range.
const aboveBandH = vg.Length(5)

func (s *shade) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, g := range s.spans {
		a, b := max(unix(g.from), s.lo), min(unix(g.to), s.hi)
		if b <= a {
			continue
		}
		x0, x1 := trX(a), trX(b)
		if x1-x0 < 0.6 { // a few seconds: still visible
			x1 = x0 + 0.6
		}
		c.FillPolygon(s.col, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		if s.band != nil {
			c.FillPolygon(s.band, []vg.Point{{X: x0, Y: c.Max.Y - aboveBandH}, {X: x1, Y: c.Max.Y - aboveBandH}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		}
	}
}

// hline is a limit across the plot, named at its right end.
type hline struct{ l limitLine }

func (h *hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.l.value)
	ls := draw.LineStyle{Color: h.l.col, Width: 0.8}
	if h.l.dash {
		ls.Dashes = []vg.Length{3, 2}
	}
	c.StrokeLine2(ls, c.Min.X, y, c.Max.X, y)
	ts := draw.TextStyle{Color: h.l.col, Font: plotFont(6.5, false), XAlign: draw.XRight, YAlign: draw.YBottom,
		Handler: p.Title.TextStyle.Handler}
	c.FillText(ts, vg.Point{X: c.Max.X - 2, Y: y + 1}, fmt.Sprintf("%s %s", h.l.name, trimNum(h.l.value)))
}

// alarmMarks are small triangles at the top of the plot where an alarm
// was raised.
type alarmMarks struct{ at []float64 }

func (a *alarmMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, x := range a.at {
		px := trX(x)
		if px < c.Min.X || px > c.Max.X {
			continue
		}
		y := c.Max.Y
		c.FillPolygon(colAlarm, []vg.Point{{X: px - 3, Y: y}, {X: px + 3, Y: y}, {X: px, Y: y - 5}})
	}
}

// legendItem is one entry of a plot's legend: a sample of its line (or a
// filled box) and its name.
type legendItem struct {
	name string
	col  color.Color
	w    vg.Length
	dash bool
	fill bool
}

// The legend's layout: each line's height, where the first item starts,
// the sample's length and the spaces after it and after a name.
const (
	legendLineH  = vg.Length(11)
	legendIndent = vg.Length(30)
	legendSample = vg.Length(15)
	legendSpace  = vg.Length(10)
)

// legendStyle is the legend's text.
func legendStyle() draw.TextStyle {
	return draw.TextStyle{Color: color.Black, Font: plotFont(6.5, false), XAlign: draw.XLeft, YAlign: draw.YCenter,
		Handler: plot.DefaultTextHandler}
}

// legendItems are a plot's legend entries: its lines, then the limits
// drawn, then the alarm marks; with above, the time above the sensor's
// range after "no data".
func legendItems(drawn []limitLine, above bool) []legendItem {
	items := []legendItem{{"minute mean", colMean, 0.9, false, false}, {"minute maximum", colMax, 0.8, false, false},
		{"rolling 15 min average", colSTEL, 1.4, false, false}, {"no data", colGap, 0, false, true}}
	if above {
		items = append(items, legendItem{"above the sensor's range (at least its top)", colAbove, 0, false, true})
	}
	for _, l := range drawn {
		items = append(items, legendItem{l.name, l.col, 0.8, l.dash, false})
	}
	return append(items, legendItem{"alarm raised", colAlarm, 0, false, true})
}

// legendRows puts the items on lines of at most width each, in order, as
// many lines as they need (one item longer than a line has one to itself).
func legendRows(items []legendItem, width vg.Length) [][]legendItem {
	ts := legendStyle()
	var rows [][]legendItem
	var x vg.Length
	for _, it := range items {
		w := legendSample + ts.Width(it.name)
		if len(rows) == 0 || x > 0 && x+w > width {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], it)
		x += w + legendSpace
	}
	return rows
}

// drawLegend draws the legend's lines, top down, in c.
func drawLegend(c draw.Canvas, rows [][]legendItem) {
	ts := legendStyle()
	for i, row := range rows {
		x := c.Min.X + legendIndent
		y := c.Max.Y - legendLineH*(vg.Length(i)+0.5)
		for _, it := range row {
			if it.fill {
				c.FillPolygon(it.col, []vg.Point{{X: x, Y: y - 3}, {X: x + 12, Y: y - 3}, {X: x + 12, Y: y + 3}, {X: x, Y: y + 3}})
			} else {
				ls := draw.LineStyle{Color: it.col, Width: it.w}
				if it.dash {
					ls.Dashes = []vg.Length{3, 2}
				}
				c.StrokeLine2(ls, x, y, x+12, y)
			}
			x += legendSample
			c.FillText(ts, vg.Point{X: x, Y: y}, it.name)
			x += ts.Width(it.name) + legendSpace
		}
	}
}

// trimNum prints a limit without trailing zeros: 125.5, 30000.
func trimNum(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
