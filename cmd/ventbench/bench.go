package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// simStart is a Monday morning; night-time scenarios still run on the
// same clock (nothing in ventd depends on the hour).
var simStart = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// warmup runs every controller on the empty room before the scenario
// (three time constants of the default staff area, so its air has settled)
// starts, and is left out of the figures: ventbench compares controllers
// in steady operation, not how each leaves the safe duty every daemon
// starts at (ventd eases down from it; a fixed duty jumps).
const warmup = 45 * time.Minute

type job struct {
	i   int
	sc  *scenario.Scenario
	ctl controller
}

// runAll runs every scenario with every controller, parallel runs at once,
// each as its own daemon on its own simulated room and clock. Results come
// back in scenario, then controller order.
func runAll(ctx context.Context, cfg *config.Config, scs []*scenario.Scenario, ctls []controller, seed uint64, parallel int) ([]Result, error) {
	jobs := make(chan job)
	results := make([]Result, len(scs)*len(ctls))
	errs := make([]error, len(results))
	var wg sync.WaitGroup
	for range min(parallel, len(results)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results[j.i], errs[j.i] = runOne(ctx, cfg, j.sc, j.ctl, seed)
			}
		}()
	}
	for i, sc := range scs {
		for k, c := range ctls {
			jobs <- job{i: i*len(ctls) + k, sc: sc, ctl: c}
		}
	}
	close(jobs)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("scenario %s, controller %s: %w", results[i].Scenario, results[i].Controller, err)
		}
	}
	return results, ctx.Err()
}

// truthRig is the simulated room as the daemon's hardware, also noting the
// true air the sensors sample, for the true_* figures. Step runs on the
// loop's goroutine, so the room is read between the loop's own uses.
type truthRig struct {
	*testbench.Rig
	truth *truth
}

func (r *truthRig) Step(now time.Time) error {
	err := r.Rig.Step(now)
	r.truth.observe(r.Rig.Room)
	return err
}

// runOne runs sc with ctl on a fresh daemon and simulated room from
// simStart to the scenario's end, and measures it.
func runOne(ctx context.Context, cfg *config.Config, sc *scenario.Scenario, ctl controller, seed uint64) (Result, error) {
	res := Result{Scenario: sc.Name, Controller: ctl.name, SimHours: sc.Duration.Hours()}
	wall := time.Now()
	clk := clock.NewSim(simStart.Add(-warmup), 0)
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{Seed: seed, ScenarioStart: simStart})
	if err != nil {
		return res, err
	}
	end := simStart.Add(sc.Duration)
	fig, err := newFigures(cfg, sc, simStart, end)
	if err != nil {
		return res, err
	}
	hw := &truthRig{Rig: rig, truth: fig.truth}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: hw, Log: log, Sim: true, NewLaw: ctl.newLaw})
	if err != nil {
		return res, err
	}
	snaps := d.Subscribe(1 << 12)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	for s := range snaps {
		if !s.Time.Before(end) {
			cancel() // the loop stops within a period; later snapshots are past the end
			continue
		}
		if s.Time.Before(simStart) {
			continue // warming up
		}
		fig.add(s)
	}
	if err := <-done; err != nil {
		return res, err
	}
	if n := d.Dropped(); n > 0 {
		return res, fmt.Errorf("%d snapshots dropped: the figures would miss them", n)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	fig.finish(&res)
	res.WallSeconds = time.Since(wall).Seconds()
	return res, nil
}
