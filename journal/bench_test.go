package journal

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
)

var benchQuantities = []string{"pm1", "pm2.5", "pm4", "pm10", "co2", "voc", "nox", "temperature", "humidity"}

// BenchmarkWriteMinuteBatch writes what the daemon writes each minute:
// one minute for 2 zones × 9 quantities, in one transaction. "synced" is
// a site's journal (every commit waits for the disk, so the figure is
// mostly the disk's); "unsynced" is -sim's and ventbench's.
func BenchmarkWriteMinuteBatch(b *testing.B) {
	for _, synced := range []bool{true, false} {
		name := map[bool]string{true: "synced", false: "unsynced"}[synced]
		b.Run(name, func(b *testing.B) {
			j := open(b, Options{})
			if synced {
				var err error
				if j, err = Open(filepath.Join(b.TempDir(), "journal.db"), Options{Clock: clock.NewSim(t0, 0)}); err != nil {
					b.Fatal(err)
				}
				defer j.Close()
			}
			zones := []string{"booth", "staff"}
			start := t0
			b.ReportAllocs()
			for b.Loop() {
				write(b, j, Batch{Minutes: minutes(start, 1, zones, benchQuantities)})
				start = start.Add(time.Minute)
			}
			b.StopTimer()
			days := float64(start.Sub(t0)) / float64(24*time.Hour)
			if size, _ := j.Size(); days >= 1 {
				b.ReportMetric(float64(size)/days/1e6, "MB/day")
			}
		})
	}
}

// BenchmarkMinutes8h reads one zone and quantity's 8 h window, and all
// of a shift's 18 series, from a week of data: what a restart reads to
// rebuild exposure.
func BenchmarkMinutes8h(b *testing.B) {
	j := open(b, Options{})
	zones := []string{"booth", "staff"}
	for d := range 7 {
		write(b, j, dayOfMinutes(t0.Add(time.Duration(d)*24*time.Hour), zones, benchQuantities))
	}
	from := t0.Add(3*24*time.Hour + 6*time.Hour)
	b.Run("one series", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ms, err := j.Minutes(from, from.Add(8*time.Hour), "staff", "pm2.5"); err != nil || len(ms) != 480 {
				b.Fatal(len(ms), err)
			}
		}
	})
	b.Run("all series", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ms, err := j.Minutes(from, from.Add(8*time.Hour), "", ""); err != nil || len(ms) != 480*18 {
				b.Fatal(len(ms), err)
			}
		}
	})
}

// BenchmarkWriteSiteMinute writes what a site's daemon writes each
// minute: the minutes of 2 zones × 9 quantities and the running shift
// summaries of PM2.5, PM10 and CO2 in both zones (live state, rewritten
// each minute), unsynced.
func BenchmarkWriteSiteMinute(b *testing.B) {
	j := open(b, Options{})
	zones := []string{"booth", "staff"}
	summary := []byte(`{"zone":"staff","quantity":"pm2.5","twa_osha":12.5,"twa_wsbc":12.5,"stel_max":40.25,"covered_s":3600,"gap_s":0,"peak":88.5,"over_limit":false}`)
	start := t0
	b.ReportAllocs()
	for b.Loop() {
		batch := Batch{Minutes: minutes(start, 1, zones, benchQuantities)}
		for _, z := range zones {
			for _, q := range []string{"pm2.5", "pm10", "co2"} {
				batch.Shifts = append(batch.Shifts, Shift{Zone: z, Quantity: q, Start: t0, End: t0.Add(12 * time.Hour), Summary: summary})
			}
		}
		write(b, j, batch)
		start = start.Add(time.Minute)
	}
}
