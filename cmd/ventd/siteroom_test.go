package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
)

// A technician tries a site's own config on the simulated room before the
// hardware is in: `ventd -sim -config site.yaml`. The built-in day names
// the simulated room's booth; ventd plays it in the site's booths instead
// of refusing to start.
func TestSimPlaysTheBuiltInDayInASiteRoom(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join("..", "..", "testbench", "rooms", "site-names.yaml")
	var logs testbench.LogBuffer
	a, ctx, cancel := newTestApp(t, &logs, "-sim", "-sim-speed", "0", "-config", cfgFile,
		"-sim-start", e2eStart.Format(time.RFC3339), "-listen", "127.0.0.1:0", "-state-dir", dir)
	// The day's first sessions are at 5 and 22 min: one in each booth.
	sessions := map[string]bool{}
	a.d.Attach("test", record.OutputFunc(func(p *record.Period) {
		for _, b := range p.Booths {
			sessions[b.Zone] = sessions[b.Zone] || b.Session
		}
		if p.Time.Sub(e2eStart) >= 30*time.Minute {
			cancel()
		}
	}), &record.AttachOpts{Backlog: -1})
	if err := a.run(ctx); err != nil {
		t.Fatal(err)
	}
	if !sessions["east"] || !sessions["west"] {
		t.Errorf("sessions seen by the law in the first 30 min: %v; want both booths", sessions)
	}
	if !strings.Contains(logs.String(), `sessions in \"booth\" go to east, west in turn`) {
		t.Errorf("the log does not say how the day was fitted:\n%s", logs.String())
	}
}
