package journal

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkMinuteCommitBytes writes what the daemon writes each minute
// (2 zones × 9 quantities, the daemon's meta) and reports the bytes each
// commit hands the kernel (the database pages and the rollback journal's
// copies of them, as /proc/self/io's wchar counts them): what the SD card
// is written per minute.
func BenchmarkMinuteCommitBytes(b *testing.B) {
	j := open(b, Options{})
	zones := []string{"booth", "staff"}
	start := t0
	meta := map[string]string{"site": "Hope", "room": "A", "alarms.next_id": "5", "sensor.staff-pm.serial": "S1"}
	write(b, j, Batch{Minutes: minutes(start, 1, zones, benchQuantities), Meta: meta})
	before, err := wchar()
	if err != nil {
		b.Skip(err)
	}
	n := 0
	for b.Loop() {
		start = start.Add(time.Minute)
		write(b, j, Batch{Minutes: minutes(start, 1, zones, benchQuantities), Meta: meta})
		n++
	}
	after, _ := wchar()
	b.ReportMetric(float64(after-before)/float64(n)/1024, "KiB/commit")
}

// wchar is the bytes this process has passed to write calls.
func wchar() (int64, error) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("no wchar in /proc/self/io")
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
