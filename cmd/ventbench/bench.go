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
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
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
	// The true air, once a second, as the simulated clock moves.
	clk.OnAdvance(func(time.Time) { fig.truth.observe(rig.Room) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: log, Sim: true, NewLaw: ctl.newLaw})
	if err != nil {
		return res, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Every period's record, none merged: the figures need each one.
	d.Attach("ventbench", record.OutputFunc(func(p *record.Period) {
		switch {
		case !p.Time.Before(end):
			cancel() // the loop stops within a period; later records are past the end
		case p.Time.Before(simStart): // warming up
		default:
			fig.add(snapshot.From(p, nil))
		}
	}), &record.AttachOpts{Backlog: -1})
	if err := d.Run(runCtx); err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	fig.finish(&res)
	res.WallSeconds = time.Since(wall).Seconds()
	return res, nil
}
