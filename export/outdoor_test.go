package export_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// outdoorDay is the day journal (day) with the outdoor air beside it, as
// the daemon writes it: zone "outside", PM2.5 minutes (150 µg/m³, each
// minute's maximum 160) over the day shift, with no shift row and no gap; with kind, the meta naming the zone's kind.
func outdoorDay(t testing.TB, kind bool) *journal.Journal {
	t.Helper()
	j, _ := day(t, dayShift.End)
	var b journal.Batch
	if kind {
		b.Meta = map[string]string{journal.ZoneKindKey("outside"): string(config.Outdoor), journal.ZoneKindKey("staff"): string(config.Staff)}
	}
	for at := dayShift.Start; at.Before(dayShift.End); at = at.Add(time.Minute) {
		b.Minutes = append(b.Minutes, journal.Minute{Start: at.UTC(), Zone: "outside", Quantity: "pm25", Mean: 150, Max: 160, Count: 60, CoveredSeconds: 60})
	}
	write(t, j, b)
	return j
}

// withOutdoor is the site's configuration with the zones of day's journal
// and the outdoor air.
func withOutdoor() *config.Config {
	c := *cfg
	c.Zones = []config.Zone{{Name: "staff", Kind: config.Staff, VolumeM3: 60}, {Name: "mirror", Kind: config.Staff, VolumeM3: 60},
		{Name: "outside", Kind: config.Outdoor}}
	return &c
}

// The outdoor air's minutes are in the minutes section like any zone's,
// and it has no shift rows: none stored, none rebuilt on the
// configuration's schedule (which rebuilds the mirror zone's), whether the
// configuration or the journal's meta says the zone is the outdoor air; a
// note says what its minutes are. Without either, the export cannot tell,
// and rebuilds it like any zone (the case the meta is kept for).
func TestOutdoorMinutesWithoutShiftRows(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   bool // the meta names the kind
		config *config.Config
		rows   bool // outside gets shift rows
	}{
		{"configuration", false, withOutdoor(), false},
		{"meta, configuration without zones", true, cfg, false},
		{"meta, no configuration", true, nil, false},
		{"neither", false, cfg, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := outdoorDay(t, tc.kind)
			o := dayOptions(t, "csv")
			o.Config = tc.config
			p := parseCSV(t, run(t, j, o))
			var minutes int
			for _, m := range p.sections["minutes"] {
				if m["zone"] == "outside" {
					minutes++
					if m["quantity"] != "pm25" || m["unit"] != "µg/m³" || m["mean"] != "150.000" || m["max"] != "160.000" || m["covered_s"] != "60.000" {
						t.Fatalf("outdoor minute %v", m)
					}
				}
			}
			if minutes != 720 {
				t.Errorf("%d outdoor minutes in the export, want the day shift's 720", minutes)
			}
			var zones []string
			for _, r := range p.sections["shifts"] {
				if !slices.Contains(zones, r["zone"]) {
					zones = append(zones, r["zone"])
				}
			}
			want := []string{"mirror", "staff"}
			if tc.rows {
				want = []string{"mirror", "outside", "staff"}
			}
			if slices.Sort(zones); !slices.Equal(zones, want) {
				t.Errorf("shift rows for zones %q, want %q", zones, want)
			}
			notes := strings.Join(p.comment("note"), "\n")
			if said := strings.Contains(notes, "zone outside is the outdoor air"); said == tc.rows {
				t.Errorf("notes:\n%s\nwant the outdoor air named: %v", notes, !tc.rows)
			}
		})
	}
}

// The OpenMetrics backfill has the series /metrics had: no exposure series
// of the outdoor air, which the daemon keeps no record of.
func TestOpenMetricsLeavesOutOutdoorAir(t *testing.T) {
	j := outdoorDay(t, false)
	o := dayOptions(t, "openmetrics")
	o.Config = withOutdoor()
	var staff bool
	for _, s := range parseOM(t, run(t, j, o)) {
		switch s.labels["zone"] {
		case "outside":
			t.Fatalf("a series of the outdoor air: %s %v", s.name, s.labels)
		case "staff":
			staff = true
		}
	}
	if !staff {
		t.Error("no series of the staff area")
	}
}

// Records carry the zones' kinds for a reader laying out the figures (the
// report orders zones by them): the journal's meta, overridden by the
// configuration where it names a zone.
func TestRecordsCarryZoneKinds(t *testing.T) {
	j := outdoorDay(t, true)
	o := dayOptions(t, "csv")
	c := withOutdoor()
	c.Zones[0].Kind = config.Booth // the configuration's word wins over the meta's
	o.Config = c
	err := export.View(j, o, func(r *export.Records) error {
		want := map[string]config.ZoneKind{"staff": config.Booth, "mirror": config.Staff, "outside": config.Outdoor}
		if !maps.Equal(r.Kinds, want) || !slices.Equal(r.Outdoor, []string{"outside"}) {
			t.Errorf("kinds %v, outdoor %q; want %v and [outside]", r.Kinds, r.Outdoor, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
