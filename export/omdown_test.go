package export_test

import (
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
)

// With ventd down the backfill wrote the rolling STEL on for the first
// minutes of the outage (the window still held the data from before the
// stop), and every other series through it, lines Prometheus never had: no
// scrape answered then. It writes none there, a gap, as Prometheus has.
func TestOpenMetricsNoSTELWhileDown(t *testing.T) {
	j := newJournal(t)
	sim := simulate(t, "staff", dayShift.End)
	down := [2]time.Time{dayShift.Start.Add(6 * time.Hour).UTC(), dayShift.Start.Add(7 * time.Hour).UTC()}
	b := journal.Batch{Meta: map[string]string{"site": "Hope", "room": "Room 1"},
		Gaps: []journal.Gap{sim.gap, {Start: down[0], End: down[1], Reason: journal.GapDaemonDown}}}
	for _, m := range sim.minutes {
		if m.Start.Before(down[0]) || !m.Start.Before(down[1]) {
			b.Minutes = append(b.Minutes, m)
		}
	}
	write(t, j, b)
	all := parseOM(t, run(t, j, dayOptions(t, "openmetrics")))
	stel := series(all, "ventd_exposure_stel_ppm", map[string]string{"zone": "staff", "pollutant": "co2"})
	var during []string
	for at := range stel {
		if at.After(down[0]) && at.Before(down[1]) {
			during = append(during, at.Format("15:04"))
		}
	}
	t.Logf("%d STEL samples while ventd was down (%s to %s UTC): %v", len(during), down[0].Format("15:04"), down[1].Format("15:04"), during)
	if len(during) > 0 {
		t.Errorf("the rolling STEL written at %d minutes while ventd was down; want none", len(during))
	}
	if _, ok := stel[down[0]]; !ok {
		t.Errorf("no STEL at %s, the last minute before the stop", down[0].Format("15:04"))
	}
	if len(stel) < 600 {
		t.Errorf("%d STEL samples in the day; the measured minutes keep theirs", len(stel))
	}
	// Nor any other series: the shift's TWA, the counters, the alarms
	// were as absent from Prometheus as the STEL.
	names := map[string]int{}
	for _, s := range all {
		if s.at.After(down[0]) && s.at.Before(down[1]) {
			names[s.name]++
		}
	}
	if len(names) > 0 {
		t.Errorf("series written while ventd was down: %v; want none", names)
	}
	twa := series(all, "ventd_exposure_twa_8h_ppm", map[string]string{"zone": "staff", "pollutant": "co2"})
	if _, ok := twa[down[1].Add(time.Minute)]; !ok {
		t.Errorf("no TWA the minute after ventd came back (%s): the measured minutes keep theirs", down[1].Add(time.Minute).Format("15:04"))
	}
}
