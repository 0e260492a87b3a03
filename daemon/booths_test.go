package daemon

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// boothsWithJournal is the two-booth room with a journal in dir, where
// booth1's exhaust moves only half the air its datasheet (the config's
// max_flow_m3h) promises: a clogged filter.
func boothsWithJournal(t *testing.T, dir string, start time.Time) *harness {
	t.Helper()
	cfg, err := config.Load("../testbench/rooms/booths-2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rc := testbench.RoomConfig(cfg)
	rc.Fans[0].MaxFlowM3h /= 2
	return rigHarness(t, cfg, dir, start, testbench.RigOpts{Seed: 7, Room: &rc})
}

// The booths' measured ventilation, from sessions on the simulated room
// until each booth's clearing was measured, is the same in /api/state,
// /metrics, the journal and its export as the law's; the booth with the
// clogged fan shows a share of its rated air well below the other's; and
// a restart takes the measurement back from the journal.
func TestBoothVentilationReported(t *testing.T) {
	dir := t.TempDir()
	h := boothsWithJournal(t, dir, t0)
	s := h.run(10 * time.Minute)
	if len(s.Booths) != 2 || s.Booths[0].Measured != nil || !(s.Booths[0].NominalACH > 0) {
		t.Fatalf("quiet room: booths %+v; want two, nothing measured yet, a nominal rate", s.Booths)
	}
	// Three sessions in each: the low-airflow warning waits for three
	// separate clearings (minAirflowClearings).
	for range minAirflowClearings {
		for _, z := range []string{"booth1", "booth2"} {
			h.rig.Room.StartSession(z, room.TypicalSession(3, 4*time.Minute))
		}
		h.run(20 * time.Minute)
	}
	s = h.run(time.Minute) // the minute's flush has the measurements
	law := h.d.law.Booths()
	for i, b := range s.Booths {
		l := law[i]
		if b.Measured == nil || l.Decay.Observations < 2 {
			t.Fatalf("%s: measured %+v, law %+v; want a measurement after two sessions", b.Zone, b.Measured, l.Decay)
		}
		m := b.Measured
		if b.Zone != l.Zone || b.NominalACH != l.Decay.NominalACH || m.ACH != l.Decay.ACH || m.Share != l.Decay.Share ||
			m.Observations != l.Decay.Observations || !m.Last.Equal(l.Decay.Last) {
			t.Errorf("/api/state %+v %+v; the law %+v", b, *m, l)
		}
		t.Logf("%s: measured %.1f ACH of %.1f nominal (share %.2f) from %d clearing intervals", b.Zone, m.ACH, b.NominalACH, m.Share, m.Observations)
	}
	clogged, good := law[0].Decay.Share, law[1].Decay.Share
	if !(clogged < 0.75*good) {
		t.Errorf("booth1 with half its fan's air: share %.2f; booth2 %.2f; want booth1's well below", clogged, good)
	}
	// The clogged booth's low airflow is a warning (the default: below
	// 60 % of rated, once three separate clearings were measured); the
	// other's is not.
	if law[0].Decay.Observations < minAirflowObservations || !(clogged < 0.6) || !(good > 0.65) {
		t.Fatalf("booth1 share %.2f over %d intervals, booth2 %.2f: the room no longer tests the airflow warning", clogged, law[0].Decay.Observations, good)
	}
	for i, want := range []bool{true, false} {
		id := alarm.AirflowRule(law[i].Zone)
		got := slices.ContainsFunc(s.Alarms.Alarms, func(a alarm.Alarm) bool { return a.RuleID == id && a.Level == alarm.LevelWarning })
		if got != want {
			t.Errorf("%s (share %.2f): low-airflow warning active %v, want %v; alarms %+v", law[i].Zone, law[i].Decay.Share, got, want, s.Alarms.Alarms)
		}
	}
	// The JSON names of /api/state.
	var api struct {
		Booths []struct {
			Zone       string  `json:"zone"`
			NominalACH float64 `json:"nominal_ach"`
			Measured   *struct {
				ACH   float64 `json:"ach"`
				Share float64 `json:"share"`
			} `json:"measured"`
		} `json:"booths"`
	}
	if b, err := json.Marshal(s); err != nil || json.Unmarshal(b, &api) != nil || len(api.Booths) != 2 || api.Booths[1].Measured == nil ||
		api.Booths[1].Measured.Share != good {
		t.Errorf("/api/state JSON: %+v (%v)", api, err)
	}

	checkBoothMetrics(t, h, law)
	checkStaffAir(t, h, s)

	// The journal: one row per clearing interval measured, the last of
	// each booth where the law stands, sealed by the chain.
	j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rows, err := j.Ventilations(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if n := law[0].Decay.Observations + law[1].Decay.Observations; len(rows) != n {
		t.Errorf("%d journal rows, want one per clearing interval measured, %d", len(rows), n)
	}
	last, err := j.LastVentilation()
	if err != nil || len(last) != 2 {
		t.Fatalf("last ventilation %+v, %v", last, err)
	}
	for i, v := range last {
		l := law[i].Decay
		if v.Zone != law[i].Zone || v.Share != l.Share || v.Observations != l.Observations || !v.Time.Equal(l.Last) ||
			math.Abs(v.ACH-v.Share*v.NominalACH) > 1e-9*v.ACH {
			t.Errorf("journal %+v; the law %+v", v, l)
		}
	}
	if v, err := j.Verify(journal.VerifyOptions{}); err != nil || !v.OK() {
		t.Errorf("verify: %+v %v", v, err)
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, j, export.Options{Format: "json", Now: h.clk.Now(), Software: "test"}); err != nil {
		t.Fatal(err)
	}
	var doc export.Document
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Ventilation) != len(rows) || doc.Ventilation[len(rows)-1].Share != rows[len(rows)-1].Share {
		t.Errorf("export: %d ventilation rows, want the journal's %d", len(doc.Ventilation), len(rows))
	}
	j.Close()

	// A restart takes each booth's measurement back from the journal.
	h.d.Close()
	h2 := boothsWithJournal(t, dir, h.clk.Now().Add(time.Minute))
	defer h2.d.Close()
	for i, b := range h2.d.law.Booths() {
		if l := law[i].Decay; b.Decay.Share != l.Share || b.Decay.Observations != l.Observations {
			t.Errorf("%s after a restart: %+v, want %+v", b.Zone, b.Decay, l)
		}
	}
	if s := h2.run(2 * time.Second); s.Booths[0].Measured == nil || s.Booths[0].Measured.Share != clogged {
		t.Errorf("after a restart, /api/state: %+v", s.Booths[0])
	}
}

// checkBoothMetrics scrapes /metrics as text and finds the law's figures.
func checkBoothMetrics(t *testing.T, h *harness, law []control.BoothStatus) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if _, err := metrics.Register(reg, metrics.ConfigRoom(h.d.cfg, h.clk.Now), h.d.Snapshot); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name, zone string) (float64, bool) {
		for _, m := range fams[name].GetMetric() {
			if label(m, "zone") == zone && label(m, "site") == h.d.cfg.Site && label(m, "room") == h.d.cfg.Room {
				return m.GetGauge().GetValue() + m.GetCounter().GetValue(), true
			}
		}
		return 0, false
	}
	for _, l := range law {
		for name, want := range map[string]float64{
			"ventd_booth_measured_air_changes_per_hour":         l.Decay.ACH,
			"ventd_booth_nominal_air_changes_per_hour":          l.Decay.NominalACH,
			"ventd_booth_measured_ventilation_ratio":            l.Decay.Share,
			"ventd_booth_decay_observations_total":              float64(l.Decay.Observations),
			"ventd_booth_decay_last_measured_timestamp_seconds": float64(l.Decay.Last.UnixMilli()) / 1000,
		} {
			if got, ok := value(name, l.Zone); !ok || math.Abs(got-want) > 1e-9*math.Abs(want) {
				t.Errorf("%s{zone=%q} = %v (present %v), want %v", name, l.Zone, got, ok, want)
			}
		}
	}
}

