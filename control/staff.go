package control

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ventd/ventd/sample"
)

// staffClimbSmooth averages the staff level's rise: the smoothed
// level's steps still carry the SPS30's noise.
const staffClimbSmooth = 30 * time.Second

// staffSmooth is the averaging time of the staff level (and of the booth
// level it is compared with): the SPS30's noise, not the air, moves faster.
const staffSmooth = 20 * time.Second

// staffArea is what the law knows of the staff zones: the worst level (for
// the staff's exposure), the cleanest (for the booths' clean air) and the
// clean air of the staff area itself.
type staffArea struct {
	bad string // why no staff sensor can be trusted; "" when one can
	ok  bool
	// move is when a trusted staff sensor's reading last changed: one
	// that moves can vouch for the booth sensors (frozen).
	move     moving
	worst    ema // highest trusted staff PM2.5, smoothed
	cleanest ema // lowest, smoothed: the air the booths draw in
	// clean is the staff area's clean air: what it would read with no
	// booth smoke in it (outdoor air through the ventilation, sensor
	// error, drift). excess = worst − clean is the booth smoke the fans
	// can still remove.
	clean  float64
	excess float64
	// unseen is the booth smoke the staff area holds while no sensor
	// reads it: the excess last read, carried on by the balance of what
	// the booths leak and the air clears (Room.unseenStaff). Priced as the
	// excess is (need): with none read, a session's tail the sensor was
	// lost in, and the sessions after, were left to the blind floor, 50 %
	// by default, and the staff breathed them for longer (ventbench unseen4/staff-sensor-out-2h:
	// true staff STEL ratio 0.052-0.056, where the readings said 0.030).
	unseen float64
	// env is the most booth smoke the staff area can still hold: it
	// follows the excess down at once and falls by StaffClearTime while
	// the booths are quiet. A level above env + the sensor's noise band
	// is outdoor air or drift.
	env float64
	// rise is how fast the clean air itself has been changing (µg/m³ per
	// s, learned in quiet air): outdoor smoke keeps rising, or clearing,
	// while a booth is busy, and is carried on through the session instead
	// of counted as booth smoke (or hiding it).
	rise float64
	// ach is the staff area's air changes (fans and its own ventilation,
	// per second), averaged as rise is: the rate at which its air comes
	// to the air it takes in. A clean air falling at rise is that far
	// above the air coming in (gap).
	ach float64
	// usual is the booth smoke the staff area usually carries: its
	// excess averaged over usualTime (held to an ordinary hour's from
	// hours by usualFor). It sets the staff's price (staffFullExcess).
	usual ema
	// hours keeps the excess's hourly means: the usual is held to an
	// ordinary hour's (usualFor).
	hours   hourly
	started bool
	age     time.Duration
	// outdoor is the outdoor air, when a sensor reads it: the clean air
	// moves with it, in sessions too, instead of by rise.
	outdoor outdoorAir
	// climb is how fast the level rises beyond what the outdoor sensor
	// explains (µg/m³ a minute, smoothed), and source whether it climbs
	// faster than outdoor air brings smoke in while the booths are quiet:
	// smoke in the staff area itself, a pipe lit outside the booths.
	climb       ema
	lastLvl     float64
	source      bool
	sourceClimb float64 // sourceClimbFor the staff zones
	// sourceFor is how long the present climb has been taken for a
	// source; sourceSpent, that it outlasted maxSource.
	sourceFor   time.Duration
	sourceSpent bool
	envBefore   float64 // env when the climb began
	climbPeak   float64 // the fastest climb in its first climbRise
	// leverage (1 to leverageHigh) raises the price of the booth smoke
	// in the staff air where the fans move little air beside the staff
	// area's own ventilation (staffLeverage); set by the room each period.
	leverage float64
	// avoid raises the staff's price (fullExcess) where the staff keep
	// more of the smoke the fans could remove than avoidTarget.
	avoid avoidable
	// The factors learn follows with each period, kept.
	cleanDown, riseRate followRate
	envFall             expKept
}

// A pipe's climb is fastest within climbRise of the smoke reaching the
// sensor (the level's and the climb's averaging take about that); a climb
// that, climbCheck later, runs accelerate times faster than that is
// outdoor air arriving.
const (
	climbRise  = time.Minute
	climbCheck = 30 * time.Second
	accelerate = 1.25
)

