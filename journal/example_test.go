package journal_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ventd/ventd/journal"
)

// The daemon opens the journal at start, records the outage since the last
// minute written as a gap, and then writes one batch a minute.
func Example() {
	dir, _ := os.MkdirTemp("", "journal-example")
	defer os.RemoveAll(dir)
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		log.Fatal(err) // errors.Is(err, journal.ErrCorrupt): journal.MoveAside, then Open again
	}
	defer j.Close()

	minute := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	res, err := j.Write(journal.Batch{
		Minutes: []journal.Minute{
			{Start: minute, Zone: "staff", Quantity: "pm2.5", Mean: 18.4, Max: 31, Count: 60, CoveredSeconds: 60},
			{Start: minute, Zone: "staff", Quantity: "co2", Mean: 812, Max: 840, Count: 12, CoveredSeconds: 60},
		},
		Events: []journal.Event{{ID: 1, AlarmID: 1, Rule: "staff-pm25-warn", Kind: "raised", Level: "warn",
			Subject: "staff", Quantity: "pm2.5", Time: minute.Add(42 * time.Second), Value: 36.2, Threshold: 35,
			Message: "PM2.5 36.2 µg/m³ above 35"}},
		Meta: map[string]string{"next_alarm_id": "2"},
	})
	if err != nil {
		log.Print(err) // keep the batch and retry next minute, unless errors.Is(err, journal.ErrInvalid)
	}
	if res.Backwards != nil {
		log.Print(res.Backwards)
	}

	last, _ := j.LastMinute()
	shift, _ := j.Minutes(last.Add(-8*time.Hour), last.Add(time.Minute), "staff", "")
	for _, m := range shift {
		fmt.Printf("%s %s %s mean %.1f max %.0f\n", m.Start.Format("15:04"), m.Zone, m.Quantity, m.Mean, m.Max)
	}
	// Output:
	// 08:00 staff co2 mean 812.0 max 840
	// 08:00 staff pm2.5 mean 18.4 max 31
}