// checkStaffAir holds /api/state's staff_air and the staff gauges of
// /metrics to what the law acts on after a day's first sessions.
func checkStaffAir(t *testing.T, h *harness, s *snapshot.Snapshot) {
	t.Helper()
	st, ok := h.d.law.Staff()
	a := s.Staff
	if !ok || a == nil || a.UsualExcess == nil {
		t.Fatalf("staff_air %+v; the law %+v, %v: want the staff area and its usual excess", a, st, ok)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) <= 0.005+1e-12 } // to 0.01 µg/m³
	if !a.Trusted || !near(a.PM25, st.Level) || !near(a.CleanAir, st.CleanAir) || !near(a.Excess, st.Excess) ||
		!near(*a.UsualExcess, st.UsualExcess) || !near(a.FullSpeedExcess, st.FullSpeedExcess) || !near(a.ClearingGap, st.ClearingGap) ||
		!near(a.BoothPrice, st.BoothPrice) || a.BoothPrice < 1 || a.BoothPrice > 2 {
		t.Errorf("staff_air %+v (usual %v); the law %+v", *a, *a.UsualExcess, st)
	}
	t.Logf("avoidable share %v, full speed at %v µg/m³", st.AvoidableShare, st.FullSpeedExcess)
	switch {
	case math.IsNaN(st.AvoidableShare) != (a.AvoidableShare == nil):
		t.Errorf("avoidable share %v in staff_air; the law's %v", a.AvoidableShare, st.AvoidableShare)
	case a.AvoidableShare != nil && math.Abs(*a.AvoidableShare-st.AvoidableShare) > 0.0005+1e-12:
		t.Errorf("avoidable share %v in staff_air; the law's %v", *a.AvoidableShare, st.AvoidableShare)
	}
	c := h.d.cfg.Control
	// 2/3 to 1.5 times the configured excess, by the usual excess, and
	// down to a quarter of that while the avoidable share is high.
	if lo, hi := c.StaffFullExcess*2/3/4, c.StaffFullExcess*1.5; a.FullSpeedExcess < lo-1e-9 || a.FullSpeedExcess > hi+1e-9 {
		t.Errorf("full speed at %v µg/m³, outside %v–%v", a.FullSpeedExcess, lo, hi)
	}
	var api struct {
		Staff map[string]any `json:"staff_air"`
	}
	if b, err := json.Marshal(s); err != nil || json.Unmarshal(b, &api) != nil {
		t.Fatalf("/api/state JSON: %v", err)
	}
	for _, k := range []string{"trusted", "pm25_ugm3", "clean_air_ugm3", "excess_ugm3", "usual_excess_ugm3", "full_speed_excess_ugm3", "booth_price_factor", "fan_leverage_factor"} {
		if _, ok := api.Staff[k]; !ok {
			t.Errorf("/api/state staff_air has no %s: %v", k, api.Staff)
		}
	}
	reg := prometheus.NewPedanticRegistry()
	if _, err := metrics.Register(reg, metrics.ConfigRoom(h.d.cfg, h.clk.Now), func() *snapshot.Snapshot { return s }); err != nil {
		t.Fatal(err)
	}
	gauges := map[string]float64{
		"ventd_staff_pm25_excess_ugm3":            a.Excess,
		"ventd_staff_pm25_clean_air_ugm3":         a.CleanAir,
		"ventd_staff_pm25_usual_excess_ugm3":      *a.UsualExcess,
		"ventd_staff_pm25_full_speed_excess_ugm3": a.FullSpeedExcess,
		"ventd_staff_pm25_clearing_gap_ugm3":      a.ClearingGap,
		"ventd_staff_booth_price_factor":          a.BoothPrice,
		"ventd_staff_fan_leverage_factor":         a.FanLeverage,
	}
	if a.AvoidableShare != nil {
		gauges["ventd_staff_pm25_avoidable_share_ratio"] = *a.AvoidableShare
	}
	for name, want := range gauges {
		g, err := testutil.GatherAndCount(reg, name)
		if err != nil || g != 1 {
			t.Errorf("%s: %d series (%v), want 1", name, g, err)
			continue
		}
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == name {
				if got := mf.GetMetric()[0].GetGauge().GetValue(); math.Abs(got-want) > 1e-9*math.Abs(want) {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
		}
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