// maxSource is the longest climb taken for smoke in the staff area: a
// pipe's smoke climbs toward the level the room's air change holds it at
// within minutes, and a session lasts a few (DESIGN.md); outdoor air can
// climb for the better part of an hour.
const maxSource = 10 * time.Minute

// sourceClimbFor is the rise of the staff level, in µg/m³ a minute, beyond
// which smoke with the booths quiet is taken for a source in the staff
// area rather than outdoor air: half the climb of the weakest pipe
// DESIGN.md gives (0.5 mg/min) in the largest staff zone, and at least
// minSourceClimb. In a 60 m³ staff area that is 4.2 (a 5 mg/min pipe
// climbs 80 there), in 150 m³, 2. Outdoor air reaches a staff area
// through its air change: ventbench's wildfire plume climbed under 1 a
// minute. One arriving faster (the held-out plume-arrives: 190 µg/m³ in
// 20 min) is taken for smoke until its climb speeds up instead of slowing
// (a pipe's does), or for maxSource at most; an outdoor sensor tells the
// two apart (the climb is then what it does not explain).
func sourceClimbFor(staff []Staff) float64 {
	v := 0.0
	for _, z := range staff {
		v = max(v, z.VolumeM3)
	}
	if v <= 0 {
		return minSourceClimb
	}
	return max(minSourceClimb, weakestPipe/2/v)
}

// climbLimit is sourceClimb, or minSourceClimb while it is not set.
func (s *staffArea) climbLimit() float64 { return max(s.sourceClimb, minSourceClimb) }

const (
	weakestPipe    = 500.0 // µg of PM2.5 a minute
	minSourceClimb = 2.0   // µg/m³ a minute
)

// read takes this period's staff samples. Any trusted sensor will do; the
// others are named in bad only when none is.
func (s *staffArea) read(now time.Time, in map[string]sample.Sample, zones []Staff, dt time.Duration, t Tuning) {
	worst, cleanest := math.NaN(), math.NaN()
	var bad []string
	for _, z := range zones {
		for _, name := range z.PM {
			smp, ok := in[name]
			switch {
			case !ok:
				bad = append(bad, name+" gave no reading")
			case !smp.Valid(now, t.MaxAge):
				bad = append(bad, fmt.Sprintf("%s %s", name, describe(smp, now)))
			default:
				s.move.see(name, smp.Time, smp.Value)
				if math.IsNaN(worst) || smp.Value > worst {
					worst = smp.Value
				}
				if math.IsNaN(cleanest) || smp.Value < cleanest {
					cleanest = smp.Value
				}
			}
		}
	}
	s.ok = !math.IsNaN(worst)
	s.bad = ""
	if !s.ok {
		s.bad = strings.Join(bad, ", ")
		if s.bad == "" {
			s.bad = "no staff PM2.5 sensor"
		}
		return
	}
	s.worst.add(worst, dt)
	s.cleanest.add(cleanest, dt)
}

