package daemon

// A soak: the whole daemon on the simulated two-booth room for days of
// simulated time, with faults injected at seeded random times (sensors
// unplugged and corrupt and stuck, a hung bus, a stalled fan, clock steps,
// restarts on the same state directory, purges), then the invariants a
// site depends on checked against the journal. It takes minutes, so it
// runs only when VENTD_SOAK names the number of days (for example
// VENTD_SOAK=7 go test -run TestSoak ./daemon/).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// soakHW is the rig with booth1's bus able to hang, each open of a fan a
// handle of its own (the simulated fan stays halted once released, as no
// real output does when a new process opens it).
type soakHW struct{ *slowHW }

func (h soakHW) Fan(f config.Fan) (fan.Output, error) {
	out, err := h.slowHW.Fan(f)
	if err != nil {
		return nil, err
	}
	return &soakFan{Output: out}, nil
}

type soakFan struct {
	fan.Output
	halted bool
}

func (f *soakFan) SetDuty(d float64) error {
	if f.halted {
		return fan.ErrHalted
	}
	return f.Output.SetDuty(d)
}

func (f *soakFan) Halt() error { f.halted = true; return nil }

type soakFault struct {
	kind   string // disconnect, corrupt, stuck, hang, stall
	target string // sensor, bus or fan
	until  time.Time
}

type soak struct {
	t    *testing.T
	cfg  *config.Config
	clk  *clock.Sim
	rig  *testbench.Rig
	hw   *slowHW
	d    *Daemon
	dir  string
	rnd  *rand.Rand
	next time.Time

	mu     sync.Mutex
	events []alarm.Event // every transition the outputs saw, across restarts

	faults       []*soakFault
	blindFrom    map[string]time.Time // booth -> since when it cannot be seen
	worstSafe    time.Duration
	purgeFrom    map[string]time.Time
	purges       []chan error
	restarts     int
	steps        int // clock steps
	counts       map[string]int
	log          []string
	first        time.Time
	counterFalls int
	scraped      map[string]float64
}

func soakDaemon(s *soak) {
	d, err := New(Options{Config: s.cfg, Clock: s.clk, Hardware: soakHW{s.hw}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StateDir: s.dir, Sim: true})
	if err != nil {
		s.t.Fatal(err)
	}
	prev := map[string]exposure.Totals{}
	d.Attach("soak", record.OutputFunc(func(p *record.Period) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.events = append(s.events, p.Transitions...)
		// /metrics exports the totals as counters: within one run of
		// ventd they must never fall.
		for _, e := range p.Exposure {
			k := e.Zone + "/" + string(e.Quantity)
			if o, ok := prev[k]; ok && (e.Totals.Dose < o.Dose-1e-9 || e.Totals.Measured < o.Measured || e.Totals.OverAlarm < o.OverAlarm || e.Totals.OverSTEL < o.OverSTEL) {
				if s.counterFalls < 10 {
					s.t.Errorf("%s: %s totals fell: %+v after %+v", p.Time.Format(time.DateTime), k, e.Totals, o)
				}
				s.counterFalls++
			}
			prev[k] = e.Totals
		}
	}), nil)
	s.d = d
	s.next = s.clk.Now()
}

// blind says whether booth b's PM sensor cannot be read now.
func (s *soak) blind(b string) bool {
	for _, f := range s.faults {
		switch {
		case f.kind == "hang" && b == "booth1":
			return true
		case (f.kind == "disconnect" || f.kind == "corrupt") && f.target == b+"-pm":
			return true
		}
	}
	return false
}

func (s *soak) active(kind, target string) bool {
	for _, f := range s.faults {
		if f.kind == kind && f.target == target {
			return true
		}
	}
	return false
}

func (s *soak) setFault(f *soakFault, on bool) {
	var err error
	switch f.kind {
	case "hang":
		if on {
			s.hw.set(busTimeout)
		} else {
			s.hw.set(busOK)
		}
	case "stall":
		s.rig.SetFanStalled(f.target, on)
	case "diskfull":
		// The journal's disk full: no file of this process may grow past
		// the journal's size now (writes fail with EFBIG, as with ENOSPC).
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			s.t.Fatal(err)
		}
		lim.Cur = lim.Max
		if on {
			fi, err := os.Stat(filepath.Join(s.dir, "journal.db"))
			if err != nil {
				s.t.Fatal(err)
			}
			lim.Cur = uint64(fi.Size())
		}
		err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim)
	default:
		err = s.rig.SensorFault(f.target, f.kind, on)
	}
	if err != nil {
		s.t.Fatal(err)
	}
}

