package statuspage

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
)

// A configuration reload reaches the page: /api/page shows the new
// thresholds and the live stream tells connected pages to read it again.
func TestReloadedThresholdsReachThePage(t *testing.T) {
	cfg := config.Sim()
	p, err := New(Options{Config: cfg, Control: nopControl{}, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Register(mux)
	warning := func() float64 {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/page", nil))
		var in info
		if err := json.Unmarshal(rec.Body.Bytes(), &in); err != nil {
			t.Fatal(err)
		}
		return in.Thresholds["pm25"].Warning
	}
	if w := warning(); w != cfg.Thresholds.PM25.Warning {
		t.Fatalf("PM2.5 warning %v, want %v", w, cfg.Thresholds.PM25.Warning)
	}
	next := *cfg
	next.Thresholds.PM25.Warning = 50
	p.Receive(&record.Period{Time: time.Now(), Config: &next})
	if w := warning(); w != 50 {
		t.Errorf("after a reload to 50 µg/m³ the page shows %v", w)
	}
	if f := p.stream.info.Load(); f == nil || len(f.bytes()) == 0 {
		t.Error("no info event for the pages already connected")
	}
}

// nopControl refuses every request; these tests make none.
type nopControl struct{}

func (nopControl) Purge(context.Context, string, record.Actor, string) (string, error) {
	return "", errors.New("no")
}
func (nopControl) CancelPurge(context.Context, string, record.Actor) (string, error) {
	return "", errors.New("no")
}
func (nopControl) Acknowledge(context.Context, uint64, record.Actor, string) (string, error) {
	return "", errors.New("no")
}