// learn follows the staff area's clean air. Booth smoke reaches the staff
// area only while a booth holds smoke (active), and clears from it at the
// ventilation's rate once the booths are quiet; what rises while they are
// quiet, or lingers longer than StaffClearTime says smoke can, is outdoor
// air or drift, which the fans cannot remove and must not chase (on a
// wildfire day more extraction pulls in more smoke).
//
// ach is the staff area's present air changes a second (the fans' and its
// own ventilation): a falling clean air tells, with it, how far the air is
// above the air coming in (gap).
func (s *staffArea) learn(dt time.Duration, active bool, ach float64, t Tuning) {
	if !s.ok {
		return
	}
	lvl := s.worst.v
	if !s.started {
		s.clean, s.started, s.lastLvl = lvl, true, lvl
		s.climb.tau = staffClimbSmooth
	}
	s.age += dt
	before := s.clean
	drift := s.outdoor.step() // 0 without an outdoor sensor
	if dt > 0 {
		s.climb.add((lvl-s.lastLvl-drift)/dt.Minutes(), dt)
	}
	s.lastLvl = lvl
	// Smoke the booths did not send is smoke all the same: while it
	// climbs the clean air holds, as in a session, and what it leaves
	// clears by StaffClearTime as a session's tail does. Taken for outdoor
	// air, a pipe lit in the staff area left the fans at their minimum.
	// A climb that lasts longer than a pipe is smoked is outdoor air
	// arriving fast (a plume); the next source needs the climb to stop
	// first.
	climbing := !active && s.age >= settle && s.climb.v > s.climbLimit() && lvl-s.clean > staffNoise(lvl)
	switch {
	case !climbing:
		s.source, s.sourceFor, s.sourceSpent = false, 0, s.sourceSpent && s.climb.v > s.climbLimit()/2
	case s.sourceSpent:
		s.source = false
	default:
		if s.sourceFor == 0 {
			s.envBefore, s.climbPeak = s.env, 0
		}
		s.sourceFor += dt
		if s.sourceFor <= climbRise {
			s.climbPeak = maxOf(s.climbPeak, s.climb.v)
		}
		// A pipe's smoke climbs fastest at first, then slower as the air
		// change catches up with it; outdoor air arriving climbs faster
		// and faster for as long as the outdoor air keeps rising.
		accelerating := s.sourceFor > climbRise+climbCheck && s.climb.v > accelerate*s.climbPeak
		s.source = s.sourceFor <= maxSource && !accelerating
		if s.sourceSpent = !s.source; s.sourceSpent {
			// Outdoor air all along: what it brought is clean air.
			s.env = s.envBefore
			s.clean = maxOf(s.clean, lvl-s.env-staffNoise(lvl))
		}
	}
	active = active || s.source
	switch {
	case s.age < settle || lvl < s.clean:
		// At start nothing is known; below clean air, the clean air is
		// lower than was thought.
		s.clean += (lvl - s.clean) * s.cleanDown.of(dt, time.Minute)
		if s.age < settle {
			s.clean = lvl
		}
	case active && s.outdoor.ok:
		s.clean = minOf(s.clean+drift, lvl)
	case active:
		s.clean = minOf(s.clean+s.rise*dt.Seconds(), lvl)
	default:
		s.clean += drift
		s.env = minOf(s.env*s.envFall.exp(-dt.Seconds()/t.StaffClearTime.Seconds()), lvl-s.clean)
		// Only a rise beyond the smoothed reading's noise band is air:
		// were every upward wiggle taken as clean air, the excess would
		// ride the noise's lower edge and a lingering tail of booth
		// smoke would read as none.
		// While the level climbs, no faster than outdoor air can bring
		// smoke in: a pipe lit in the staff area climbs faster, and is
		// smoke (source).
		if band := staffNoise(lvl); lvl-s.clean > s.env+band {
			target := lvl - s.env - band
			if s.climb.v > 0 && !s.sourceSpent { // a climb known for outdoor air is followed
				target = minOf(target, s.clean+s.climbLimit()*dt.Minutes())
			}
			s.clean = target
		}
	}
	// The trend is learned from every move of the clean air in quiet
	// air, down as well as up. Learned from rises alone it only grew: a
	// plume's rise was carried on for hours after the plume cleared, in a
	// busy room that is rarely quiet, and the clean air climbed onto the
	// booth smoke in the staff area, which the fans then left there.
	if !active && s.age >= settle && dt > 0 {
		k := s.riseRate.of(dt, riseLearn)
		s.rise += ((s.clean-before)/dt.Seconds() - s.rise) * k
		if s.ach == 0 {
			s.ach = ach
		}
		s.ach += (ach - s.ach) * k
	}
	if active || s.age < settle {
		s.env = maxOf(lvl-s.clean, 0)
	}
	s.excess = maxOf(lvl-s.clean, 0)
	// The outdoor fit learns from quiet air with no tail of booth smoke
	// left: there the staff level is the clean air alone.
	s.outdoor.fit(lvl, !active && s.age >= settle && s.env <= staffNoise(lvl))
	if s.age >= settle {
		if !s.usual.ok && t.StaffFullUsual > 0 {
			// Until the room is known it is priced as configured.
			s.usual = ema{v: t.StaffFullExcess / t.StaffFullUsual, ok: true}
		}
		s.usual.tau = usualTime
		s.usual.add(s.excess, dt)
		s.hours.add(s.excess, dt)
	}
}

// usualExcess is the booth smoke the staff area usually carries (usualFor:
// its 2 h average, held to an ordinary hour's above the configured usual);
// NaN until learned.
func (s *staffArea) usualExcess(t Tuning) float64 {
	if !s.usual.ok {
		return math.NaN()
	}
	return usualFor(s.usual.v, s.hours.ordinary(), t)
}

// usualTime is what "usual" averages over: several sessions and their
// clearing, short against a shift.
const usualTime = 2 * time.Hour