// step runs one control period as Run paces it and checks fail-safe.
func (s *soak) step() {
	period := s.d.period
	s.d.step(s.next)
	now := s.clk.Now()
	for _, f := range s.d.fans {
		b := f.cfg.Zones[0]
		if s.blind(b) {
			from, ok := s.blindFrom[b]
			if !ok {
				from = now
				s.blindFrom[b] = now
			}
			if from.Equal(time.Time{}.Add(1)) {
				// safe already reached (or reported)
			} else if f.last.Mode == control.ModeSafe || f.last.Mode == control.ModePurge {
				if d := now.Sub(from); d > s.worstSafe {
					s.worstSafe = d
				}
				s.blindFrom[b] = time.Time{}.Add(1) // marked: safe reached
			} else if now.Sub(from) > 30*time.Second {
				s.t.Errorf("%s: %s unseen since %s, its fan is %s %.2f after %v", now.Format(time.DateTime), b, from.Format(time.TimeOnly), f.last.Mode, f.last.Duty, now.Sub(from))
				s.blindFrom[b] = time.Time{}.Add(1)
			}
		} else {
			delete(s.blindFrom, b)
		}
		if f.last.Mode == control.ModePurge {
			from, ok := s.purgeFrom[f.cfg.Name]
			if !ok {
				s.purgeFrom[f.cfg.Name] = now
			} else if now.Sub(from) > 45*time.Minute && !from.IsZero() {
				s.t.Errorf("%s: %s in purge since %s", now.Format(time.DateTime), f.cfg.Name, from.Format(time.DateTime))
				s.purgeFrom[f.cfg.Name] = time.Time{}
			}
		} else {
			delete(s.purgeFrom, f.cfg.Name)
		}
	}
	s.next = s.next.Add(period)
	if behind := now.Sub(s.next); behind > period {
		s.next = now
	}
	s.clk.Sleep(s.next.Sub(now))
}

// minute runs a simulated minute, maybe starting a fault first.
func (s *soak) minute(quiet bool) {
	now := s.clk.Now()
	// End faults that are due.
	kept := s.faults[:0]
	for _, f := range s.faults {
		if !now.Before(f.until) || quiet {
			s.setFault(f, false)
			continue
		}
		kept = append(kept, f)
	}
	s.faults = kept
	for _, b := range []string{"booth1", "booth2"} {
		if s.rnd.IntN(40) == 0 {
			s.rig.Room.StartSession(b, room.TypicalSession(1+3*s.rnd.Float64(), time.Duration(2+s.rnd.IntN(4))*time.Minute))
		}
	}
	if s.rnd.IntN(600) == 0 {
		s.rig.Room.StartSession("staff", room.TypicalSession(0.5+s.rnd.Float64(), 5*time.Minute))
	}
	if !quiet && s.rnd.IntN(45) == 0 {
		s.inject(now)
	}
	for end := now.Add(time.Minute); s.clk.Now().Before(end); {
		s.step()
	}
}

var soakSensors = []string{"booth1-pm", "booth2-pm", "staff-pm", "staff-co2", "booth1-voc", "staff-voc"}

