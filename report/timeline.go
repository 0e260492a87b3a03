package report

import (
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Level colours, as a gas detector's: amber warning (A1), red alarm (A2),
// purple fault.
func levelColor(level string) color.Color {
	switch level {
	case "warning":
		return color.RGBA{R: 0xf0, G: 0xa2, B: 0x02, A: 0xff}
	case "alarm":
		return color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	case "fault":
		return color.RGBA{R: 0x6a, G: 0x1b, B: 0x9a, A: 0xff}
	}
	return color.Gray{Y: 0x80}
}

const (
	laneH     = vg.Length(13)
	maxLanes  = 14
	axisH     = vg.Length(14)
	timelineL = vg.Length(30) // left margin, as the plots' y axis
)

// timelineHeight is the height drawTimeline needs for n alarms.
func timelineHeight(n int) vg.Length {
	return vg.Length(min(n, maxLanes))*laneH + axisH + 4
}

// drawTimeline draws the shift's alarms as bars on one time axis, one lane
// each: from raised (or the shift's start) to cleared (or its end), in the
// level's colour, a white dot where it was acknowledged and the name of
// who did. Alarms beyond maxLanes are left to the table below it.
func drawTimeline(c draw.Canvas, sh *shift, loc *time.Location) {
	lo, hi := unix(sh.start), unix(sh.end)
	x := func(t time.Time) vg.Length {
		f := (unix(t) - lo) / (hi - lo)
		return c.Min.X + timelineL + vg.Length(min(max(f, 0), 1))*(c.Max.X-c.Min.X-timelineL-4)
	}
	small := draw.TextStyle{Color: color.Black, Font: plotFont(6.5, false), XAlign: draw.XLeft, YAlign: draw.YCenter,
		Handler: plot.DefaultTextHandler}
	grey := draw.LineStyle{Color: color.Gray{Y: 0xbb}, Width: 0.4}
	axisY := c.Min.Y + axisH
	top := axisY + vg.Length(min(len(sh.alarms), maxLanes))*laneH
	// Hour lines and labels, as on the plots.
	for _, tk := range hourTicks(loc).Ticks(lo, hi) {
		t := time.UnixMilli(int64(tk.Value * 1000))
		px := x(t)
		c.StrokeLine2(grey, px, axisY, px, top)
		if tk.Label != "" {
			ts := small
			ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
			c.FillText(ts, vg.Point{X: px, Y: axisY - 2}, tk.Label)
		}
	}
	c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: 0.5}, x(sh.start), axisY, x(sh.end), axisY)
	for i, a := range sh.alarms {
		if i == maxLanes {
			break
		}
		y := top - vg.Length(i)*laneH - laneH/2
		from, to := a.raised, a.cleared
		if from.IsZero() || from.Before(sh.start) {
			from = sh.start
		}
		if to.IsZero() || to.After(sh.end) {
			to = sh.end
		}
		x0, x1 := x(from), x(to)
		if x1-x0 < 1.5 {
			x1 = x0 + 1.5
		}
		col := levelColor(a.level)
		c.FillPolygon(col, []vg.Point{{X: x0, Y: y - 3.5}, {X: x1, Y: y - 3.5}, {X: x1, Y: y + 3.5}, {X: x0, Y: y + 3.5}})
		lt := small
		lt.XAlign = draw.XRight
		c.FillText(lt, vg.Point{X: c.Min.X + timelineL - 3, Y: y}, "#"+strconv.FormatUint(a.id, 10))
		label := a.rule
		for _, ack := range a.acks {
			if ack.Time.Before(sh.start) || !ack.Time.Before(sh.end) {
				continue
			}
			ax := x(ack.Time)
			c.FillPolygon(color.White, circle(ax, y, 2.2))
			c.StrokeLines(draw.LineStyle{Color: color.Black, Width: 0.5}, append(circle(ax, y, 2.2), circle(ax, y, 2.2)[0]))
			label += " · ack " + ack.Who + " " + ack.Time.In(loc).Format("15:04")
		}
		tx := x1 + 3
		ts := small
		if w := ts.Width(label); tx+w > c.Max.X { // no room after the bar: before it
			ts.XAlign = draw.XRight
			tx = x0 - 3
		}
		c.FillText(ts, vg.Point{X: tx, Y: y}, label)
	}
}

func circle(x, y, r vg.Length) []vg.Point {
	const n = 12
	pts := make([]vg.Point, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / n
		pts[i] = vg.Point{X: x + r*vg.Length(math.Cos(a)), Y: y + r*vg.Length(math.Sin(a))}
	}
	return pts
}
