package main

import (
	"context"
	"time"

	"github.com/ventd/ventd/sdnotify"
)

// superviseSystemd speaks systemd's notify protocol when ventd runs as a
// Type=notify service: READY=1 after the first control period, a watchdog
// ping while the loop keeps finishing periods (a hung loop gets ventd
// restarted, and a restart starts every fan at its safe duty), and
// STOPPING=1 when ctx ends. Outside systemd it does nothing. The returned
// function waits for the last notification once ctx is done.
func (a *app) superviseSystemd(ctx context.Context) (wait func()) {
	n, err := sdnotify.FromEnv()
	if err != nil {
		a.log.Warn("not talking to systemd", "err", err)
		return func() {}
	}
	if !n.Enabled() {
		return func() {}
	}
	period := a.cfg.Control.Period
	if period <= 0 {
		period = time.Second // the daemon's own default
	}
	a.log.Info("systemd notify", "watchdog", n.WatchdogTimeout(), "stuck_after", sdnotify.DefaultStallPeriods*period)
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := n.Supervise(ctx, a.d, sdnotify.Options{Period: period, Log: func(healthy bool, status string) {
			if healthy {
				a.log.Warn("control loop running again; watchdog pings resumed")
			} else {
				a.log.Error("watchdog pings withheld: "+status, "hint", "systemd restarts ventd when WatchdogSec= runs out; the fans keep their last duty until then")
			}
		}})
		if err != nil {
			a.log.Warn("systemd notify socket", "err", err)
		}
	}()
	return func() { <-done }
}