func (s *soak) inject(now time.Time) {
	dur := time.Duration(1+s.rnd.IntN(30)) * time.Minute
	kinds := []string{"disconnect", "corrupt", "stuck", "hang", "stall", "clock", "restart", "purge"}
	if os.Getenv("VENTD_SOAK_DISKFULL") != "" {
		kinds = append(kinds, "diskfull")
	}
	kind := kinds[s.rnd.IntN(len(kinds))]
	s.counts[kind]++
	s.log = append(s.log, fmt.Sprintf("%s %s %v", now.Format(time.DateTime), kind, dur))
	// start begins a fault of kind on target unless one of blockers is
	// already active there.
	start := func(target string, blockers ...string) {
		for _, b := range blockers {
			if s.active(b, target) {
				return
			}
		}
		f := &soakFault{kind: kind, target: target, until: now.Add(dur)}
		s.setFault(f, true)
		s.faults = append(s.faults, f)
	}
	switch kind {
	case "disconnect", "corrupt", "stuck":
		target := soakSensors[s.rnd.IntN(len(soakSensors))]
		if kind == "stuck" && target == "booth1-voc" {
			target = "booth2-voc"
		}
		start(target, "disconnect", "corrupt", "stuck")
	case "diskfull":
		start("journal", "diskfull")
	case "hang":
		start("sim1", "hang")
	case "stall":
		start(s.cfg.Fans[s.rnd.IntN(len(s.cfg.Fans))].Name, "stall")
	case "clock":
		jump := time.Duration(10+s.rnd.IntN(7200)) * time.Second
		if s.rnd.IntN(2) == 0 {
			jump = -time.Duration(10+s.rnd.IntN(1200)) * time.Second
		}
		s.clk.Advance(jump)
		s.log = append(s.log, fmt.Sprintf("  jump %v", jump))
		s.next = s.clk.Now()
		s.steps++
	case "restart":
		s.d.shutdown()
		s.clk.Advance(time.Duration(5+s.rnd.IntN(300)) * time.Second)
		soakDaemon(s)
		s.restarts++
	case "purge":
		zone := []string{"booth1", "booth2"}[s.rnd.IntN(2)]
		done := make(chan error, 1)
		d := s.d
		go func() {
			_, err := d.Purge(context.Background(), zone, tester, "soak")
			done <- err
		}()
		s.purges = append(s.purges, done)
	}
}

type soakUse struct {
	day             int
	goroutines, fds int
	heap            uint64
	journal         int64
}

func fdCount() int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(es)
}

func TestSoak(t *testing.T) {
	days, _ := strconv.Atoi(os.Getenv("VENTD_SOAK"))
	if days <= 0 {
		t.Skip("set VENTD_SOAK to a number of simulated days to run the soak")
	}
	// VENTD_SOAK_DISKFULL adds a full disk under the journal (RLIMIT_FSIZE
	// at its size for a while); a write past the limit fails with EFBIG
	// rather than killing the process.
	signal.Ignore(syscall.SIGXFSZ)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err == nil {
		t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim) })
	}
	for _, sched := range []struct {
		name   string
		starts []config.TimeOfDay
		length time.Duration
	}{
		{"12h", []config.TimeOfDay{config.TimeOfDay(7 * time.Hour), config.TimeOfDay(19 * time.Hour)}, 12 * time.Hour},
		{"8h", []config.TimeOfDay{config.TimeOfDay(7 * time.Hour), config.TimeOfDay(15 * time.Hour), config.TimeOfDay(23 * time.Hour)}, 8 * time.Hour},
	} {
		t.Run(sched.name, func(t *testing.T) {
			cfg, err := config.Load("../testbench/rooms/booths-2.yaml")
			if err != nil {
				t.Fatal(err)
			}
			cfg.Shifts.Starts, cfg.Shifts.Length = sched.starts, sched.length
			runSoak(t, cfg, days, uint64(len(sched.name)))
		})
	}
}

