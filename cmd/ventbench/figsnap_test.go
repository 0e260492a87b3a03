package main

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// TestFigureSnapshotMatchesFrom checks that what the figures read of a
// period is the same whether the snapshot is built in full or in part:
// the time, the fans, and each good PM2.5 reading's sensor, zone,
// quantity, rounded value, time and quality, in the same order (the other
// readings, which figures.add skips, are left out of the part).
func TestFigureSnapshotMatchesFrom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var light snapshot.Snapshot
	qs := []sample.Quantity{sample.PM25, sample.PM10, sample.CO2, sample.Pressure}
	quals := []sample.Quality{sample.Good, sample.Stale, sample.Fault}
	for period := range 200 {
		p := &record.Period{Time: now.Add(time.Duration(period) * time.Second),
			Fans: []record.Fan{{Name: "booth-1", Duty: rng.Float64()}, {Name: "booth-2", Duty: rng.Float64()}}}
		for i := range rng.IntN(12) {
			s := sample.Sample{Sensor: "s" + string(rune('a'+i)), Zone: "z" + string(rune('a'+i%3)),
				Quantity: qs[rng.IntN(len(qs))], Value: rng.ExpFloat64() * 100 * float64(rng.IntN(3)),
				Time: p.Time.Add(-time.Duration(rng.IntN(5)) * time.Second), Quality: quals[rng.IntN(len(quals))]}
			if s.Quality != sample.Good {
				s.Err = errors.New("broken")
			}
			p.Readings = append(p.Readings, s)
		}
		full, part := snapshot.From(p, nil), figureSnapshot(&light, p)
		read := full.Readings[:0:0]
		for _, r := range full.Readings {
			if figureReading(r.Quantity, r.Quality) {
				read = append(read, r)
			}
		}
		full.Readings = read
		if !full.Time.Equal(part.Time) || len(full.Fans) != len(part.Fans) || &full.Fans[0] != &part.Fans[0] {
			t.Fatalf("period %d: time or fans differ", period)
		}
		if len(full.Readings) != len(part.Readings) {
			t.Fatalf("period %d: %d readings, want %d", period, len(part.Readings), len(full.Readings))
		}
		for i, f := range full.Readings {
			g := part.Readings[i]
			if f.Sensor != g.Sensor || f.Zone != g.Zone || f.Quantity != g.Quantity || f.Value != g.Value ||
				!f.Time.Equal(g.Time) || f.Quality != g.Quality {
				t.Fatalf("period %d reading %d: %+v, want %+v", period, i, g, f)
			}
		}
	}
}
