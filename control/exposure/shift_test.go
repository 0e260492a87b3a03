package exposure

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the host's zoneinfo
)

func vancouver(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestShiftAtAcrossMidnightAndDST(t *testing.T) {
	loc := vancouver(t)
	sch := Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: loc}
	at := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, loc) }
	cases := []struct {
		name       string
		t          time.Time
		start, end time.Time
		length     time.Duration
	}{
		{"day", at(5, 4, 12, 0), at(5, 4, 7, 0), at(5, 4, 19, 0), 12 * time.Hour},
		{"start is inclusive", at(5, 4, 7, 0), at(5, 4, 7, 0), at(5, 4, 19, 0), 12 * time.Hour},
		{"end is exclusive", at(5, 4, 19, 0), at(5, 4, 19, 0), at(5, 5, 7, 0), 12 * time.Hour},
		{"night before midnight", at(5, 4, 23, 30), at(5, 4, 19, 0), at(5, 5, 7, 0), 12 * time.Hour},
		{"night after midnight", at(5, 5, 2, 0), at(5, 4, 19, 0), at(5, 5, 7, 0), 12 * time.Hour},
		// 2026-03-08 02:00 PST → 03:00 PDT: the night shift lasts 11 h.
		{"spring forward", at(3, 8, 3, 30), at(3, 7, 19, 0), at(3, 8, 7, 0), 11 * time.Hour},
		{"day after spring forward", at(3, 8, 7, 0), at(3, 8, 7, 0), at(3, 8, 19, 0), 12 * time.Hour},
		// 2026-11-01 02:00 PDT → 01:00 PST: the night shift lasts 13 h.
		{"fall back", at(11, 1, 0, 30), at(10, 31, 19, 0), at(11, 1, 7, 0), 13 * time.Hour},
		{"fall back, second 01:30", at(11, 1, 1, 30).Add(time.Hour), at(10, 31, 19, 0), at(11, 1, 7, 0), 13 * time.Hour},
	}
	for _, c := range cases {
		s, ok := sch.ShiftAt(c.t)
		if !ok || !s.Start.Equal(c.start) || !s.End.Equal(c.end) || s.Length() != c.length {
			t.Errorf("%s: ShiftAt(%v) = %v (%v, ok %v), want %v – %v (%v)",
				c.name, c.t, s, s.Length(), ok, c.start, c.end, c.length)
		}
	}
	// Consecutive shifts tile time: no hole and no overlap on DST nights.
	for tm := at(3, 6, 7, 0); tm.Before(at(3, 10, 7, 0)); {
		s, _ := sch.ShiftAt(tm)
		if !s.Start.Equal(tm) {
			t.Fatalf("shift after %v starts at %v", tm, s.Start)
		}
		tm = s.End
	}
	// Brief & Scala follows the real length: 13 h → (8/13)(11/16).
	s, _ := sch.ShiftAt(at(11, 1, 3, 0))
	if got, want := s.ReductionFactor(), 8.0/13*11/16; !near(got, want, 1e-12) {
		t.Errorf("RF of the 13 h night = %v, want %v", got, want)
	}
}

// A tracker through the 11 h spring-forward night: the shift summary is
// 11 h long and fully covered, and the next shift starts at 07:00 PDT.
func TestTrackerAcrossDSTNight(t *testing.T) {
	loc := vancouver(t)
	sch := Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: loc}
	tr := newTracker(t, Limits{TWA: 5000}, sch)
	start := time.Date(2026, 3, 7, 19, 0, 0, 0, loc)
	at := feed(t, tr, start, 11*time.Hour+time.Minute, 800)
	fin := finished(t, tr)
	if len(fin) != 1 {
		t.Fatalf("%d finished shifts, want 1", len(fin))
	}
	s := fin[0]
	if s.Length != Duration(11*time.Hour) || s.Elapsed != s.Length || s.Coverage != 100 {
		t.Errorf("night shift: length %v, elapsed %v, coverage %v%%; want 11h, 11h, 100%%", s.Length, s.Elapsed, s.Coverage)
	}
	if want := 800 * 11.0 / 8; !near(s.TWA, want, 1e-9) {
		t.Errorf("E = %v, want %v", s.TWA, want)
	}
	if want := 5000 * 8.0 / 11 * 13 / 16; !near(s.AdjustedTWALimit, want, 1e-9) {
		t.Errorf("adjusted limit = %v, want %v", s.AdjustedTWALimit, want)
	}
	cur, ok := tr.Current(at)
	if !ok || !cur.Start.Equal(time.Date(2026, 3, 8, 7, 0, 0, 0, loc)) || cur.Elapsed != Duration(time.Minute) {
		t.Errorf("current shift %v – %v elapsed %v, want the 07:00 PDT day shift, 1m in", cur.Start, cur.End, cur.Elapsed)
	}
}