func runSoak(t *testing.T, cfg *config.Config, days int, seed uint64) {
	start := time.Date(2026, 3, 2, 6, 30, 0, 0, time.UTC)
	clk := clock.NewSim(start, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	s := &soak{t: t, cfg: cfg, clk: clk, rig: rig, hw: &slowHW{rig: rig, clk: clk, which: "sim1", delay: time.Second},
		dir: t.TempDir(), rnd: rand.New(rand.NewPCG(seed, 99)), blindFrom: map[string]time.Time{}, purgeFrom: map[string]time.Time{}, counts: map[string]int{}}
	soakDaemon(s)
	s.first = start
	var use []soakUse
	for day := 1; day <= days; day++ {
		for m := 0; m < 24*60; m++ {
			s.minute(day == days && m >= 22*60)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fi, _ := os.Stat(filepath.Join(s.dir, "journal.db"))
		u := soakUse{day: day, goroutines: runtime.NumGoroutine(), fds: fdCount(), heap: ms.HeapAlloc}
		if fi != nil {
			u.journal = fi.Size()
		}
		use = append(use, u)
		t.Logf("day %d (%s): goroutines %d, fds %d, heap %.1f MB, journal %.1f MB, restarts %d, clock steps %d, faults %v, worst time to safe %v",
			day, clk.Now().Format(time.DateTime), u.goroutines, u.fds, float64(u.heap)/1e6, float64(u.journal)/1e6, s.restarts, s.steps, s.counts, s.worstSafe)
	}
	for i, p := range s.purges {
		select {
		case err := <-p:
			if err != nil {
				t.Errorf("purge %d: %v", i, err)
			}
		default:
			t.Errorf("purge %d never answered", i)
		}
	}
	reg := prometheus.NewRegistry()
	if _, err := metrics.Register(reg, metrics.ConfigRoom(s.cfg, s.clk.Now), s.d.Snapshot); err != nil {
		t.Fatal(err)
	}
	s.d.shutdown()
	live := s.d.Latest()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	scraped := map[string]float64{}
	for _, mf := range mfs {
		name := mf.GetName()
		if !strings.HasPrefix(name, "ventd_exposure_shift_twa_") || strings.Contains(name, "limit") {
			continue
		}
		for _, m := range mf.GetMetric() {
			var zone, q string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "zone":
					zone = l.GetValue()
				case "pollutant":
					q = l.GetValue()
				}
			}
			scraped[zone+"/"+q] = m.GetGauge().GetValue()
		}
	}
	s.scraped = scraped
	final := s.d.Snapshot()
	if os.Getenv("VENTD_SOAK_LOG") != "" {
		for _, l := range s.log {
			t.Log(l)
		}
	}
	checkSoakResources(t, use)
	checkSoakJournal(t, s, live, final.Time)
}

func checkSoakResources(t *testing.T, use []soakUse) {
	if len(use) < 4 {
		return
	}
	base, last := use[1], use[len(use)-1]
	if last.goroutines > base.goroutines+5 {
		t.Errorf("goroutines grew from %d (day 2) to %d (day %d)", base.goroutines, last.goroutines, last.day)
	}
	if last.fds > base.fds+4 {
		t.Errorf("open files grew from %d (day 2) to %d (day %d)", base.fds, last.fds, last.day)
	}
	if last.heap > 2*base.heap+16<<20 {
		t.Errorf("heap grew from %.1f MB (day 2) to %.1f MB (day %d)", float64(base.heap)/1e6, float64(last.heap)/1e6, last.day)
	}
	// The journal grows by the data; a day's growth must not itself grow.
	d1 := use[2].journal - use[1].journal
	dn := last.journal - use[len(use)-2].journal
	if d1 > 0 && dn > 2*d1+1<<20 {
		t.Errorf("journal grew %d bytes on day 3, %d on day %d", d1, dn, last.day)
	}
}

