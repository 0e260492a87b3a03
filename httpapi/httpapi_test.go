package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

func TestHandler(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var latest latestSnap
	reg := prometheus.NewRegistry()
	if _, err := metrics.Register(reg, metrics.Room{Site: "Test OPS", Room: "Room 1"}, latest.Load); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(3 * time.Second)
	srv := httptest.NewServer(Handler(latest.Load, func() time.Time { return now }, reg, nil))
	defer srv.Close()

	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, body := get("GET", "/api/state"); code != 503 || !strings.Contains(body, "starting") {
		t.Fatalf("before the first snapshot: %d %s", code, body)
	}
	// A client that honours Retry-After (a proxy, a poller) is told when.
	if resp, err := http.Get(srv.URL + "/api/state"); err != nil || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("before the first snapshot: Retry-After %q (%v), want 2", resp.Header.Get("Retry-After"), err)
	} else {
		resp.Body.Close()
	}
	rpm := 1200.0
	latest.Store(&snapshot.Snapshot{
		Site: "Test OPS", Room: "Room 1", Time: t0, Mode: "normal",
		Readings: []snapshot.Reading{{Sensor: "booth-pm", Zone: "booth", Quantity: "pm25", Value: 42.5, Unit: "µg/m³", Time: t0, Quality: sample.Good}},
		Fans:     []snapshot.Fan{{Name: "booth-exhaust", Zones: []string{"booth"}, Duty: 0.6, Mode: "normal", RPM: &rpm}},
		Sensors:  []snapshot.Sensor{{SensorID: &snapshot.SensorID{Name: "booth-pm", Type: "sps30", Zone: "booth", Bus: "1", Address: "0x69"}, Up: true, LastSuccess: t0, Errors: map[string]uint64{"crc": 2}}},
	})
	code, body := get("GET", "/api/state")
	var s snapshot.Snapshot
	if err := json.Unmarshal([]byte(body), &s); code != 200 || err != nil {
		t.Fatalf("state: %d %v %s", code, err, body)
	}
	if r := s.Readings[0]; r.Value != 42.5 || r.Unit != "µg/m³" || r.AgeSeconds != 3 {
		t.Fatalf("reading = %+v", r)
	}
	if code, body = get("GET", "/metrics"); code != 200 {
		t.Fatalf("metrics: %d %s", code, body)
	}
	for _, want := range []string{
		`ventd_pm25_ugm3{room="Room 1",sensor="booth-pm",site="Test OPS",zone="booth"} 42.5`,
		`ventd_fan_duty_ratio{fan="booth-exhaust",room="Room 1",site="Test OPS"} 0.6`,
		`ventd_fan_rpm{fan="booth-exhaust",room="Room 1",site="Test OPS"} 1200`,
		`ventd_sensor_read_errors_total{kind="crc",room="Room 1",sensor="booth-pm",site="Test OPS",zone="booth"} 2`,
		`ventd_fan_mode{fan="booth-exhaust",mode="normal",room="Room 1",site="Test OPS"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if code, body := get("POST", "/api/state"); code != 405 || !strings.Contains(body, "only GET") {
		t.Fatalf("POST: %d %s", code, body)
	}
	if code, body := get("GET", "/nope"); code != 404 || !strings.Contains(body, "GET /api/state") {
		t.Fatalf("404: %d %s", code, body)
	}
	// An escaped slash does not reach the endpoint (the mux matches the
	// path as sent), and the answer names the path as sent: a GET was
	// told "only GET (or HEAD) is allowed here".
	for _, p := range []string{"/api%2fstate", "/api%2Fexport", "/metrics%2f"} {
		code, body := get("GET", p)
		var e struct{ Error string }
		json.Unmarshal([]byte(body), &e)
		if code != 404 || !strings.HasPrefix(e.Error, p+": no such endpoint") {
			t.Errorf("GET %s: %d %s; want 404 naming %s", p, code, body, p)
		}
	}
}

// latestSnap holds the snapshot the test serves.
type latestSnap struct {
	p atomic.Pointer[snapshot.Snapshot]
}

func (l *latestSnap) Load() *snapshot.Snapshot   { return l.p.Load() }
func (l *latestSnap) Store(s *snapshot.Snapshot) { l.p.Store(s) }