// The staff price moves at most this far from StaffFullExcess: however
// smoky the room usually is (a stalled fan or a leaky booth raises the
// usual excess), the law waits for at most 1.5 times the configured
// excess before full speed, and never chases less than 2/3 of it. Wider
// bounds bought energy goals on ventbench's tuning rooms only by losing
// their STEL frontier.
const (
	usualLow  = 2.0 / 3
	usualHigh = 1.5
)

// staffFullExcess is the staff excess that alone asks for full speed,
// given the staff area's usual excess. The exposure a fan's air saves
// counts against the exposure the room's smoke would bring: a staff area
// that usually carries a lot of it (a small one, a leaky booth) is
// cleared nearly as well by moderate speeds, whose cost grows with
// speed³, while in one that usually carries little (a large staff area,
// several booths) the tail after each session is most of the
// exposure left and worth full speed sooner. The excess that asks for
// full speed is StaffFullUsual times the usual one, within usualLow and
// usualHigh of StaffFullExcess; with StaffFullUsual 0, or before the
// usual excess is known (NaN), it is StaffFullExcess.
func staffFullExcess(usual float64, t Tuning) float64 {
	if t.StaffFullUsual == 0 || math.IsNaN(usual) {
		return t.StaffFullExcess
	}
	return clamp(t.StaffFullUsual*usual, usualLow*t.StaffFullExcess, usualHigh*t.StaffFullExcess)
}

// fullExcess is staffFullExcess for what the staff area has seen so far.
func (s *staffArea) fullExcess(t Tuning) float64 {
	usual := s.usualExcess(t)
	if m := s.avoid.tighten; m > 0 { // 0: a staffArea not made by NewRoom
		return staffFullExcess(usual, t) * m
	}
	return staffFullExcess(usual, t)
}

// StaffStatus is the staff area as the room's law sees it: the booth smoke
// it holds beyond its clean air, and how much of it sends the fans to full
// speed, which the law learns from the smoke the area usually carries.
type StaffStatus struct {
	// Trusted is false while no staff PM sensor can be trusted; the
	// figures are then the last ones known.
	Trusted bool
	// Level is the worst trusted staff PM2.5, smoothed (NaN until the
	// first reading); CleanAir what it would read with no booth smoke in
	// it (outdoor air, sensor offset, drift); Excess the difference, the
	// smoke the fans can still remove.
	Level, CleanAir, Excess float64
	// UsualExcess is the excess averaged over the last 2 h, held to an
	// ordinary hour's above the configured price (usualFor; NaN until
	// learned, and when Tuning.StaffFullUsual is 0); FullSpeedExcess the
	// excess that alone asks for full speed (staffFullExcess).
	UsualExcess, FullSpeedExcess float64
	// AvoidableShare is the part of the booth smoke the fans could
	// remove that the staff area kept over the last 3 h: its excess
	// beyond what full extraction would have left, over what the fans at
	// their minimum would have added (estimated from the staff area's
	// mass balance, see avoidable); NaN while there was too little smoke
	// to tell. Above 3 % the staff's smoke is priced up
	// (FullSpeedExcess falls, at most to a quarter).
	AvoidableShare float64
	// BoothPrice is how far the booths' smoke price is relaxed: the booth
	// excess that alone asks for full speed is Tuning.BoothFullExcess
	// times it, 1 as configured, up to relaxHigh while AvoidableShare
	// stays under relaxBelow (avoidable).
	BoothPrice float64
	// Leverage is how much less the fans' air is worth to the staff area
	// than in the room the price is set for (staffLeverage: 1 to
	// leverageHigh); the booth smoke's part of the staff need is divided
	// by it. It rises as the fans' measured air falls: a clogging filter
	// shows here before the staff's exposure moves.
	Leverage float64
	// ClearingGap is how far the clean air stands above the air coming
	// in, µg/m³, as its fall says (gap): outdoor smoke clearing, which the
	// fans remove with the booth smoke. 0 while the clean air holds or
	// rises.
	ClearingGap float64
	// Outdoor is the outdoor PM2.5 the law reads (smoothed over a minute;
	// NaN without a trusted outdoor sensor). OutdoorGain is the share of
	// an outdoor change the staff area's clean air takes on, and
	// GeneralACH the staff area's own ventilation (air changes an hour
	// besides the fans'), both learned from quiet air (outdoorAir).
	Outdoor, OutdoorGain, GeneralACH float64
}

