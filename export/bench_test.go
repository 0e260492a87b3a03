package export_test

import (
	"io"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// benchJournal holds 30 days of minutes for 2 zones × 3 quantities
// (259,200 rows) and, with live, the two 12 h shifts a day of each series
// with a stored summary (360 rows).
func benchJournal(b *testing.B, live bool) *journal.Journal {
	b.Helper()
	j := newJournal(b)
	zones, qs := []string{"booth", "staff"}, []sample.Quantity{sample.PM25, sample.PM10, sample.CO2}
	first := time.Date(2026, 3, 1, 7, 0, 0, 0, vancouver)
	for d := range 30 {
		var batch journal.Batch
		day := first.AddDate(0, 0, d)
		for i := range 1440 {
			at := day.Add(time.Duration(i) * time.Minute).UTC()
			for zi, z := range zones {
				for qi, q := range qs {
					mean := 10 + float64(zi*7+qi*3) + float64(i%37)*0.7
					batch.Minutes = append(batch.Minutes, journal.Minute{Start: at, Zone: z, Quantity: string(q),
						Mean: mean, Max: mean * 1.4, Count: 60, CoveredSeconds: 60})
				}
			}
		}
		if live {
			for _, h := range []time.Duration{0, 12 * time.Hour} {
				start := day.Add(h)
				for _, z := range zones {
					for _, q := range qs {
						s := exposure.Summary{Quantity: q, Unit: q.Unit(), Zone: z, Start: start, End: start.Add(12 * time.Hour),
							Length: exposure.Duration(12 * time.Hour), Until: start.Add(12 * time.Hour), Finished: true, Complete: true,
							TWA: 31.5, MeanCovered: 21, ReductionFactor: 0.5, STELPeak: 48.2, STELPeakAt: start.Add(3 * time.Hour),
							Elapsed: exposure.Duration(12 * time.Hour), Covered: exposure.Duration(12 * time.Hour), Coverage: 100}
						batch.Shifts = append(batch.Shifts, journal.Shift{Zone: z, Quantity: string(q), Start: start, End: start.Add(12 * time.Hour),
							Finished: true, Summary: summaryJSON(b, s)})
					}
				}
			}
		}
		write(b, j, batch)
	}
	return j
}

type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

var _ io.Writer = new(counter)

func benchExport(b *testing.B, j *journal.Journal, o export.Options) {
	var n counter
	for b.Loop() {
		n = 0
		if err := export.Write(&n, j, o); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(n))
	b.ReportMetric(float64(n)/1e6, "MB/export")
}

// BenchmarkExport30Days exports a month of a room's record with the
// daemon's stored shift summaries.
func BenchmarkExport30Days(b *testing.B) {
	j := benchJournal(b, true)
	for _, f := range []string{"csv", "json"} { // openmetrics: BenchmarkExportOpenMetrics
		b.Run(f, func(b *testing.B) {
			benchExport(b, j, export.Options{Format: f, Location: vancouver, Now: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)})
		})
	}
}

// BenchmarkExport30DaysRebuild is the same month from a journal without
// shift summaries: 360 shifts rebuilt from their minutes.
func BenchmarkExport30DaysRebuild(b *testing.B) {
	j := benchJournal(b, false)
	benchExport(b, j, export.Options{Format: "csv", Location: vancouver, Config: cfg, Now: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)})
}