// Overlapping shifts (a handover) are both accounted; ShiftAt returns the
// one that started last. Time outside every shift belongs to none.
func TestOverlappingAndUncoveredShifts(t *testing.T) {
	sch := Schedule{Starts: []time.Duration{6 * time.Hour, 14 * time.Hour, 22 * time.Hour}, Length: 10 * time.Hour, Location: time.UTC}
	day := func(h int) time.Time { return time.Date(2026, 5, 4, h, 0, 0, 0, time.UTC) }
	if s, _ := sch.ShiftAt(day(15)); !s.Start.Equal(day(14)) {
		t.Errorf("ShiftAt(15:00) starts %v, want 14:00", s.Start)
	}
	tr := newTracker(t, Limits{}, sch)
	flush(t, tr, feed(t, tr, day(6), 10*time.Hour, 1000))
	// The night shift (22:00–08:00) was running when data began at 06:00:
	// it ends with 2 h of 10 measured; the 06:00 shift is fully covered.
	fin := finished(t, tr)
	if len(fin) != 2 || !fin[0].Start.Equal(day(-2)) || fin[0].Coverage != 20 ||
		!fin[1].Start.Equal(day(6)) || fin[1].Coverage != 100 {
		t.Fatalf("finished = %+v, want the 22:00 shift 20%% covered and the 06:00 one 100%%", fin)
	}
	cur, _ := tr.Current(day(16))
	if !cur.Start.Equal(day(14)) || cur.Covered != Duration(2*time.Hour) || !near(cur.TWA, 250, 1e-9) {
		t.Errorf("14:00 shift at 16:00: covered %v, E %v; want 2h, 250", cur.Covered, cur.TWA)
	}

	short := Schedule{Starts: []time.Duration{7 * time.Hour}, Length: 8 * time.Hour, Location: time.UTC}
	if _, ok := short.ShiftAt(day(20)); ok {
		t.Error("ShiftAt(20:00) with one 07:00–15:00 shift found a shift")
	}
}

func TestScheduleValidate(t *testing.T) {
	bad := []Schedule{
		{Length: 8 * time.Hour},
		{Starts: []time.Duration{25 * time.Hour}, Length: 8 * time.Hour},
		{Starts: []time.Duration{7 * time.Hour, 7 * time.Hour}, Length: 8 * time.Hour},
		{Starts: []time.Duration{7 * time.Hour}, Length: 24 * time.Hour},
		{Starts: []time.Duration{7 * time.Hour}},
	}
	for i, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("case %d: %+v passed validation", i, s)
		}
	}
}

