package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/promserver"
)

// liveScenario starts a pipe session at once, so the first simulated
// minute already has smoke in the booth and the fan boosting.
const liveScenario = `name: live
duration: 1h
events:
  - {at: 0s, occupants: {zone: staff, count: 3}}
  - {at: 2s, session: {zone: booth, duration: 4m, pm25_mg_per_min: 4}}
`

// states keeps every /api/state answer by its snapshot's time.
type states struct {
	mu sync.Mutex
	m  map[int64]snapshot.Snapshot // by Time in ms
}

func (s *states) poll(t *testing.T, c *http.Client, url string, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
		req, _ := http.NewRequest("GET", url+"/api/state", nil)
		req.SetBasicAuth("prometheus", "s3cret")
		resp, err := c.Do(req)
		if err != nil {
			continue
		}
		var snap snapshot.Snapshot
		if resp.StatusCode == 200 && json.NewDecoder(resp.Body).Decode(&snap) == nil {
			s.mu.Lock()
			s.m[snap.Time.UnixMilli()] = snap
			s.mu.Unlock()
		}
		resp.Body.Close()
	}
}

func (s *states) at(ms int64) (snapshot.Snapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[ms]
	return v, ok
}

// TestPrometheusScrapesLive runs ventd on the simulated room behind TLS and
// basic auth (the example web configuration), and a real Prometheus that
// scrapes it every second with the matching scrape configuration. The
// figures Prometheus stored from one scrape equal those of /api/state for
// the same control period, found by the period's time; promtool check
// metrics accepts the exposition; every facilities dashboard query returns
// data.
func TestPrometheusScrapesLive(t *testing.T) {
	promserver.Need(t)
	file, client, ca := webConfig(t, "s3cret")
	sc := filepath.Join(t.TempDir(), "live.yaml")
	os.WriteFile(sc, []byte(liveScenario), 0o644)
	s := runVentd(t, "-config", "testdata/booth-1.yaml", "-sim-speed", "10", "-sim-scenario", sc, "-web.config.file", file)
	host := strings.TrimPrefix(s.url, "https://")
	srv := promserver.Start(t, promserver.Opts{Config: fmt.Sprintf(`
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: ventd
    scheme: https
    tls_config: {ca_file: %q}
    basic_auth: {username: prometheus, password: s3cret}
    static_configs: [{targets: [%q]}]
`, ca, host)})

	st := &states{m: map[int64]snapshot.Snapshot{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); st.poll(t, client, s.url, stop) }()
	defer func() { close(stop); wg.Wait() }()

	// Wait for a scrape with every sensor reading (the SCD41 measures
	// every 5 s, the VOC index warms up) and the CO2 STEL known.
	if _, err := srv.WaitFor(`ventd_exposure_stel_ppm and on() ventd_voc_index and on() ventd_differential_pressure_pascals`, 60*time.Second,
		func(v []promserver.Sample) bool { return len(v) > 0 }); err != nil {
		t.Fatal(err)
	}
	var snap snapshot.Snapshot
	var at time.Time
	found := false
	for try := 0; try < 20 && !found; try++ {
		v, err := srv.WaitFor(`timestamp(ventd_last_period_timestamp_seconds)`, 30*time.Second, func(v []promserver.Sample) bool { return len(v) == 1 })
		if err != nil {
			t.Fatalf("scrape time: %v %v", v, err)
		}
		at = time.UnixMilli(int64(math.Round(v[0].Value * 1000)))
		p, err := srv.Query(`ventd_last_period_timestamp_seconds`, at)
		if err != nil || len(p) != 1 {
			t.Fatalf("period time at %v: %v %v", at, p, err)
		}
		snap, found = st.at(int64(math.Round(p[0].Value * 1000)))
		if !found {
			time.Sleep(time.Second) // the poller missed that period: take the next scrape
		}
	}
	if !found {
		t.Fatal("no /api/state answer for any scraped period")
	}

	// Every figure of that scrape, against the same period's /api/state.
	n := 0
	check := func(what, expr string, want float64) {
		t.Helper()
		v, err := srv.Query(expr, at)
		if err != nil || len(v) != 1 {
			t.Errorf("%s: %s: %v %v", what, expr, v, err)
			return
		}
		if got := v[0].Value; math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: Prometheus %v, /api/state %v", what, got, want)
		}
		n++
	}
	names := map[sample.Quantity]string{"pm1": "pm1_ugm3", "pm25": "pm25_ugm3", "pm4": "pm4_ugm3", "pm10": "pm10_ugm3", "co2": "co2_ppm",
		"voc_index": "voc_index", "nox_index": "nox_index", "temperature": "temperature_celsius", "pressure": "differential_pressure_pascals"}
	for _, r := range snap.Readings {
		if name, ok := names[r.Quantity]; ok && r.Quality == sample.Good {
			check(r.Sensor+" "+string(r.Quantity), fmt.Sprintf(`ventd_%s{sensor=%q}`, name, r.Sensor), r.Value)
		}
		if r.Quantity == "humidity" && r.Quality == sample.Good {
			check(r.Sensor+" humidity", fmt.Sprintf(`ventd_relative_humidity_ratio{sensor=%q}`, r.Sensor), r.Value/100)
		}
	}
	for _, f := range snap.Fans {
		check(f.Name+" duty", fmt.Sprintf(`ventd_fan_duty_ratio{fan=%q}`, f.Name), f.Duty)
		check(f.Name+" rpm", fmt.Sprintf(`ventd_fan_rpm{fan=%q}`, f.Name), *f.RPM)
		check(f.Name+" power", fmt.Sprintf(`ventd_fan_power_watts{fan=%q}`, f.Name), 45*math.Pow(f.Duty, 3))
		check(f.Name+" mode", fmt.Sprintf(`ventd_fan_mode{fan=%q,mode=%q}`, f.Name, f.Mode), 1)
	}
	for _, e := range snap.Exposure {
		u := map[string]string{"µg/m³": "ugm3", "ppm": "ppm"}[e.Unit]
		sel := fmt.Sprintf(`{zone=%q,pollutant=%q}`, e.Zone, e.Quantity)
		if e.STEL.Known() {
			check(e.Zone+" "+string(e.Quantity)+" STEL", "ventd_exposure_stel_"+u+sel, float64(e.STEL))
		}
		check(e.Zone+" "+string(e.Quantity)+" 8 h TWA", "ventd_exposure_twa_8h_"+u+sel, e.TWA8h)
		check(e.Zone+" "+string(e.Quantity)+" dose", "ventd_exposure_dose_"+u+"_seconds_total"+sel, e.Totals.Dose)
		check(e.Zone+" "+string(e.Quantity)+" measured", "ventd_exposure_measured_seconds_total"+sel, e.Totals.Measured.Std().Seconds())
		check(e.Zone+" "+string(e.Quantity)+" over alarm", "ventd_exposure_over_alarm_seconds_total"+sel, e.Totals.OverAlarm.Std().Seconds())
		if e.Shift != nil {
			check(e.Zone+" "+string(e.Quantity)+" shift TWA", "ventd_exposure_shift_twa_"+u+sel, e.Shift.TWA)
			check(e.Zone+" "+string(e.Quantity)+" shift coverage", "ventd_exposure_shift_coverage_ratio"+sel, e.Shift.Coverage/100)
		}
	}
	check("highest alarm", "ventd_alarm_highest_level", float64(snap.Alarms.Highest))
	check("unacknowledged alarms", "ventd_alarms_unacknowledged", float64(snap.Alarms.Unacked))
	for _, sn := range snap.Sensors {
		check(sn.Name+" up", fmt.Sprintf(`ventd_sensor_up{sensor=%q}`, sn.Name), map[bool]float64{true: 1}[sn.Up])
	}
	if n < 40 {
		t.Errorf("compared %d figures; want every reading, fan, exposure and sensor", n)
	}
	t.Logf("compared %d figures of the scrape at %v (period %v): PM2.5 in the booth %v", n, at, snap.Time, pm25(snap))

	// What Prometheus measured of its own scrapes (over TLS, with basic
	// auth, on a machine shared with the simulation).
	for _, q := range []string{`quantile_over_time(0.5, scrape_duration_seconds[1m])`, `scrape_samples_scraped`} {
		if v, err := srv.Query(q, time.Time{}); err == nil && len(v) == 1 {
			t.Logf("%s: %v", q, v[0].Value)
		}
	}

	// promtool check metrics on the exposition Prometheus scraped.
	_, body := getAs(t, client, s.url+"/metrics", "prometheus", "s3cret")
	_, tool := promserver.Need(t)
	cmd := exec.Command(tool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	// The facilities dashboard, as Grafana would ask for the last minute
	// once it holds a few scrapes (rate and increase need two).
	if _, err := srv.WaitFor(`count_over_time(up[1m]) >= 3`, 30*time.Second, func(v []promserver.Sample) bool { return len(v) > 0 }); err != nil {
		t.Fatal(err)
	}
	// At the time of a scrape that succeeded: on a loaded machine a scrape
	// can time out, and its series are stale until the next.
	last, err := srv.WaitFor(`timestamp(ventd_build_info)`, 30*time.Second, func(v []promserver.Sample) bool { return len(v) == 1 })
	if err != nil {
		t.Fatalf("last scrape: %v %v", last, err)
	}
	at = time.UnixMilli(int64(math.Round(last[0].Value * 1000)))
	vars := map[string]string{"site": ".+", "room": ".+", "datasource": "prometheus"}
	for name, q := range promserver.DashboardQueries(t, "../../firmware/prometheus/dashboards/ventd-facilities.json", vars, "1m") {
		if v, err := srv.Query(q, at); err != nil || len(v) == 0 {
			t.Errorf("facilities dashboard %s: %q: %d series, %v", name, q, len(v), err)
		}
	}
}

