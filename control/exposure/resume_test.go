package exposure

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// A shift's STEL is judged over 15 min periods within the shift: a spike
// just before the shift starts is in the rolling 15 min average (the alarm
// still sees it) but not in the new shift's STEL peak or excursions.
func TestShiftSTELOverWindowsWithinTheShift(t *testing.T) {
	tr := newTracker(t, Limits{TWA: 100, STEL: 150, Alarm: 500}, day8)
	at := feed(t, tr, t0.Add(-30*time.Minute), 20*time.Minute, 0)
	at = feed(t, tr, at, 10*time.Minute, 800) // 07:50 to 08:00, before the shift
	at = feed(t, tr, at, 30*time.Minute, 10)
	if snap := tr.Snapshot(t0.Add(time.Minute)); snap.Time.IsZero() {
		t.Fatal("no snapshot")
	}
	s, ok := tr.Current(at)
	if !ok {
		t.Fatal("no current shift")
	}
	if !near(float64(s.STELPeak), 10, 1e-9) || s.AboveSTEL.Count != 0 || s.TimeOverSTEL != 0 {
		t.Errorf("shift STEL peak %v, %d excursions, %v over STEL: the spike before the shift must not count", s.STELPeak, s.AboveSTEL.Count, s.TimeOverSTEL)
	}
	// The same spike inside the shift counts.
	at = feed(t, tr, at, 10*time.Minute, 800)
	at = feed(t, tr, at, 20*time.Minute, 10)
	s, _ = tr.Current(at)
	if s.AboveSTEL.Count != 1 || float64(s.STELPeak) < 500 {
		t.Errorf("a spike inside the shift: peak %v, %d excursions", s.STELPeak, s.AboveSTEL.Count)
	}
}

// noisy feeds a day of smoky, noisy data with sessions over the limits.
func noisy(tb testing.TB, tr *Tracker, from time.Time, d time.Duration, rng *rand.Rand) time.Time {
	tb.Helper()
	at := from
	for ; at.Before(from.Add(d)); at = at.Add(time.Second) {
		c := 20 + 10*rng.Float64()
		if m := at.Sub(t0).Minutes(); int(m)%90 < 12 {
			c += 400 * rng.Float64() // a session
		}
		if err := tr.Add(at, c); err != nil {
			tb.Fatal(err)
		}
	}
	return at
}

// minuteMeans are what the journal keeps per minute.
type minuteMean struct {
	start   time.Time
	mean    float64
	covered time.Duration
}

