package sdnotify

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/sdnotify/sdnotifytest"
)

// loop is a control loop on simulated time whose periods the test
// finishes by hand.
type loop struct {
	clk  *clock.Sim
	mu   sync.Mutex
	last time.Time
	// looked, when made, hears each time Supervise reads the last
	// period, so a test can wait for a look that sends nothing.
	looked chan struct{}
}

func (l *loop) LastPeriod() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.looked != nil {
		select {
		case l.looked <- struct{}{}:
		default:
		}
	}
	return l.last
}
func (l *loop) Now() time.Time { return l.clk.Now() }

// period runs one period of d and finishes it.
func (l *loop) period(d time.Duration) {
	l.clk.Advance(d)
	l.mu.Lock()
	l.last = l.clk.Now()
	l.mu.Unlock()
}

func TestSuperviseReadyPingsStallsAndStops(t *testing.T) {
	sock := sdnotifytest.Listen(t)
	sdnotifytest.Watchdog(t, 2*time.Second)
	n, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !n.Enabled() || n.WatchdogTimeout() != 2*time.Second || n.Interval() != 500*time.Millisecond {
		t.Fatalf("FromEnv: enabled %v, timeout %v, interval %v", n.Enabled(), n.WatchdogTimeout(), n.Interval())
	}
	l := &loop{clk: clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0), looked: make(chan struct{}, 1)}
	tick := make(chan time.Time)
	var changes []bool
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- n.Supervise(ctx, l, Options{Period: time.Second, Tick: tick, Log: func(ok bool, _ string) { changes = append(changes, ok) }})
	}()

	tick <- time.Time{} // no period finished yet: not ready, nothing sent
	<-l.looked          // it has looked: the period below comes after, not during, that look
	l.period(time.Second)
	tick <- time.Time{}
	if got := sock.Next(t); got != "READY=1\nSTATUS=control loop running" {
		t.Fatalf("first notification %q, want READY=1 (and nothing before the first period)", got)
	}
	for i := 0; i < 3; i++ {
		l.period(time.Second)
		tick <- time.Time{}
		if got := sock.Next(t); got != "WATCHDOG=1" {
			t.Fatalf("healthy period %d: %q, want WATCHDOG=1", i, got)
		}
	}
	// The loop hangs: time passes, no period finishes. Four periods late
	// is still within the default five.
	l.clk.Advance(4 * time.Second)
	tick <- time.Time{}
	if got := sock.Next(t); got != "WATCHDOG=1" {
		t.Fatalf("4 s late: %q, want still WATCHDOG=1", got)
	}
	for _, late := range []string{"6s", "8s"} {
		l.clk.Advance(2 * time.Second)
		tick <- time.Time{}
		got := sock.Next(t)
		if strings.Contains(got, "WATCHDOG=1") || got != "STATUS=control loop stuck: no control period finished for "+late+"; the watchdog restarts ventd" {
			t.Fatalf("hung loop: %q, want no ping, a stuck status after %s", got, late)
		}
	}
	l.period(time.Second) // it came back before systemd killed it
	tick <- time.Time{}
	if got := sock.Next(t); got != "WATCHDOG=1\nSTATUS=control loop running" {
		t.Fatalf("recovered: %q", got)
	}
	cancel()
	if got := sock.Next(t); !strings.HasPrefix(got, "STOPPING=1\n") {
		t.Fatalf("at stop: %q, want STOPPING=1", got)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0] || !changes[1] {
		t.Errorf("health changes %v, want [false true]", changes)
	}
}

func TestNoWatchdogStillReadyAndStopping(t *testing.T) {
	sock := sdnotifytest.Listen(t)
	// WatchdogSec= set for another process (a wrapper script's child):
	// not ours to ping.
	t.Setenv("WATCHDOG_USEC", "2000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()+1))
	n, err := FromEnv()
	if err != nil || n.WatchdogTimeout() != 0 || n.Interval() != time.Second {
		t.Fatalf("FromEnv: %v, timeout %v, interval %v", err, n.WatchdogTimeout(), n.Interval())
	}
	l := &loop{clk: clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0)}
	tick := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- n.Supervise(ctx, l, Options{Period: time.Second, Tick: tick}) }()
	l.period(time.Second)
	tick <- time.Time{}
	if got := sock.Next(t); !strings.HasPrefix(got, "READY=1") {
		t.Fatalf("%q, want READY=1", got)
	}
	l.period(time.Second)
	tick <- time.Time{} // healthy, no watchdog: nothing to send
	cancel()
	if got := sock.Next(t); !strings.HasPrefix(got, "STOPPING=1") {
		t.Fatalf("%q, want STOPPING=1 next (no watchdog, no pings)", got)
	}
	<-done
}

func TestOutsideSystemdNothingHappens(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "")
	n, err := FromEnv()
	if err != nil || n.Enabled() {
		t.Fatalf("FromEnv without systemd: %v, enabled %v", err, n.Enabled())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := n.Supervise(ctx, &loop{clk: clock.NewSim(time.Time{}, 0)}, Options{Period: time.Second}); err != nil {
		t.Fatal(err)
	}
}

func TestBadWatchdogSetting(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "soon")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "WatchdogSec=") {
		t.Fatalf("err = %v, want one naming WatchdogSec=", err)
	}
}

func TestDeadSocketIsReportedNotFatal(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "gone.sock"))
	t.Setenv("WATCHDOG_USEC", "")
	n, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	l := &loop{clk: clock.NewSim(time.Time{}, 0)}
	l.period(time.Second)
	tick := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- n.Supervise(ctx, l, Options{Period: time.Second, Tick: tick}) }()
	tick <- time.Time{}
	tick <- time.Time{} // still looking after the failed READY
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "notify socket") {
		t.Fatalf("err = %v, want the socket's error", err)
	}
}
