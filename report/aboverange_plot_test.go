package report

import (
	"image/color"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/sample"
)

// The plots shaded time above the sensor's range grey, as "no data", the
// shade of ventd not running, while the minute maxima stopped at the
// range's top: dense smoke read as a clean axis top and an outage. It is
// drawn apart: a tint of its own with a band along the plot's top, named
// in the legend as above the sensor's range.
func TestPlotDrawsAboveRangeApart(t *testing.T) {
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	smoke, down := start.Add(3*time.Hour), start.Add(6*time.Hour)
	row := export.Shift{Summary: exposure.Summary{Zone: "booth", Quantity: sample.PM25, Unit: "µg/m³",
		Start: start, End: start.Add(12 * time.Hour), Until: start.Add(12 * time.Hour), Limits: exposure.Limits{Alarm: 125.5}},
		Gaps: []export.ShiftGap{{Start: smoke, Length: exposure.Duration(10 * time.Minute), Reason: "above_range"},
			{Start: down, Length: exposure.Duration(20 * time.Minute), Reason: "daemon_down"}}}
	s := &series{row: row, until: row.End, yMax: 1000, points: 2,
		max: []runXY{{{start, 40}, {smoke, 1000}, {smoke.Add(10 * time.Minute), 1000}}}}
	s.gaps, s.above = gapSpans(row)
	rec := &recorder.Canvas{}
	drawSeries(draw.NewCanvas(rec, vg.Length(textW), vg.Length(plotH)), s, nil, time.UTC)
	fills := map[color.Color]int{}
	legend := false
	for _, a := range rec.Actions {
		switch a := a.(type) {
		case *recorder.FillString:
			legend = legend || a.String == "above the sensor's range (at least its top)"
		}
	}
	// The recorder keeps the colour set before each fill.
	var cur color.Color
	for _, a := range rec.Actions {
		switch a := a.(type) {
		case *recorder.SetColor:
			cur = a.Color
		case *recorder.Fill:
			fills[cur]++
		}
	}
	t.Logf("fills by colour: %v; legend names above the range: %v", fills, legend)
	if fills[colGap] == 0 {
		t.Errorf("the daemon_down gap is not shaded grey")
	}
	if fills[colAboveTint] == 0 || fills[colAbove] < 2 { // the band, and the legend's box
		t.Errorf("the time above the sensor's range is not drawn apart (tint %d, band %d fills)", fills[colAboveTint], fills[colAbove])
	}
	if fills[colGap] > 2 { // the daemon_down gap and the legend's box
		t.Errorf("%d grey fills: the time above the range is shaded as no data too", fills[colGap])
	}
	if !legend {
		t.Errorf("the legend does not name the time above the sensor's range")
	}
}