func pm25(s snapshot.Snapshot) float64 {
	for _, r := range s.Readings {
		if r.Sensor == "booth-pm" && r.Quantity == "pm25" {
			return r.Value
		}
	}
	return math.NaN()
}

// TestRoomsRemoteWrite is a site with two rooms: each room's ventd is
// scraped by Prometheus in agent mode on its own Pi (here: its own
// process), which remote-writes to the site's central Prometheus (the
// remote-write receiver on). The central one answers by site and room,
// and, stopped for a while as in a network outage, receives afterwards
// what the agents kept meanwhile: the example configuration's promise.
func TestRoomsRemoteWrite(t *testing.T) {
	promserver.Need(t)
	copts := promserver.Opts{
		Config:  "global: {evaluation_interval: 1m}\n",
		Args:    []string{"--web.enable-remote-write-receiver"},
		DataDir: filepath.Join(t.TempDir(), "central"),
		Addr:    promserver.FreeAddr(t),
	}
	central := promserver.Start(t, copts)
	base, err := os.ReadFile("testdata/booth-1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	agent, err := os.ReadFile("../../firmware/prometheus/examples/prometheus-agent.yml")
	if err != nil {
		t.Fatal(err)
	}
	rooms := []string{"Room A", "Room B"}
	var agents []*promserver.Server
	for _, room := range rooms {
		cfg := filepath.Join(t.TempDir(), "ventd.yaml")
		os.WriteFile(cfg, []byte(strings.Replace(string(base), `room: "Simulated room"`, fmt.Sprintf("room: %q", room), 1)), 0o644)
		v := runVentd(t, "-config", cfg, "-sim-speed", "10")
		// The example agent configuration, pointed at this room's ventd
		// and at the central Prometheus, scraping and sending each second.
		text := strings.NewReplacer(
			"scrape_interval: 15s", "scrape_interval: 1s",
			`"127.0.0.1:8080"`, fmt.Sprintf("%q", strings.TrimPrefix(v.url, "http://")),
			"https://prometheus.ops.example/api/v1/write", central.URL+"/api/v1/write",
			"    basic_auth:\n      username: room-1\n      password_file: /etc/prometheus/remote-write.password\n",
			"    queue_config: {batch_send_deadline: 1s}\n",
		).Replace(string(agent))
		if strings.Contains(text, "ops.example") || strings.Contains(text, "password_file") {
			t.Fatalf("the example agent configuration changed; adapt the test:\n%s", text)
		}
		agents = append(agents, promserver.Start(t, promserver.Opts{Config: text, Agent: true}))
	}
	v, err := central.WaitFor(`count by (site, room) (ventd_exposure_measured_seconds_total)`, 60*time.Second,
		func(v []promserver.Sample) bool { return len(v) == 2 })
	if err != nil {
		t.Fatal(err)
	}
	for _, room := range rooms {
		q := fmt.Sprintf(`ventd_fan_duty_ratio{site="Simulated OPS",room=%q}`, room)
		if v, err := central.WaitFor(q, 30*time.Second, func(v []promserver.Sample) bool { return len(v) == 1 }); err != nil || v[0].Labels["job"] != "ventd" {
			t.Errorf("%s: %v %v", q, v, err)
		}
	}
	t.Logf("central Prometheus holds %v", v)

	// The outage: the central Prometheus stops while the agents go on
	// scraping each second, and starts again on its data.
	central.Stop()
	down := time.Now()
	const outage = 15 * time.Second
	time.Sleep(outage)
	central = promserver.Start(t, copts)
	// About 15 samples a room (a scrape may fall on an edge).
	q := fmt.Sprintf("count_over_time(ventd_fan_duty_ratio[%ds])", int(outage/time.Second))
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := central.Query(q, down.Add(outage))
		if err == nil && len(got) == 2 && got[0].Value >= outage.Seconds()-2 && got[1].Value >= outage.Seconds()-2 {
			t.Logf("the %v outage: %v and %v samples at the central Prometheus, %v after it", outage, got[0].Value, got[1].Value, time.Since(down)-outage)
			// The agents first: stopped after the central one, each
			// would wait its 20 s to flush to nobody.
			for _, a := range agents {
				a.Stop()
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s at the outage's end: %v %v, want about %v for each room: the agents did not send what they kept", q, got, err, outage.Seconds())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
