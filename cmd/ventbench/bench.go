package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
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
	i    int
	c    *benchCase
	ctl  controller
	seed uint64
}

// cost estimates how long a run takes, for the order runAll starts them
// in: simulated time, warm-up included, times how many sensors the loop
// reads each second (most of a run's work), a third more for ventd's law.
func (j job) cost() float64 {
	c := (j.c.sc.Duration + warmup).Hours() * float64(len(j.c.cfg.Sensors)+1)
	if j.ctl.family == famVentd {
		c *= 4.0 / 3
	}
	return c
}

// runAll runs every scenario with every controller and seed, parallel
// runs at once, each as its own daemon on its own simulated room and
// clock. Results come back in scenario, controller, then seed order. Every
// progressEvery it says on stderr how far it has got, when stderr is not
// nil.
func runAll(ctx context.Context, cases []*benchCase, ctls []controller, seeds []uint64, parallel int, cache *resultCache, stderr io.Writer) ([]Result, error) {
	var list []job
	for _, c := range cases {
		for _, ctl := range ctls {
			for _, seed := range seeds {
				list = append(list, job{i: len(list), c: c, ctl: ctl, seed: seed})
			}
		}
	}
	var prog *progress
	if stderr != nil {
		prog = newProgress(stderr, time.Now(), list, cache != nil && cache.dir != "")
		stop, done := make(chan struct{}), make(chan struct{})
		go prog.report(stop, done)
		defer func() { close(stop); <-done }()
	}
	jobs := make(chan job)
	results := make([]Result, len(list))
	errs := make([]error, len(results))
	var wg sync.WaitGroup
	for range min(parallel, len(results)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					errs[j.i] = ctx.Err()
					continue
				}
				r, cached := cache.get(j.c, j.ctl, j.seed)
				if !cached {
					r, errs[j.i] = runOne(ctx, j.c, j.ctl, j.seed)
					if errs[j.i] == nil {
						cache.put(j.c, j.ctl, j.seed, r)
					}
				}
				results[j.i] = r
				if prog != nil {
					prog.finished(j, cached)
				}
			}
		}()
	}
	// Longest first, so that no worker is left with a long run while the
	// others have finished; the results keep their order whatever the
	// order the runs take.
	slices.SortStableFunc(list, func(a, b job) int { return cmp.Compare(b.cost(), a.cost()) })
	for _, j := range list {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("scenario %s, controller %s, seed %d: %w", results[i].Scenario, results[i].Controller, results[i].Seed, err)
		}
	}
	return results, ctx.Err()
}

// runOne runs sc with ctl on a fresh daemon and simulated room from
// simStart to the scenario's end, and measures it.
func runOne(ctx context.Context, c *benchCase, ctl controller, seed uint64) (Result, error) {
	sc, cfg := c.sc, c.cfg
	res := Result{Scenario: sc.Name, Group: c.group, Controller: ctl.name, Family: ctl.family, Seed: seed, SimHours: sc.Duration.Hours()}
	wall := time.Now()
	clk := clock.NewSim(simStart.Add(-warmup), 0)
	rc := c.room
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{Seed: seed, ScenarioStart: simStart, Room: &rc})
	if err != nil {
		return res, err
	}
	end := simStart.Add(sc.Duration)
	fig, err := newFigures(cfg, rc, sc, simStart, end)
	if err != nil {
		return res, err
	}
	// The true air, once a second, as the simulated clock moves.
	var tr *tracer
	if c.trace != "" {
		if tr, err = newTracer(c.trace, c, ctl, seed, simStart); err != nil {
			return res, err
		}
	}
	clk.OnAdvance(func(now time.Time) {
		fig.truth.observe(rig.Room)
		if tr != nil {
			tr.observe(now, rig.Room)
		}
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: log, Sim: true, NewLaw: ctl.newLaw})
	if err != nil {
		return res, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Every period's record, none merged: the figures need each one.
	var light snapshot.Snapshot
	d.Attach("ventbench", record.OutputFunc(func(p *record.Period) {
		switch {
		case !p.Time.Before(end):
			cancel() // the loop stops within a period; later records are past the end
		case p.Time.Before(simStart): // warming up
		case tr != nil:
			snap := snapshot.From(p, nil)
			fig.add(snap)
			tr.add(snap)
		default:
			fig.add(figureSnapshot(&light, p))
		}
	}), &record.AttachOpts{Backlog: -1})
	err = d.Run(runCtx)
	if tr != nil {
		if cerr := tr.close(); err == nil && cerr != nil {
			err = fmt.Errorf("-trace: %w", cerr)
		}
	}
	if err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	fig.finish(&res)
	res.WallSeconds = time.Since(wall).Seconds()
	return res, nil
}

// figureSnapshot fills s with what figures.add reads of the snapshot of
// p (its time, its fans, and its good PM2.5 readings as snapshot.From
// rounds them) and returns it: a period's snapshot built in full, its
// errors formatted and its mixtures summed, was about 4 % of a bench's CPU
// for fields the figures never read, and copying every reading for the
// PM2.5 ones another 1 %. s's readings are reused from one period to the
// next; figures.add keeps nothing of them.
func figureSnapshot(s *snapshot.Snapshot, p *record.Period) *snapshot.Snapshot {
	s.Time, s.Fans = p.Time, p.Fans
	s.Readings = s.Readings[:0]
	// By pointer and field by field: a sample copied out whole, and a
	// Reading built and then copied in, were moves the processor stalls on.
	for i := range p.Readings {
		smp := &p.Readings[i]
		if !figureReading(smp.Quantity, smp.Quality) {
			continue
		}
		s.Readings = append(s.Readings, snapshot.Reading{})
		r := &s.Readings[len(s.Readings)-1]
		r.Sensor, r.Zone, r.Quantity = smp.Sensor, smp.Zone, smp.Quantity
		r.Value, r.Time, r.Quality = snapshot.ReadingValue(smp.Value), smp.Time, smp.Quality
	}
	return s
}

// figureReading says whether figures.add reads a reading of quantity q and
// quality ql: the good PM2.5 ones, all it measures the air by.
func figureReading(q sample.Quantity, ql sample.Quality) bool {
	return q == sample.PM25 && ql == sample.Good
}
