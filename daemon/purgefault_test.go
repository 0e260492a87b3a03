package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/room"
)

// A responder asks for a purge during an overdose while the booth's fan is
// stalled: the answer must say the fan is not turning, not only "fan at
// maximum; safe to enter in about 75 min", which reads as a purge under way.
func TestPurgeWithAFaultyFanSaysSo(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(10 * time.Minute)
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 3*time.Minute))
	h.run(3 * time.Minute)
	h.rig.Room.SetFanStalled("booth-exhaust", true)
	h.run(2 * time.Minute)
	var res string
	var err error
	h.call(func() { res, err = h.d.Purge(t.Context(), "booth", tester, "overdose") })
	if err != nil || !strings.Contains(res, "booth-exhaust is not turning") {
		t.Fatalf("purge with the booth's fan stalled: %q, %v; want it to say the fan is not turning", res, err)
	}
	// A fan ventd cannot drive at all: the answer said "fan booth-exhaust
	// at maximum, but … ventd cannot set fan booth-exhaust" and was no
	// error, so ventctl purge exited 0. It is an error now, and never
	// claims the fan is at maximum.
	h.rig.Room.SetFanStalled("booth-exhaust", false)
	h.rig.Room.Fan("booth-exhaust").Halt()
	h.run(time.Minute)
	h.call(func() { res, err = h.d.Purge(t.Context(), "booth", tester, "overdose") })
	if err == nil || !strings.Contains(err.Error(), "booth: NOT purging: ventd cannot set fan booth-exhaust (") || strings.Contains(err.Error(), "at maximum") {
		t.Fatalf("purge with the booth's fan output failing: %q, %v; want an error saying ventd cannot set the fan, and no \"at maximum\"", res, err)
	}
}
