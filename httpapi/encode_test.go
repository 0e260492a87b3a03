package httpapi

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// A state JSON cannot carry (a reading of +Inf, as a PM sensor with
// pm_calibration: 1e306 gave) was answered 200 OK with an empty body: the
// wall tablet and every poller got "nothing", not "ventd cannot say". It
// is a 500 naming what could not be encoded.
func TestStateThatCannotBeEncodedIsSaid(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var latest latestSnap
	latest.Store(&snapshot.Snapshot{
		Site: "Test OPS", Room: "Room 1", Time: t0, Mode: "normal",
		Readings: []snapshot.Reading{{Sensor: "booth-pm", Zone: "booth", Quantity: "pm25", Value: math.Inf(1), Unit: "µg/m³", Time: t0, Quality: sample.Good}},
	})
	srv := httptest.NewServer(Handler(latest.Load, func() time.Time { return t0 }, prometheus.NewRegistry(), nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(b), "cannot be encoded") {
		t.Errorf("state with +Inf: %d %q; want 500 saying it cannot be encoded", resp.StatusCode, b)
	}
}
