package journal

import (
	"testing"
	"time"
)

// BenchmarkChainWALPages writes what the daemon writes each minute (2
// zones × 9 quantities, the daemon's meta) and reports the pages each
// commit appends to the WAL: what the SD card is written per minute.
func BenchmarkChainWALPages(b *testing.B) {
	j := open(b, Options{})
	j.db.SetMaxOpenConns(1) // so that this connection's setting holds for every write
	j.db.Exec("PRAGMA wal_autocheckpoint = 0")
	zones := []string{"booth", "staff"}
	start := t0
	meta := map[string]string{"site": "Hope", "room": "A", "alarms.next_id": "5", "sensor.staff-pm.serial": "S1"}
	write(b, j, Batch{Minutes: minutes(start, 1, zones, benchQuantities), Meta: meta})
	n, since := 0, 0
	for b.Loop() {
		if n%200 == 0 {
			b.StopTimer()
			j.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			since = n
			b.StartTimer()
		}
		start = start.Add(time.Minute)
		write(b, j, Batch{Minutes: minutes(start, 1, zones, benchQuantities), Meta: meta})
		n++
	}
	var busy, frames, done int
	j.db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
	b.ReportMetric(float64(frames)/float64(n-since), "pages/commit")
}

// BenchmarkVerify30Days verifies a month of minutes for 2 zones × 3
// quantities (259,200 rows), written an hour a batch (720 links).
func BenchmarkVerify30Days(b *testing.B) {
	j := open(b, Options{})
	zones, qs := []string{"booth", "staff"}, []string{"pm2.5", "pm10", "co2"}
	for h := range 30 * 24 {
		write(b, j, Batch{Minutes: minutes(t0.Add(time.Duration(h)*time.Hour), 60, zones, qs)})
	}
	for b.Loop() {
		v, err := j.Verify(VerifyOptions{})
		if err != nil || !v.OK() || v.Rows != 30*1440*6 {
			b.Fatal(v, err)
		}
	}
}