func checkSoakJournal(t *testing.T, s *soak, live *record.Period, end time.Time) {
	j, err := journal.Open(filepath.Join(s.dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	shifts, err := j.Shifts(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	allGaps, err := j.Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	reported := 0
	report := func(format string, args ...any) {
		reported++
		if reported <= 40 {
			t.Errorf(format, args...)
		}
	}
	nShifts := 0
	for _, sh := range shifts {
		z := s.cfg.Zone(sh.Zone)
		if z == nil || z.Kind != config.Staff {
			continue
		}
		nShifts++
		if sh.End.Before(end) && !sh.Finished {
			report("%s/%s shift %s: over at %s but not sealed", sh.Zone, sh.Quantity, sh.Start.Format(time.DateTime), sh.End.Format(time.TimeOnly))
		}
		var sum exposure.Summary
		if err := json.Unmarshal(sh.Summary, &sum); err != nil {
			report("%s/%s shift %s: summary: %v", sh.Zone, sh.Quantity, sh.Start, err)
			continue
		}
		if sh.Start.Before(s.first) {
			continue // the shift ventd started in
		}
		mins, err := j.Minutes(sh.Start, sh.End, sh.Zone, sh.Quantity)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[time.Time]bool{}
		var dose, covered float64
		for _, m := range mins {
			if seen[m.Start] {
				report("%s/%s minute %s written twice", sh.Zone, sh.Quantity, m.Start.Format(time.DateTime))
			}
			seen[m.Start] = true
			if m.CoveredSeconds > 60.5 {
				report("%s/%s minute %s covers %.1f s", sh.Zone, sh.Quantity, m.Start.Format(time.DateTime), m.CoveredSeconds)
			}
			dose += m.Mean * m.CoveredSeconds
			covered += m.CoveredSeconds
		}
		until := sh.End
		if sum.Until.Before(until) {
			until = sum.Until
		}
		missing := 0
		var firstMissing time.Time
		for m := sh.Start; m.Before(until.Truncate(time.Minute)); m = m.Add(time.Minute) {
			if seen[m] {
				continue
			}
			inGap := false
			for _, g := range allGaps {
				if (g.Zone == "" || g.Zone == sh.Zone) && (g.Quantity == "" || g.Quantity == sh.Quantity) && g.Start.Before(m.Add(time.Minute)) && g.End.After(m) {
					inGap = true
					break
				}
			}
			if !inGap {
				if missing == 0 {
					firstMissing = m
				}
				missing++
			}
		}
		if missing > 0 {
			report("%s/%s shift %s: %d minutes neither in a minute row nor in a gap (first %s)", sh.Zone, sh.Quantity, sh.Start.Format(time.DateTime), missing, firstMissing.Format(time.DateTime))
		}
		// TWA from the minute rows, against the journaled summary.
		twa := dose / (8 * 3600)
		if diff := math.Abs(twa - sum.TWA); diff > 0.02*math.Max(math.Abs(sum.TWA), 1) {
			report("%s/%s shift %s: TWA %.3f in the summary, %.3f from its minute rows (covered %v vs %.0f s)", sh.Zone, sh.Quantity, sh.Start.Format(time.DateTime), sum.TWA, twa, sum.Covered.Std(), covered)
		}
		if d := math.Abs(sum.Covered.Std().Seconds() - covered); d > 120 {
			report("%s/%s shift %s: covered %v in the summary, %.0f s in its minute rows", sh.Zone, sh.Quantity, sh.Start.Format(time.DateTime), sum.Covered.Std(), covered)
		}
		if el := sum.Elapsed.Std(); sum.Covered.Std()+sum.GapTotal.Std() < el-2*time.Minute || sum.Covered.Std() > el+time.Second {
			report("%s/%s shift %s: covered %v + gaps %v against %v elapsed", sh.Zone, sh.Quantity, sh.Start.Format(time.DateTime), sum.Covered.Std(), sum.GapTotal.Std(), el)
		}
		// STEL peak from the minute rows (15 whole minutes).
		byStart := map[time.Time]journal.Minute{}
		for _, m := range mins {
			byStart[m.Start] = m
		}
		peak, peakAt := 0.0, time.Time{}
		for m := sh.Start; !m.Add(15 * time.Minute).After(until); m = m.Add(time.Minute) {
			// The 15 min TWA is over the measured time in the window: a
			// gap adds nothing to either sum (control/exposure/doc.go).
			var d, cov float64
			for k := 0; k < 15; k++ {
				r := byStart[m.Add(time.Duration(k)*time.Minute)]
				d += r.Mean * r.CoveredSeconds
				cov += r.CoveredSeconds
			}
			// The tracker has a value only when a sample comes: a window
			// ending in a gap (a clock step forward) is none of its.
			if last := byStart[m.Add(14*time.Minute)]; last.CoveredSeconds > 0 && cov >= 60 && d/cov > peak {
				peak, peakAt = d/cov, m.Add(15*time.Minute)
			}
		}
		if sum.STELPeak.Known() && math.Abs(peak-float64(sum.STELPeak)) > 0.1*math.Max(peak, 1) {
			report("%s/%s shift %s: STEL peak %.2f at %s in the summary, %.2f at %s from its minute rows", sh.Zone, sh.Quantity, sh.Start.Format(time.DateTime), float64(sum.STELPeak), sum.STELPeakAt.Format(time.TimeOnly), peak, peakAt.Format(time.TimeOnly))
			if os.Getenv("VENTD_SOAK_LOG") != "" {
				for m := sum.STELPeakAt.Add(-20 * time.Minute).Truncate(time.Minute); m.Before(sum.STELPeakAt.Add(5 * time.Minute)); m = m.Add(time.Minute) {
					r := byStart[m]
					t.Logf("  %s mean %.2f max %.2f n %d covered %.1f", m.Format(time.TimeOnly), r.Mean, r.Max, r.Count, r.CoveredSeconds)
				}
				for _, g := range allGaps {
					if g.Zone == sh.Zone && g.Quantity == sh.Quantity && g.End.After(sum.STELPeakAt.Add(-time.Hour)) && g.Start.Before(sum.STELPeakAt.Add(time.Hour)) {
						t.Logf("  gap %s-%s %s", g.Start.Format(time.TimeOnly), g.End.Format(time.TimeOnly), g.Reason)
					}
				}
			}
		}
	}
	if nShifts == 0 {
		t.Errorf("no staff shifts in the journal")
	}
	t.Logf("%d staff shift rows checked", nShifts)

	// Alarms: the journal's stream against the outputs'.
	evs, err := j.Events(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(evs, func(a, b int) bool { return evs[a].ID < evs[b].ID })
	for i := 1; i < len(evs); i++ {
		if evs[i].ID != evs[i-1].ID+1 {
			report("alarm stream: event %d follows %d", evs[i].ID, evs[i-1].ID)
		}
	}
	s.mu.Lock()
	out := append([]alarm.Event(nil), s.events...)
	s.mu.Unlock()
	for i := 1; i < len(out); i++ {
		if out[i].ID <= out[i-1].ID {
			report("outputs saw event %d after %d", out[i].ID, out[i-1].ID)
		}
	}
	if len(out) != len(evs) {
		t.Errorf("outputs saw %d alarm transitions, the journal has %d", len(out), len(evs))
	}
	open := map[uint64]journal.Event{}
	raised := map[string][]time.Time{}
	for _, e := range evs {
		switch alarm.Kind(e.Kind) {
		case alarm.Raised:
			open[e.AlarmID] = e
			raised[e.Rule] = append(raised[e.Rule], e.Time)
		case alarm.Cleared:
			delete(open, e.AlarmID)
		}
	}
	for rule, ts := range raised {
		for i := range ts {
			n := 0
			for k := i; k < len(ts) && ts[k].Sub(ts[i]) < time.Hour; k++ {
				n++
			}
			if n > 4 {
				report("alarm %s raised %d times within the hour from %s", rule, n, ts[i].Format(time.DateTime))
				break
			}
		}
	}
	for id, e := range open {
		report("alarm %d (%s, %s) raised at %s never cleared though every fault ended 2 h before the end: %s", id, e.Rule, e.Subject, e.Time.Format(time.DateTime), e.Message)
	}
	t.Logf("%d alarm transitions, %d rules raised", len(evs), len(raised))

	// /api/state and /metrics against the journal: the running shift's
	// figures.
	compared := 0
	for _, e := range live.Exposure {
		if e.Shift == nil {
			continue
		}
		for _, sh := range shifts {
			if sh.Zone != e.Zone || sh.Quantity != string(e.Quantity) || !sh.Start.Equal(e.Shift.Start) {
				continue
			}
			var sum exposure.Summary
			json.Unmarshal(sh.Summary, &sum)
			if math.Abs(sum.TWA-e.Shift.TWA) > 0.01*math.Max(1, sum.TWA) {
				report("%s/%s: /api/state TWA %.3f, journal %.3f", e.Zone, e.Quantity, e.Shift.TWA, sum.TWA)
			}
			if v, ok := s.scraped[e.Zone+"/"+string(e.Quantity)]; !ok || math.Abs(sum.TWA-v) > 0.01*math.Max(1, sum.TWA) {
				report("%s/%s: /metrics shift TWA %.3f (present %v), journal %.3f", e.Zone, e.Quantity, v, ok, sum.TWA)
			}
			compared++
		}
	}
	if compared == 0 {
		t.Errorf("no running shift in the last record to compare with the journal")
	}
	t.Logf("%d running shifts compared: /api/state, /metrics, journal", compared)
}
