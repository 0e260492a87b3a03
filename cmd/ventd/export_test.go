package main

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/snapshot"
)

const exportScenario = `name: export
duration: 3h
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 20m, session: {zone: booth, duration: 4m, pm25_mg_per_min: 4}}
  - {at: 50m, door: {name: booth-door, open: true, for: 3m}}
  - {at: 51m, session: {zone: booth, duration: 4m, pm25_mg_per_min: 4}}
  - {at: 2h, sensor_fault: {sensor: staff-pm, kind: disconnect, for: 4m}}
`

// TestExportMatchesStateAndMetrics runs three hours of a shift, stops the
// daemon, and checks that the auditor's export of the journal carries the
// same shift figures as the daemon's last /api/state snapshot and the
// /metrics rendered from it.
func TestExportMatchesStateAndMetrics(t *testing.T) {
	all, _, _, dir := runSimDir(t, exportScenario, 3*time.Hour)
	final := all[len(all)-1]
	var live *snapshot.Snapshot = final
	var want exportShift
	for _, e := range live.Exposure {
		if e.Zone == "staff" && e.Quantity == "pm25" && e.Shift != nil {
			want = exportShift{e.Shift.TWA, float64(e.Shift.STELPeak), e.Shift.Coverage, e.Shift.TimeOverAlarm.Std().Seconds(), e.Shift.GapTotal.Std().Seconds()}
		}
	}
	if want.twa <= 0 || want.gap < 200 {
		t.Fatalf("final staff PM2.5 shift: %+v (a 4 min sensor outage should show as a gap)", want)
	}

	j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var buf bytes.Buffer
	if err := export.Write(&buf, j, export.Options{Format: "json", Now: final.Time}); err != nil {
		t.Fatal(err)
	}
	var doc export.Document
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var got exportShift
	found := false
	for _, sh := range doc.Shifts {
		if sh.Zone == "staff" && sh.Quantity == "pm25" && sh.Start.Equal(e2eStart) {
			if sh.Source != "live" {
				t.Errorf("shift source %q, want live", sh.Source)
			}
			got = exportShift{sh.TWA, float64(sh.STELPeak), sh.Coverage, sh.TimeOverAlarm.Std().Seconds(), sh.GapTotal.Std().Seconds()}
			found = true
		}
	}
	if !found {
		t.Fatalf("no staff PM2.5 shift from %v in the export: %+v", e2eStart, doc.Shifts)
	}
	if !want.near(got) {
		t.Errorf("export %+v, /api/state %+v", got, want)
	}
	if doc.Site != final.Site || doc.Room != final.Room || len(doc.Sensors) != 4 || doc.Sensors[0].Serial == "" {
		t.Errorf("export header %+v", doc.Header)
	}

	// /metrics renders the same snapshot.
	reg := prometheus.NewRegistry()
	if _, err := metrics.Register(reg, metrics.Room{Site: final.Site, Room: final.Room}, func() *snapshot.Snapshot { return live }); err != nil {
		t.Fatal(err)
	}
	text := `# HELP ventd_exposure_shift_twa_ugm3 Current shift's TWA so far by the OSHA formula E = Σ CᵢTᵢ / 8 h, in µg/m³.
# TYPE ventd_exposure_shift_twa_ugm3 gauge
`
	var lines []string
	for _, e := range live.Exposure {
		if e.Shift != nil && e.Unit == "µg/m³" {
			lines = append(lines, `ventd_exposure_shift_twa_ugm3{pollutant="`+string(e.Quantity)+`",room="`+final.Room+`",site="`+final.Site+`",zone="`+e.Zone+`"} `+fmtFloat(e.Shift.TWA))
		}
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(text+strings.Join(sortLines(lines), "\n")+"\n"), "ventd_exposure_shift_twa_ugm3"); err != nil {
		t.Error(err)
	}
	t.Logf("staff PM2.5 shift so far: TWA %.3f µg/m³, STEL peak %.2f, coverage %.2f%%, gaps %.0f s", got.twa, got.stelPeak, got.coverage, got.gap)
}

type exportShift struct{ twa, stelPeak, coverage, overAlarm, gap float64 }

func (a exportShift) near(b exportShift) bool {
	close := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x)) }
	return close(a.twa, b.twa) && close(a.stelPeak, b.stelPeak) && close(a.coverage, b.coverage) &&
		close(a.overAlarm, b.overAlarm) && close(a.gap, b.gap)
}
