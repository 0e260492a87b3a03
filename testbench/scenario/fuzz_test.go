package scenario

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/room"
)

// FuzzParse feeds Parse arbitrary files, as ventbench -scenario and ventd
// -sim-scenario take them from a user. Every file is either refused with
// an error that names it, or accepted as a scenario that checks against
// the built-in room (or says why not) and plays through without a panic.
// The seeds run with every go test; search further with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 1m ./testbench/scenario
func FuzzParse(f *testing.F) {
	f.Add(defaultYAML)
	seeds, _ := filepath.Glob("../../cmd/ventbench/scenarios/*.yaml")
	heldOut, _ := filepath.Glob("../../cmd/ventbench/scenarios/heldout/*.yaml")
	for _, p := range append(seeds, heldOut...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("name: x\nduration: 1h\nevents:\n  - {at: 59m59s, session: {zone: booth, duration: 1s, pm25_mg_per_min: 1e308}}\n"))
	f.Add([]byte("duration: 9999999h\nevents: []\noutdoor:\n  - {at: 0s, pm25: -1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var l ErrorList
			if errors.As(err, &l) {
				for _, e := range l {
					if e.File != "fuzz.yaml" || e.Msg == "" {
						t.Fatalf("error without its file or message: %#v", e)
					}
				}
			} else if !strings.HasPrefix(err.Error(), "fuzz.yaml: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if s.Duration <= 0 {
			t.Fatalf("accepted a scenario of duration %v", s.Duration)
		}
		if s.Room != nil && s.Room.Config != "" {
			return // plays in a room of its own config, which a fuzzer does not write
		}
		if err := s.Validate(room.Default(), []string{"booth-pm", "booth-voc", "staff-pm", "staff-co2"}); err != nil {
			return // names another room's parts: refused before anything plays
		}
		// Accepted and checked: it plays in the room model, whose air
		// stays a number (an absurd session rate is the scenario's, and
		// the room must not turn it into NaN for the sensors to report).
		r, err := room.New(room.Default(), t0)
		if err != nil {
			t.Fatal(err)
		}
		p := NewPlayer(s, roomTarget{r}, t0, nil)
		for at := time.Duration(0); at <= min(s.Duration, 24*time.Hour); at += time.Minute {
			if err := p.Step(t0.Add(at)); err != nil {
				t.Fatalf("a checked scenario failed to play at %v: %v", at, err)
			}
			for _, z := range []string{"booth", "staff"} {
				if a := r.Zone(z).Air(t0.Add(at)); math.IsNaN(a.PM25) || a.PM25 < 0 {
					t.Fatalf("%s PM2.5 %v at %v", z, a.PM25, at)
				}
			}
		}
	})
}