// TestShiftAtRemembersOnlyWhatHolds walks the clock forward second by
// second and minute by minute, and jumps back and ahead, through DST
// changes, overlapping and gapped schedules: the remembered answer must
// always be what a schedule that never looked anything up says.
func TestShiftAtRemembersOnlyWhatHolds(t *testing.T) {
	loc := vancouver(t)
	for _, sch := range []Schedule{
		{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: loc},
		{Starts: []time.Duration{22 * time.Hour, 6 * time.Hour, 14 * time.Hour}, Length: 10 * time.Hour, Location: loc},
		{Starts: []time.Duration{7 * time.Hour}, Length: 8 * time.Hour, Location: loc},
		{Starts: []time.Duration{2*time.Hour + 30*time.Minute}, Length: 23 * time.Hour, Location: loc},
		{Starts: []time.Duration{0}, Length: 8 * time.Hour, Location: time.UTC},
	} {
		check := func(tm time.Time) {
			t.Helper()
			fresh := Schedule{Starts: sch.Starts, Length: sch.Length, Location: sch.Location}
			want, wantOK := fresh.ShiftAt(tm)
			got, ok := sch.ShiftAt(tm)
			if got != want || ok != wantOK {
				t.Fatalf("%v/%v: ShiftAt(%v) = %v, %v; without memory %v, %v", sch.Starts, sch.Length, tm, got, ok, want, wantOK)
			}
		}
		// Both 2026 DST changes, a minute at a time, with every second
		// around each shift change.
		for _, from := range []time.Time{time.Date(2026, 3, 6, 0, 0, 0, 0, loc), time.Date(2026, 10, 30, 0, 0, 0, 0, loc)} {
			for tm := from; tm.Before(from.Add(96 * time.Hour)); tm = tm.Add(time.Minute) {
				check(tm)
				if tm.Minute() == 0 {
					for s := -3; s <= 3; s++ {
						check(tm.Add(time.Duration(s) * time.Second))
					}
				}
			}
		}
		// Jumps either way, as a clock set by hand or NTP moves.
		tm := time.Date(2026, 3, 7, 18, 59, 59, 0, loc)
		for _, step := range []time.Duration{time.Second, -2 * time.Hour, 13 * time.Hour, -25 * time.Hour, 24 * time.Hour, -time.Nanosecond, 7 * 24 * time.Hour, -time.Minute} {
			tm = tm.Add(step)
			check(tm)
		}
	}
}

func TestShiftAtFollowsAChangedSchedule(t *testing.T) {
	sch := Schedule{Starts: []time.Duration{7 * time.Hour}, Length: 8 * time.Hour, Location: time.UTC}
	noon := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	if s, ok := sch.ShiftAt(noon); !ok || s.Start.Hour() != 7 {
		t.Fatalf("ShiftAt(12:00) = %v, %v; want the 07:00 shift", s, ok)
	}
	sch.Starts[0] = 9 * time.Hour
	if s, ok := sch.ShiftAt(noon); !ok || s.Start.Hour() != 9 {
		t.Errorf("after moving the start to 09:00, ShiftAt(12:00) = %v, %v", s, ok)
	}
	sch.Length = 2 * time.Hour
	if s, ok := sch.ShiftAt(noon); ok {
		t.Errorf("after shortening the shift to 09:00–11:00, ShiftAt(12:00) = %v, want none", s)
	}
	seven := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	if s, ok := sch.ShiftAt(seven); ok {
		t.Errorf("ShiftAt(07:00) = %v, want none before 09:00", s)
	}
	copied := sch
	copied.Location = time.FixedZone("UTC+3", 3*3600)
	if s, ok := copied.ShiftAt(seven); !ok || !s.Start.Equal(time.Date(2026, 5, 4, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("a copy in another zone: ShiftAt(07:00 UTC) = %v, %v; want the shift from 09:00 UTC+3", s, ok)
	}
	if s, ok := sch.ShiftAt(seven); ok {
		t.Errorf("the original after its copy moved: ShiftAt(07:00) = %v, want none", s)
	}
}

// ShiftTimes is ShiftAt's answer in parts, whether it comes from the
// remembered window or a fresh lookup: across a DST night, a gap between
// shifts and a schedule changed in place.
func TestShiftTimesIsShiftAt(t *testing.T) {
	loc := vancouver(t)
	tr, err := New(Opts{Quantity: "co2", Zone: "staff",
		Schedule: Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 10 * time.Hour, Location: loc}})
	if err != nil {
		t.Fatal(err)
	}
	ref := Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 10 * time.Hour, Location: loc}
	for at := time.Date(2026, 3, 7, 12, 0, 0, 0, loc); at.Before(time.Date(2026, 3, 10, 0, 0, 0, 0, loc)); at = at.Add(7 * time.Minute) {
		if at.Day() == 9 && ref.Length == 10*time.Hour {
			ref.Length, tr.opts.Schedule.Length = 12*time.Hour, 12*time.Hour // a reload's
		}
		start, end, ok := tr.ShiftTimes(at)
		want, wantOK := ref.ShiftAt(at)
		if ok != wantOK || !start.Equal(want.Start) || !end.Equal(want.End) {
			t.Fatalf("at %v: ShiftTimes %v–%v %v, ShiftAt %v %v", at, start, end, ok, want, wantOK)
		}
	}
}
