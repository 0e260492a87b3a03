// Package sdnotify tells systemd how ventd is doing, over the notify socket
// of a Type=notify service (sd_notify(3)): READY=1 once the control loop
// has finished its first period, WATCHDOG=1 only while the loop keeps
// finishing periods, a STATUS= line for `systemctl status`, and STOPPING=1
// when ventd begins to shut down.
//
// The watchdog pings come from the loop's progress, not from a timer alone:
// a loop stuck in a transfer (an I2C bus held low, a driver that never
// returns) stops the pings, systemd kills ventd when WatchdogSec= runs out,
// and Restart=always starts it again, which sets every fan to its safe duty
// before it reads a sensor. A goroutine that merely ticks would keep a hung
// loop alive forever.
//
// Outside systemd (NOTIFY_SOCKET unset) a Notifier does nothing.
package sdnotify

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// Loop is the control loop the watchdog watches; *daemon.Daemon is one.
type Loop interface {
	// LastPeriod is the loop clock's time at which the last period
	// finished, zero before the first.
	LastPeriod() time.Time
	// Now is the loop's clock.
	Now() time.Time
}

// DefaultStallPeriods is how many control periods may pass without one
// finishing before the loop counts as hung. A sensor re-initialising
// (an SCD4x stop takes 500 ms) may stretch one period; five never pass
// on a healthy loop.
const DefaultStallPeriods = 5

// Notifier speaks to systemd for this process.
type Notifier struct {
	socket  bool          // NOTIFY_SOCKET is set
	timeout time.Duration // WATCHDOG_USEC for this process; 0: no watchdog
}

// FromEnv reads what systemd passes a Type=notify service: NOTIFY_SOCKET,
// and WATCHDOG_USEC with WATCHDOG_PID when WatchdogSec= is set.
func FromEnv() (*Notifier, error) {
	n := &Notifier{socket: os.Getenv("NOTIFY_SOCKET") != ""}
	t, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		return nil, fmt.Errorf("systemd watchdog: %w (WatchdogSec= in the unit sets it)", err)
	}
	n.timeout = t
	return n, nil
}

// Enabled reports whether ventd runs under systemd's notify protocol.
func (n *Notifier) Enabled() bool { return n.socket }

// WatchdogTimeout is WatchdogSec= as systemd passed it; 0 means no
// watchdog.
func (n *Notifier) WatchdogTimeout() time.Duration { return n.timeout }

// Interval is how often Supervise looks at the loop: a quarter of the
// watchdog timeout, so one late look never lets it expire, and at least
// once a second, so READY=1 follows the first period promptly.
func (n *Notifier) Interval() time.Duration {
	if q := n.timeout / 4; q > 0 && q < time.Second {
		return q
	}
	return time.Second
}

// send sends one notification; lines are joined as sd_notify(3) wants.
func (n *Notifier) send(state string) error {
	if !n.socket {
		return nil
	}
	if _, err := daemon.SdNotify(false, state); err != nil {
		return fmt.Errorf("systemd notify socket: %w", err)
	}
	return nil
}

// Options tune Supervise.
type Options struct {
	// Period is the loop's control period.
	Period time.Duration
	// StallPeriods is how many periods without progress make the loop
	// hung; 0 means DefaultStallPeriods.
	StallPeriods int
	// Tick paces the looks at the loop; nil means a wall-clock ticker at
	// Interval (systemd's watchdog counts wall time, not the loop's
	// clock). Tests send their own ticks.
	Tick <-chan time.Time
	// Log, when set, hears each change between healthy and hung.
	Log func(healthy bool, status string)
}

// Supervise runs until ctx is done: it sends READY=1 after the loop's first
// period, then at each tick WATCHDOG=1 while the loop is healthy, or a
// STATUS= saying how long it has been stuck while it is not, and
// STOPPING=1 when ctx ends. It returns the first error the socket gave,
// after ctx ends; a socket error never stops the supervision (the
// watchdog then expires, which is the safe outcome).
func (n *Notifier) Supervise(ctx context.Context, loop Loop, o Options) error {
	if !n.socket {
		<-ctx.Done()
		return nil
	}
	if o.StallPeriods <= 0 {
		o.StallPeriods = DefaultStallPeriods
	}
	tick := o.Tick
	if tick == nil {
		t := time.NewTicker(n.Interval())
		defer t.Stop()
		tick = t.C
	}
	var firstErr error
	keep := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	ready, healthy := false, true
	for {
		select {
		case <-ctx.Done():
			keep(n.send(daemon.SdNotifyStopping + "\nSTATUS=stopping: fans go to their safe duty"))
			return firstErr
		case <-tick:
		}
		last := loop.LastPeriod()
		if !ready {
			if last.IsZero() {
				continue
			}
			ready = true
			keep(n.send(daemon.SdNotifyReady + "\nSTATUS=control loop running"))
			continue
		}
		stuck := loop.Now().Sub(last)
		ok := stuck <= time.Duration(o.StallPeriods)*o.Period
		status := "control loop running"
		if !ok {
			status = fmt.Sprintf("control loop stuck: no control period finished for %s; the watchdog restarts ventd", stuck.Round(time.Millisecond))
		}
		if ok != healthy && o.Log != nil {
			o.Log(ok, status)
		}
		switch {
		case ok && n.timeout > 0:
			msg := daemon.SdNotifyWatchdog
			if !healthy {
				msg += "\nSTATUS=" + status
			}
			keep(n.send(msg))
		case ok && !healthy:
			keep(n.send("STATUS=" + status))
		case !ok:
			keep(n.send("STATUS=" + status))
		}
		healthy = ok
	}
}
