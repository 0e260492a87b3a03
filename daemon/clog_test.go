package daemon

import (
	"slices"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// A filter that clogs in service, after the booth's ventilation was
// measured good, is the case the airflow warning is for: the measurement
// must follow the fan down within a few sessions and page the manager,
// and come back up when the filter is changed.
func TestCloggingFilterWarnsThenClears(t *testing.T) {
	cfg, err := config.Load("../testbench/rooms/booths-2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := rigHarness(t, cfg, t.TempDir(), t0, testbench.RigOpts{Seed: 3})
	defer h.d.Close()
	warned := func() bool {
		id := alarm.AirflowRule("booth1")
		return slices.ContainsFunc(h.snapshot().Alarms.Alarms, func(a alarm.Alarm) bool { return a.RuleID == id })
	}
	share := func() float64 { return h.d.law.Booths()[0].Decay.Share }
	session := func() {
		h.rig.Room.StartSession("booth1", room.TypicalSession(3, 4*time.Minute))
		h.run(20 * time.Minute)
	}
	h.run(10 * time.Minute)
	for range 4 {
		session()
	}
	if warned() || !(share() > 0.8) {
		t.Fatalf("clean filter: share %.2f, warning %v; want about 1 and none", share(), warned())
	}
	// The filter clogs: the fan turns as before (its tachometer says
	// nothing) and moves 40 % of its air.
	if err := h.rig.SetFanFlow("booth1-exhaust", 0.4); err != nil {
		t.Fatal(err)
	}
	n := 0
	for ; n < 3 && !warned(); n++ {
		session()
	}
	if !warned() || !(share() > 0.3 && share() < 0.5) {
		t.Fatalf("after %d sessions behind a filter passing 40 %%: share %.2f, warning %v; want 0.3-0.5 and the warning", n, share(), warned())
	}
	t.Logf("warned after %d session(s), share %.2f", n, share())
	// The filter is changed. The warning clears once the airflow has read
	// well above the line for an hour (the rule's off-delay): within six
	// 20-minute sessions.
	if err := h.rig.SetFanFlow("booth1-exhaust", 1); err != nil {
		t.Fatal(err)
	}
	m := 0
	for ; m < 6 && warned(); m++ {
		session()
	}
	if warned() || !(share() > 0.8) {
		t.Errorf("after %d sessions with a new filter: share %.2f, warning %v; want about 1 and none", m, share(), warned())
	}
	t.Logf("cleared after %d session(s), share %.2f", m, share())
}