// status is what Staff reports.
func (s *staffArea) status(t Tuning) StaffStatus {
	st := StaffStatus{Trusted: s.ok, Level: s.worst.v, CleanAir: math.NaN(), Excess: math.NaN(),
		UsualExcess: math.NaN(), FullSpeedExcess: s.fullExcess(t), AvoidableShare: s.avoid.share(),
		BoothPrice: max(s.avoid.relax, 1), Leverage: max(s.leverage, 1)}
	if !s.worst.ok {
		st.Level = math.NaN()
	}
	if s.started {
		st.CleanAir, st.Excess, st.ClearingGap = s.clean, s.excess, s.gap()
	}
	if s.usual.ok && t.StaffFullUsual > 0 {
		st.UsualExcess = s.usualExcess(t)
	}
	st.Outdoor, st.OutdoorGain, st.GeneralACH = math.NaN(), math.NaN(), math.NaN()
	if s.outdoor.ok {
		i, g := s.outdoor.best()
		st.Outdoor, st.OutdoorGain, st.GeneralACH = s.outdoor.out.v, g, generalACH[i]
	}
	return st
}

// riseLearn is how long the clean air's rise is averaged over: outdoor
// air changes over tens of minutes, the sensor's noise in seconds.
const riseLearn = 10 * time.Minute

// staffNoise is the band the staff level (an SPS30 averaged over
// staffSmooth) may wander in with no change in the air: 0.2 µg/m³ and
// 1 %, above the averaged reading's wander in ventbench's rooms. A wider band
// would leave the clean air lagging a real rise by the band (at a
// wildfire's 150 µg/m³, 2 % is 3 µg/m³ the fans would chase).
func staffNoise(level float64) float64 { return 0.2 + 0.01*math.Abs(level) }

// need is the staff area's smoke as a reason to move air: its excess,
// and its gap above the air coming in, beyond the margin over the excess
// that asks for full speed (fullExcess, the excess part relaxed as the
// booths' price is and by the fans' leverage; 1: reason enough for full
// speed).
func (s *staffArea) need(t Tuning) float64 {
	margin := t.StaffMargin + t.StaffMarginShare*s.clean
	if !s.ok {
		// Nothing read now: the smoke last read, as it clears.
		n := maxOf(s.unseen-margin, 0)
		return n / (s.fullExcess(t) * max(s.avoid.relax, 1) * max(s.leverage, 1))
	}
	n := maxOf(s.excess+s.gap()-margin, 0)
	// Where the staff keep far less of the avoidable smoke than the goal
	// allows, the booth smoke in their air is priced lower by the
	// booths' factor (relax); the gap is not: under outdoor smoke taken
	// for clean air the share reads far too low (avoidable). Fans that
	// move little air beside the staff area's own ventilation buy the
	// booth smoke's clearing dearer (leverage); the gap's too, but the
	// air that clears outdoor smoke is kept as it was.
	g := minOf(s.gap(), n)
	full := s.fullExcess(t)
	return (n-g)/(full*max(s.avoid.relax, 1)*max(s.leverage, 1)) + g/full
}

// excessAt is the staff excess at which need is v, the gap held where it
// stands: the inverse of need, for a reason to say where a fan reaches
// full speed.
func (s *staffArea) excessAt(t Tuning, v float64) float64 {
	margin := t.StaffMargin + t.StaffMarginShare*s.clean
	full := s.fullExcess(t)
	g := s.gap()
	n := v * full // the gap's part alone reaches v
	if v > g/full {
		n = g + (v-g/full)*full*max(s.avoid.relax, 1)*max(s.leverage, 1)
	}
	return n - g + margin
}

// gap is how far the staff area's clean air stands above the air coming
// in, µg/m³: when outdoor smoke clears (the end of a plume, a wildfire
// day's evening) the room holds the smoke it took in, and clears toward
// the cleaner air only at its air change. That smoke the fans can remove,
// unlike smoke still arriving: extraction brings the cleaner air in
// sooner. Its fall measures it: with no source, dC/dt = −k·(C − in) for
// air changes k, so C − in = −rise/k. Rise and k are averaged alike: the
// fans speeding up raise k at once but steepen the fall over minutes, and
// k taken as it is now would read the gap at a quarter of itself on the
// way, slowing the fans again. 0 while the clean air holds or rises, and
// until k is known.
func (s *staffArea) gap() float64 {
	if !(s.rise < 0) || !(s.ach > 0) {
		return 0
	}
	return -s.rise / s.ach
}
