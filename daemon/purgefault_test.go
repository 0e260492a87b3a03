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
	// A fan ventd cannot drive at all.
	h.rig.Room.SetFanStalled("booth-exhaust", false)
	h.rig.Room.Fan("booth-exhaust").Halt()
	h.run(time.Minute)
	h.call(func() { res, err = h.d.Purge(t.Context(), "booth", tester, "overdose") })
	if err != nil || !strings.Contains(res, "cannot set") {
		t.Fatalf("purge with the booth's fan output failing: %q, %v; want it to say ventd cannot set the fan", res, err)
	}
}
