package report

import (
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/sample"
)

// The legend was one line whatever it held: a CO2 plot of a 12 h shift
// (alarm level, STEL limit, the Brief & Scala TWA limit, and the five
// lines every plot has) ran off the right of the page and of the SVG. It
// wraps onto as many lines as it needs, each inside the plot's width, and
// the plot gives them the room.
func TestPlotLegendStaysInsideThePlot(t *testing.T) {
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	row := export.Shift{Summary: exposure.Summary{Zone: "staff area by the observation window", Quantity: sample.CO2, Unit: "ppm",
		Start: start, End: start.Add(12 * time.Hour), Until: start.Add(12 * time.Hour),
		Limits: exposure.Limits{Alarm: 1500, STEL: 2000, TWA: 1000}, ReductionFactor: 0.5, AdjustedTWALimit: 500}}
	s := &series{row: row, until: row.End, yMax: 1800, points: 2,
		mean: []runXY{{{start, 800}, {start.Add(time.Hour), 1800}}}}
	rec := &recorder.Canvas{}
	c := draw.NewCanvas(rec, vg.Length(textW), vg.Length(plotH))
	drawSeries(c, s, nil, time.UTC)
	legend := map[string]bool{"minute mean": true, "minute maximum": true, "rolling 15 min average": true, "no data": true,
		"alarm level": true, "STEL limit": true, "TWA limit × 0.50 (Brief & Scala)": true, "alarm raised": true}
	seen := 0
	for _, a := range rec.Actions {
		fs, ok := a.(*recorder.FillString)
		if !ok || !legend[fs.String] {
			continue
		}
		seen++
		w := draw.TextStyle{Font: plotFont(6.5, false), Handler: plot.DefaultTextHandler}.Width(fs.String)
		if fs.Point.X < 0 || fs.Point.X+w > vg.Length(textW) {
			t.Errorf("legend item %q runs from %.0f to %.0f pt, outside the plot's %.0f pt", fs.String, fs.Point.X, fs.Point.X+w, textW)
		}
	}
	if seen < len(legend) {
		t.Errorf("%d of the %d legend items drawn", seen, len(legend))
	}
}