// Resume, then the journal's minutes replayed, continue a shift with every
// figure exactly as it was: a restart changes nothing but the outage.
func TestResumeContinuesEveryFigure(t *testing.T) {
	lim := Limits{TWA: 50, STEL: 120, Alarm: 300}
	rng := rand.New(rand.NewPCG(1, 2))
	live := newTracker(t, lim, day8)
	// A restart at a minute boundary 5 h into the shift, as the journal
	// keeps it: the live summary then, and minute means.
	var mins []minuteMean
	at := t0.Add(-time.Hour)
	for at.Before(t0.Add(5 * time.Hour)) {
		start := at
		var sum float64
		for i := 0; i < 60; i++ {
			c := 20 + 10*rng.Float64()
			if m := at.Sub(t0).Minutes(); int(m+600)%90 < 12 {
				c += 400 * rng.Float64()
			}
			if err := live.Add(at, c); err != nil {
				t.Fatal(err)
			}
			sum += c
			at = at.Add(time.Second)
		}
		mins = append(mins, minuteMean{start, sum / 60, time.Minute})
	}
	kept, _ := live.Current(at)
	if kept.TimeOverAlarm == 0 || kept.AboveSTEL.Count == 0 {
		t.Fatalf("the shift has nothing over a limit to keep: %+v", kept)
	}

	restarted := newTracker(t, lim, day8)
	if err := restarted.Resume(kept); err != nil {
		t.Fatal(err)
	}
	for _, m := range mins {
		if err := restarted.AddInterval(m.start, m.covered, m.mean); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := restarted.Current(at)
	if !near(got.TWA, kept.TWA, 1e-9) || got.Covered != kept.Covered || got.TimeOverAlarm != kept.TimeOverAlarm ||
		got.TimeOverSTEL != kept.TimeOverSTEL || got.STELPeak != kept.STELPeak || got.AboveSTEL.Count != kept.AboveSTEL.Count ||
		got.AboveTWA.Count != kept.AboveTWA.Count || got.GapTotal != kept.GapTotal {
		t.Errorf("after Resume:\n%+v\nkept:\n%+v", got, kept)
	}
	// An outage of 10 min is a gap of 10 min, and nothing else.
	back := at.Add(10 * time.Minute)
	noisy(t, restarted, back, time.Minute, rng)
	after, _ := restarted.Current(back.Add(time.Minute))
	if gap := after.GapTotal - kept.GapTotal; gap != Duration(10*time.Minute) {
		t.Errorf("the outage added %v of gaps, want 10m", gap)
	}
	if after.TimeOverSTEL != kept.TimeOverSTEL {
		t.Errorf("time over STEL grew from %v to %v over an outage with no data", kept.TimeOverSTEL, after.TimeOverSTEL)
	}
}

// A reading found frozen is taken back: its span is a gap and leaves the
// TWA integral and the covered time exactly.
func TestRetractFrozenSpan(t *testing.T) {
	lim := Limits{TWA: 50, STEL: 120, Alarm: 300}
	tr := newTracker(t, lim, day8)
	at := feed(t, tr, t0, time.Hour, 20)
	before, _ := tr.Current(at)
	froze := at
	at = feed(t, tr, at, 30*time.Minute, 400) // frozen at 400, over the alarm level
	if err := tr.Retract(froze, at, 400); err != nil {
		t.Fatal(err)
	}
	flush(t, tr, at)
	s, _ := tr.Current(at)
	if !near(s.TWA, before.TWA, 1e-9) || s.Covered != before.Covered || s.TimeOverAlarm != 0 {
		t.Errorf("after retracting the frozen span: TWA %v (was %v), covered %v (was %v), over alarm %v",
			s.TWA, before.TWA, s.Covered, before.Covered, s.TimeOverAlarm)
	}
	if len(s.Gaps) != 1 || !s.Gaps[0].Start.Equal(froze) || s.Gaps[0].Length != Duration(30*time.Minute) {
		t.Errorf("gaps %+v, want one of 30 min from %s", s.Gaps, froze.Format("15:04"))
	}
	if snap := tr.Snapshot(at); snap.Coverage8h > 100*float64(time.Hour)/float64(TWAWindow)+1e-9 {
		t.Errorf("8 h window coverage %.3f%%: the frozen span must leave it", snap.Coverage8h)
	}
}

// A reading that froze before a shift's end and was found after it is
// taken back from the finished shift too: TakeFinished gives its summary
// again, amended, to replace the one recorded at its end.
func TestRetractAmendsAFinishedShift(t *testing.T) {
	lim := Limits{TWA: 50, STEL: 120, Alarm: 300}
	tr := newTracker(t, lim, day8) // 08:00 to 16:00
	at := feed(t, tr, t0, 7*time.Hour+45*time.Minute, 20)
	froze := at // 15:45
	at = feed(t, tr, at, 30*time.Minute, 400)
	ended := finished(t, tr)
	if len(ended) != 1 || ended[0].Covered != Duration(8*time.Hour) {
		t.Fatalf("at the shift's end: %d summaries, want one covering 8 h", len(ended))
	}
	if err := tr.Retract(froze, at, 400); err != nil {
		t.Fatal(err)
	}
	amended := finished(t, tr)
	if len(amended) != 1 || !amended[0].Start.Equal(t0) || !amended[0].Finished {
		t.Fatalf("after the retraction: %+v, want the 08:00 shift's finished summary again", amended)
	}
	s := amended[0]
	want := 20 * float64(7*time.Hour+45*time.Minute) / float64(8*time.Hour)
	if !near(s.TWA, want, 1e-9) || s.Covered != Duration(7*time.Hour+45*time.Minute) || s.TimeOverAlarm != 0 {
		t.Errorf("amended shift: TWA %v (want %v), covered %v, over alarm %v", s.TWA, want, s.Covered, s.TimeOverAlarm)
	}
	if len(s.Gaps) != 1 || !s.Gaps[0].Start.Equal(froze) || s.Gaps[0].Length != Duration(15*time.Minute) || s.GapTotal != Duration(15*time.Minute) {
		t.Errorf("amended gaps %+v (total %v), want the 15 frozen minutes before the end", s.Gaps, s.GapTotal)
	}
	// A second retraction that does not reach it leaves it alone.
	at = feed(t, tr, at, 40*time.Minute, 30)
	if err := tr.Retract(at.Add(-10*time.Minute), at, 30); err != nil {
		t.Fatal(err)
	}
	if again := finished(t, tr); len(again) != 0 {
		t.Errorf("a retraction after the shift amended it again: %+v", again)
	}
}

// A frozen span with a gap already inside it (the sensor dropped off its
// bus for 5 min and came back still frozen) is listed as one gap over the
// whole span: the list must not end where the measured part of it would,
// calling the last minutes of the span measured.
func TestRetractAroundAGapListsTheWholeSpan(t *testing.T) {
	lim := Limits{TWA: 50, STEL: 120, Alarm: 300}
	tr := newTracker(t, lim, day8) // 08:00 to 16:00
	at := feed(t, tr, t0, 7*time.Hour+45*time.Minute, 20)
	froze := at // 15:45
	at = feed(t, tr, at, 5*time.Minute, 400)
	if err := tr.Gap(at, at.Add(5*time.Minute)); err != nil { // 15:50 to 15:55: off the bus
		t.Fatal(err)
	}
	at = feed(t, tr, at.Add(5*time.Minute), 35*time.Minute, 400) // to 16:30, still frozen
	finished(t, tr)
	if err := tr.Retract(froze, at, 400); err != nil {
		t.Fatal(err)
	}
	amended := finished(t, tr)
	if len(amended) != 1 {
		t.Fatalf("after the retraction: %d summaries, want the 08:00 shift's again", len(amended))
	}
	s := amended[0]
	if s.Covered != Duration(7*time.Hour+45*time.Minute) || s.GapTotal != Duration(15*time.Minute) {
		t.Errorf("amended shift: covered %v, gap total %v; want 7h45m and 15m", s.Covered, s.GapTotal)
	}
	if len(s.Gaps) != 1 || !s.Gaps[0].Start.Equal(froze) || s.Gaps[0].Length != Duration(15*time.Minute) {
		t.Errorf("amended gaps %+v, want one of 15 min from %s to the shift's end", s.Gaps, froze.Format("15:04"))
	}
}

// A finished shift given to Resume stays as the journal has it: a replay
// that reaches only its last hours feeds the rolling windows and never
// finishes it again from them.
func TestResumeLeavesAFinishedShift(t *testing.T) {
	three := Schedule{Starts: []time.Duration{0, 8 * time.Hour, 16 * time.Hour}, Length: 8 * time.Hour, Location: time.UTC}
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, settle := range []bool{false, true} {
		tr := newTracker(t, Limits{TWA: 100, STEL: 150, Alarm: 500}, three)
		if settle {
			if err := tr.Resume(Summary{Start: day, End: day.Add(8 * time.Hour), Until: day.Add(8 * time.Hour), Finished: true}); err != nil {
				t.Fatal(err)
			}
		}
		// The replay: the last 2 h of the 00:00 shift, then an hour of
		// the 08:00 one.
		for m := day.Add(6 * time.Hour); m.Before(day.Add(9 * time.Hour)); m = m.Add(time.Minute) {
			if err := tr.AddInterval(m, time.Minute, 40); err != nil {
				t.Fatal(err)
			}
		}
		done, _ := tr.TakeFinished()
		remade := false
		for _, s := range done {
			remade = remade || s.Start.Equal(day)
		}
		if remade == settle {
			t.Errorf("settled %v: the 00:00 shift finished again from the replay: %v", settle, remade)
		}
		if r := tr.Rolling(day.Add(9 * time.Hour)); !(r.TWA8h > 0) {
			t.Errorf("settled %v: the rolling 8 h TWA %v: the replay must still feed the windows", settle, r.TWA8h)
		}
	}
}

// The site changed its schedule across a restart (07:00/19:00 12 h to
// 07:00/15:00/23:00 8 h here): the journal's running 07:00 shift is closed
// at its own end, its rest a gap, and the new schedule's shifts count from
// the restart only, so no replayed minute is in two shifts.
func TestScheduleChangeClosesTheOldShiftAndStartsAfresh(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	lim := Limits{TWA: 100, STEL: 150, Alarm: 500}
	old := newTracker(t, lim, Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: time.UTC})
	restart := day.Add(16 * time.Hour)
	var minutes []minuteMean
	for m := day.Add(6 * time.Hour); m.Before(restart); m = m.Add(time.Minute) {
		if err := old.AddInterval(m, time.Minute, 40); err != nil {
			t.Fatal(err)
		}
		minutes = append(minutes, minuteMean{m, 40, time.Minute})
	}
	running, ok := old.Current(restart)
	if !ok || running.Finished {
		t.Fatalf("no running 07:00 shift: %+v", running)
	}

	tr := newTracker(t, lim, Schedule{Starts: []time.Duration{7 * time.Hour, 15 * time.Hour, 23 * time.Hour}, Length: 8 * time.Hour, Location: time.UTC})
	if err := tr.Resume(running); !errors.Is(err, ErrScheduleChanged) {
		t.Fatalf("Resume of a shift the schedule lacks: %v, want ErrScheduleChanged", err)
	}
	closed := tr.Close(running)
	if !closed.Finished || !closed.End.Equal(day.Add(19*time.Hour)) || closed.Covered != Duration(9*time.Hour) ||
		closed.GapTotal != Duration(3*time.Hour) || closed.TWA != running.TWA {
		t.Errorf("closed: finished %v end %s covered %v gaps %v TWA %v (was %v); want finished at 19:00, 9 h covered, 3 h of gap, the TWA as it was",
			closed.Finished, closed.End.Format("15:04"), closed.Covered.Std(), closed.GapTotal.Std(), closed.TWA, running.TWA)
	}
	tr.RecordShiftsFrom(restart)
	for _, m := range minutes {
		if err := tr.AddInterval(m.start, m.covered, m.mean); err != nil {
			t.Fatal(err)
		}
	}
	if done, _ := tr.TakeFinished(); len(done) > 0 {
		t.Errorf("the replay made %d shifts of the new schedule from time the old one holds (first %s)", len(done), done[0].Start.Format("15:04"))
	}
	if r := tr.Rolling(restart); !near(r.TWA8h, 40, 1e-9) {
		t.Errorf("rolling 8 h TWA %v after the replay, want 40: the windows take every minute", r.TWA8h)
	}
	feed(t, tr, restart, time.Hour, 40)
	cur, ok := tr.Current(restart.Add(time.Hour))
	if !ok || !cur.Start.Equal(day.Add(15*time.Hour)) || cur.Covered != Duration(time.Hour) || cur.GapTotal != Duration(time.Hour) {
		t.Errorf("the new 15:00 shift an hour after the restart: start %s covered %v gaps %v; want 1 h measured after a 1 h gap",
			cur.Start.Format("15:04"), cur.Covered.Std(), cur.GapTotal.Std())
	}
}
