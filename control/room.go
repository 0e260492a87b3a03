package control

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/sample"
)

// Room is ventd's law for a whole room: every booth, every fan, with the
// staff area's air as the objective they share.
//
// Each booth's fans go to full at once on smoke (a fast rise, or a booth
// well above its clean air and climbing) and stay there while the session
// lasts. Outside sessions a fan's air is worth the smoke it removes now,
// from its booths (their excess over their clean air, the staff air they
// draw in) and from the staff area (its excess over its own clean air;
// every exhaust ventilates it), and costs power that grows with speed³:
// the fan runs where worth and cost balance (speedFor). The staff's
// smoke is priced against what the staff area usually carries
// (staffFullExcess), and the staff area's share goes to each fan by how
// much air it moves per watt. What no fan can remove (smoky outdoor air, a
// drifting sensor) is learned as clean air and not chased. Untrusted booth data
// sends that booth's fans to their safe duty; an untrusted staff area
// raises every fan to a floor (StaffBlindDuty) while the booths stay under
// their own control.
type Room struct {
	p      Params
	booths []*booth
	staff  staffArea
	fans   []*fan
	// boothFans are the fans through each booth, in fan order, a fan
	// once for each time it names the booth (fanAir).
	boothFans [][]int
	// staffNeed is the staff area's need this period, the same for every
	// fan (staffArea.need).
	staffNeed float64
	last      time.Time
	// sensors finds the booths' and fans' sensors in a period's input;
	// byName holds the staff and outdoor sensors' samples, which their
	// readers take by name.
	sensors sensorIndex
	byName  map[string]sample.Sample
	named   []namedSlot
	air     []boothAir      // reused each period
	press   []sample.Sample // reused for each fan
	// whys are this period's staffWhy texts: fans of the same share give
	// the staff area's same reason, printed once (a fan keeps its own
	// from one period to the next: keptReason).
	whys []staffReason
	// faults are the fans that do not work (SetFanFault), nil while all
	// do.
	faults fanFaults
}

type staffReason struct {
	onOff bool
	// figures are the reason's figures as it prints them (and whether it
	// speaks of the gap): equal figures, equal text.
	figures string
	why     string
}

// fan is one fan's state between periods.
type fan struct {
	spec   FanSpec
	duty   float64
	hold   pressureHold
	share  float64 // of the staff area's demand, by air per watt
	status Decision
	// onSince is when a fan on a relay last switched on (zero: not
	// since the law started), from which its relay holds it MinOn.
	onSince time.Time
	// pressure are the slots of its booths' pressure sensors.
	pressure []int
	// speed is its last speedFor, kept: in quiet air a fan's needs
	// often stand still from one period to the next.
	speed speedKept
	// Its reasons, kept while what they say holds (keptReason): the
	// staff area's (staffWhy), a booth's as a speed (decideAir) or a
	// relay (switchFan) clears it, and a reason slowing gently.
	staffWhy, clearing, relayClearing keptReason
	slowing                           struct{ why, slow string }
}

// namedSlot is a sensor read by name: its name and slot.
type namedSlot struct {
	name string
	slot int
}

// NewRoom returns ventd's law for the room p describes, every fan starting
// at its safe duty: until the first good readings, nothing is known.
func NewRoom(p Params) (*Room, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &Room{p: p, byName: map[string]sample.Sample{},
		staff: staffArea{worst: ema{tau: staffSmooth}, cleanest: ema{tau: staffSmooth}, outdoor: newOutdoorAir(),
			sourceClimb: sourceClimbFor(p.Staff), avoid: newAvoidable()}}
	for _, b := range p.Booths {
		nb := newBooth(b)
		for i := range nb.pm {
			nb.pm[i].slot = r.sensors.slot(nb.pm[i].name)
		}
		r.booths = append(r.booths, nb)
	}
	r.boothFans = make([][]int, len(p.Booths))
	for i, f := range p.Fans {
		for _, b := range f.Booths {
			r.boothFans[b] = append(r.boothFans[b], i)
		}
		nf := &fan{spec: f, duty: f.SafeDuty}
		for _, i := range f.Booths {
			for _, name := range p.Booths[i].Pressure {
				nf.pressure = append(nf.pressure, r.sensors.slot(name))
			}
		}
		r.fans = append(r.fans, nf)
	}
	for _, z := range p.Staff {
		for _, name := range z.PM {
			r.named = append(r.named, namedSlot{name, r.sensors.slot(name)})
		}
	}
	for _, name := range p.Outdoor {
		r.named = append(r.named, namedSlot{name, r.sensors.slot(name)})
	}
	r.setShares()
	return r, nil
}

// setShares splits the staff area's need between the fans at equal
// marginal cost: a fan's power is P·u³ for flow Q·u, so the staff area's
// air is cheapest bought with each fan's duty in proportion to √(Q/P); the
// most efficient fan takes the whole need.
func (r *Room) setShares() {
	best := 0.0
	for _, f := range r.fans {
		best = maxOf(best, math.Sqrt(f.spec.MaxFlowM3h/f.spec.RatedPowerW))
	}
	for _, f := range r.fans {
		f.share = math.Sqrt(f.spec.MaxFlowM3h/f.spec.RatedPowerW) / best
	}
}

// Update implements Law.
func (r *Room) Update(now time.Time, in []sample.Sample) []Decision {
	dt := now.Sub(r.last)
	if r.last.IsZero() || dt < 0 {
		dt = 0
	}
	r.last = now
	r.sensors.take(in)
	defer r.sensors.done()
	for _, n := range r.named { // it holds nothing else: no clear needed
		if s, ok := r.sensors.get(n.slot); ok {
			r.byName[n.name] = *s
		} else {
			delete(r.byName, n.name)
		}
	}
	t := r.p.Tuning

	r.staff.read(now, r.byName, r.p.Staff, dt, t)
	if len(r.p.Outdoor) > 0 {
		r.staff.outdoor.read(now, r.byName, r.p.Outdoor, r.staffFanACH(), dt, t)
	}
	staffRef, staffLevel := math.NaN(), math.NaN()
	if r.staff.ok {
		staffRef, staffLevel = r.staff.cleanest.v, r.staff.worst.v
	}
	vouched := r.staff.ok && r.staff.move.vouches(now)
	active := false
	for i, b := range r.booths {
		strong := b.read(now, &r.sensors, staffLevel, vouched, t)
		b.step(now, dt, strong, staffRef, r.nominalACH(i), t)
		if b.bad != "" || b.session || now.Sub(b.lastSession) < settle || b.excess > t.SessionExcess {
			active = true
		}
	}
	r.staff.learn(dt, active, r.staffACH(), t)
	if r.staff.ok {
		r.staff.unseen = r.staff.excess
	} else {
		r.staff.unseen = r.unseenStaff(r.staff.unseen, dt)
	}
	r.staff.leverage = r.leverage()
	r.followAvoidable(now, dt)

	r.staffNeed = r.staff.need(t)
	out := make([]Decision, len(r.fans))
	r.whys = r.whys[:0]
	for i, f := range r.fans {
		out[i] = r.decide(now, dt, i, f)
		if s := f.spec; s.OnOff && s.air(out[i].Duty) > 0 && (s.air(f.duty) == 0 || f.onSince.IsZero()) {
			f.onSince = now // switched on, or on since the start (the safe duty)
		}
		f.duty, f.status = out[i].Duty, out[i]
	}
	return out
}

// unseenStaff carries the staff area's excess e over dt while no sensor
// reads it, by the balance avoidable fits from what it read: V·dE/dt =
// c·B − (Q+Qg)·E, with the booths' smoke B as their sensors read it, the
// leak c and ventilation Qg as fitted, and the fans' air Q as they run.
// Before c is fitted (no leak yet seen) it only clears.
func (r *Room) unseenStaff(e float64, dt time.Duration) float64 {
	k := r.staffACH() // (Q+Qg)/V, a second
	if !(k > 0) || dt <= 0 {
		return e
	}
	smoke := 0.0
	for _, b := range r.booths {
		if b.bad == "" && b.excess > 0 {
			smoke += b.excess
		}
	}
	steady := r.staff.avoid.c * smoke / 3600 / r.staffVolume() / k
	return steady + (e-steady)*math.Exp(-k*dt.Seconds())
}

// decide is fan i's duty: the air's, raised to the safe duty while it or
// another fan of its booths does not work (fanfault.go).
func (r *Room) decide(now time.Time, dt time.Duration, i int, f *fan) Decision {
	return faultFloor(r.decideAir(now, dt, f), f.spec, r.faults.reason(r.p, i))
}

// decideAir is f's duty as the air asks.
func (r *Room) decideAir(now time.Time, dt time.Duration, f *fan) Decision {
	t, s := r.p.Tuning, f.spec
	d := Decision{Level: math.NaN()}
	var bad, purging, session []string
	boothNeed, from, fromI := 0.0, (*booth)(nil), 0 // the booth that needs the most air
	for _, i := range s.Booths {
		b := r.booths[i]
		if !math.IsNaN(b.level) && (math.IsNaN(d.Level) || b.level > d.Level) {
			d.Level = b.level
		}
		switch {
		case b.bad != "":
			bad = append(bad, b.bad)
		case b.purge:
			purging = append(purging, b.spec.Zone)
		case b.session:
			session = append(session, b.spec.Zone)
		}
		if n := b.need(t, r.staff.avoid.relax); n > boothNeed {
			boothNeed, from, fromI = n, b, i
		}
	}
	d.SecondsToEntry = r.secondsToEntry(f)
	switch {
	case len(bad) > 0:
		d.Duty, d.Mode = s.SafeDuty, ModeSafe
		if len(purging) > 0 {
			d.Duty = maxOf(d.Duty, s.MaxDuty) // a purge asked for full; unknown air is no reason for less
		}
		d.Reason = "booth data not trusted: " + strings.Join(bad, ", ")
		return d
	}
	switch {
	case len(purging) > 0:
		d.Duty, d.Mode = s.MaxDuty, ModePurge
		d.Reason = fmt.Sprintf("purge of %s until its PM2.5 < %g µg/m³", strings.Join(purging, ", "), t.Entry)
		return d
	case len(session) > 0:
		d.Duty, d.Mode = s.MaxDuty, ModeBoost
		d.Reason = "smoke in " + strings.Join(session, ", ")
		return d
	}

	// The air a fan moves is worth the smoke it removes now, from its
	// booths (the share that would leak to the staff) and from the staff
	// area (every exhaust ventilates it); it costs the fan's power, which
	// grows with speed³.
	staffNeed := r.staffNeed * f.share * f.share
	want, why := s.MinDuty, "clean air: minimum"
	if u := f.speed.of(boothNeed, staffNeed); s.MaxDuty*u > want {
		want = s.MaxDuty * u
		if boothNeed >= staffNeed*u { // the larger part of u³ (boothNeed > 0, so from is set)
			var ok bool
			if why, ok = f.clearing.get(fromI, 0, from.excess); !ok {
				why = fmt.Sprintf("clearing %s (%.0f µg/m³ above its clean air)", from.spec.Zone, from.excess)
				f.clearing.set(why, fromI, 0, from.excess)
			}
		} else {
			why = r.staffWhy(f)
			if !r.staff.ok {
				why = fmt.Sprintf("staff PM2.5 not trusted (%s): its smoke taken as the booths leak it and the air clears it, about %.1f µg/m³ above its clean air",
					r.staff.bad, r.staff.unseen)
				d.StaffBlind = true
			} else if r.staff.source {
				why = fmt.Sprintf("staff PM2.5 climbing %.0f µg/m³ a minute with the booths quiet: smoke in the staff area, %.1f µg/m³ above its clean air", r.staff.climb.v, r.staff.excess)
			}
		}
	}
	floor := "" // why want is a floor's, for a relay (switchFan)
	if !r.staff.ok && t.StaffBlindDuty > want {
		want, why = t.StaffBlindDuty, "staff PM2.5 not trusted ("+r.staff.bad+"): extra air while nobody can see it"
		floor = why
		d.StaffBlind = true
	}
	r.press = r.press[:0]
	for _, slot := range f.pressure {
		if smp, ok := r.sensors.get(slot); ok {
			r.press = append(r.press, *smp)
		}
	}
	if hold := f.hold.update(now, r.press, dt, s, t); hold > want {
		want, why = hold, fmt.Sprintf("holding the booth at %g Pa", s.PressureTarget)
		floor = why
		d.StaffBlind = false
	}
	if s.OnOff {
		if want < SwitchDuty {
			floor = "" // a floor the relay would take as off
			d.StaffBlind = false
		}
		return r.switchFan(now, f, d, staffNeed, floor)
	}
	if slow := f.duty - t.RampDown*dt.Minutes(); want < slow {
		if why != f.slowing.why || f.slowing.slow == "" {
			f.slowing.why, f.slowing.slow = why, why+" (slowing gently)"
		}
		want, why = slow, f.slowing.slow
	}
	d.Duty, d.Mode, d.Reason = clamp(want, s.MinDuty, s.MaxDuty), ModeNormal, why
	return d
}

// switchFan decides a fan on a relay: off, or full. A variable fan
// clears a booth at a fraction of its speed for a fraction of the power
// (speedFor); a relay has no such middle, and off is no slower clearing
// but none. Running, it takes out its booths' air, the staff area's
// excess and the booth's own on top, so the two are added (relay.go): the
// staff area's need as priced for any fan, and the booth's excess times
// the share of it that would reach the staff area before the next session
// runs the fan anyway (leakShare), over the staff area's price for smoke,
// and no less than twice SessionExcess, so that a booth at its clean air's
// noise does not switch it. The relay switches on at a need of 1 and off
// below relayHold. A floor (a staff sensor nobody trusts, a booth's
// pressure) holds it on where it reaches SwitchDuty, as the relay itself
// would take it: the default staff_blind_duty_percent, 50, does. Once on,
// the relay holds it on for MinOn whatever it is asked; the decision says
// so rather than ask for an off the fan will not do.
func (r *Room) switchFan(now time.Time, f *fan, d Decision, staffNeed float64, floor string) Decision {
	s, t := f.spec, r.p.Tuning
	on := s.air(f.duty) > 0
	price := r.staff.fullExcess(t) * max(r.staff.avoid.relax, 1) * max(r.staff.leverage, 1)
	price = maxOf(price, 2*t.SessionExcess)
	left, share, from, fromI := 0.0, 1.0, (*booth)(nil), 0 // the booth whose smoke counts most
	for _, i := range s.Booths {
		b := r.booths[i]
		p := leakShare(r.staff.avoid.c, r.p.Booths[i].VolumeM3, b.starts.wait(now))
		if w := maxOf(b.excess, 0) * p; w > left {
			left, share, from, fromI = w, p, b, i
		}
	}
	need := staffNeed + left/price
	at := 1.0
	if on {
		at = relayHold
	}
	d.Mode, d.Duty = ModeNormal, s.MaxDuty
	switch {
	case floor != "":
		d.Reason = floor
	case need >= at && left/price > staffNeed:
		var ok bool
		if d.Reason, ok = f.relayClearing.get(fromI, 0, from.excess, 100*share, price, relayHold*price); !ok {
			d.Reason = fmt.Sprintf("clearing %s (%.0f µg/m³ above its clean air, %.0f %% of it to reach the staff area before its next session; with the staff area's smoke, on from %.0f, off below %.0f)",
				from.spec.Zone, from.excess, 100*share, price, relayHold*price)
			f.relayClearing.set(d.Reason, fromI, 0, from.excess, 100*share, price, relayHold*price)
		}
	case need >= at:
		d.Reason = r.staffWhy(f)
	case on && now.Sub(f.onSince) < s.MinOn:
		d.Reason = fmt.Sprintf("clean air, held on by its relay for %s after switching on", s.MinOn)
	default:
		d.Duty, d.Reason = s.MinDuty, "clean air: off"
	}
	return d
}

// staffWhy is the reason the staff area's smoke gives f for air: the
// booth smoke above the staff area's clean air (or, where more, the gap
// above the cleaner air coming in), and where it takes f to full speed,
// or switches f's relay on and off. That is f's own point, not the
// room's price: f gets the staff area's demand by its share of the air
// per watt, and the booth smoke's part is priced by the booths' factor
// and the fans' leverage (staffArea.need); the room's price alone read
// "full speed at 9.0" beside a fan at 0.81.
func (r *Room) staffWhy(f *fan) string {
	t, s := r.p.Tuning, &r.staff
	w := f.share * f.share
	shown, what := s.excess, "staff PM2.5 %.1f µg/m³ above its clean air"
	add := 0.0
	if g := s.gap(); g > s.excess {
		shown, add, what = g+s.excess, g, "staff air clearing toward cleaner air coming in, %.1f µg/m³ above it"
	}
	full, off := add+s.excessAt(t, 1/w), 0.0
	if f.spec.OnOff {
		off = add + s.excessAt(t, relayHold/w)
	}
	key := 0 // the text's form
	if add > 0 {
		key |= 1
	}
	if f.spec.OnOff {
		key |= 2
	}
	if why, ok := f.staffWhy.get(key, 1, shown, full, off); ok {
		return why
	}
	why := r.staffWhyText(f, what, add, shown, full, off)
	f.staffWhy.set(why, key, 1, shown, full, off)
	return why
}

// staffWhyText is staffWhy's text, printed, or found printed for another
// fan this period.
func (r *Room) staffWhyText(f *fan, what string, add, shown, full, off float64) string {
	var buf [64]byte // the figures as %.1f prints them, on the stack
	k := strconv.AppendBool(buf[:0], add > 0)
	for _, v := range [...]float64{shown, full, off} {
		k = strconv.AppendFloat(append(k, ' '), v, 'f', 1, 64)
	}
	same := func(c staffReason) bool { return c.onOff == f.spec.OnOff && c.figures == string(k) }
	if i := slices.IndexFunc(r.whys, same); i >= 0 {
		return r.whys[i].why
	}
	why := fmt.Sprintf(what+" (full speed at %.1f)", shown, full)
	if f.spec.OnOff {
		why = fmt.Sprintf(what+" (on from %.1f, off below %.1f)", shown, full, off)
	}
	r.whys = append(r.whys, staffReason{f.spec.OnOff, string(k), why})
	return why
}

// staffFanACH is the air changes an hour the fans give the staff area at
// their present duty, as their rated flow says: every exhaust draws its
// air from there.
func (r *Room) staffFanACH() float64 {
	v := r.staffVolume()
	if v <= 0 {
		return 0
	}
	q, _, _ := r.fanAir(-1)
	return q / v
}

// staffACH is the staff area's air changes a second: the fans' air at
// their present duty, and its own ventilation as fitted (see avoidable)
// kept within 0.5 and 4 air changes an hour (a quarter and twice
// defaultStaffACH: an office's or clinic's general ventilation). The fit
// can read far higher while outdoor smoke arrives (taken for booth smoke,
// and its clearing for ventilation: 24 an hour in a 60 m³ room with 4),
// and an air change read high hides the gap (gap); read low it only
// flushes longer. For the same reason a fan whose booths measured less
// than its rated air (a clogged filter, a tiring fan) counts that much
// less, and one measured at more counts as rated. 0 without a volume.
func (r *Room) staffACH() float64 {
	v := r.staffVolume()
	if v <= 0 {
		return 0
	}
	q := 0.0
	for i, f := range r.fans {
		if !r.faults.dead(i) {
			q += f.spec.air(f.duty) * f.spec.MaxFlowM3h * r.measuredShare(f)
		}
	}
	qg := clamp(r.staff.avoid.qg, defaultStaffACH*v/4, 2*defaultStaffACH*v)
	return (q + qg) / v / 3600
}

// measuredShare is the part of f's rated air its booths measured it
// moving (their decay's share, averaged over those measured), at most 1;
// 1 until measured.
func (r *Room) measuredShare(f *fan) float64 {
	sum, n := 0.0, 0
	for _, i := range f.spec.Booths {
		if m := r.booths[i].model; m.n > 0 && m.eta > 0 {
			sum, n = sum+m.eta, n+1
		}
	}
	if n == 0 {
		return 1
	}
	return minOf(sum/float64(n), 1)
}

// staffVolume is the staff zones' volume in all, m³.
func (r *Room) staffVolume() float64 {
	v := 0.0
	for _, s := range r.p.Staff {
		v += s.VolumeM3
	}
	return v
}

// fanAir is the air the fans move (m³/h, as rated) at their present duty,
// at full and at minimum: all of it for booth −1, else what goes through
// that booth, each fan's air split evenly between the booths it serves. A
// fan that does not work moves none.
func (r *Room) fanAir(booth int) (now, full, least float64) {
	add := func(f *fan, n float64) {
		q := f.spec.MaxFlowM3h / n
		now += f.spec.air(f.duty) * q
		full += f.spec.air(f.spec.MaxDuty) * q
		least += f.spec.air(f.spec.MinDuty) * q
	}
	if booth < 0 {
		for i, f := range r.fans {
			if !r.faults.dead(i) { // one that does not work moves none, at any duty
				add(f, 1)
			}
		}
		return now, full, least
	}
	for _, i := range r.boothFans[booth] {
		if f := r.fans[i]; !r.faults.dead(i) {
			add(f, float64(len(f.spec.Booths)))
		}
	}
	return now, full, least
}

// followAvoidable feeds the staff area's avoidable-smoke estimate: the
// excess the staff need acts on (beyond the sensor's noise and the
// margin), the fans' air now, at full and at minimum, and each booth's.
func (r *Room) followAvoidable(now time.Time, dt time.Duration) {
	if !r.staff.ok {
		return
	}
	t := r.p.Tuning
	r.air = r.air[:0]
	for i, b := range r.booths {
		ba := boothAir{excess: b.excess, vol: r.p.Booths[i].VolumeM3}
		if b.bad != "" || math.IsNaN(b.level) {
			ba.excess = math.NaN()
		}
		ba.q, ba.qFull, ba.qMin = r.fanAir(i)
		r.air = append(r.air, ba)
	}
	q, qFull, qMin := r.fanAir(-1)
	e := maxOf(r.staff.excess-staffNoise(r.staff.worst.v)-t.StaffMargin-t.StaffMarginShare*r.staff.clean, 0)
	r.staff.avoid.step(now, dt, e, r.staff.source, q, qFull, qMin, r.staffVolume(), r.air)
}

// nominalACH is booth i's air changes per hour at its fans' present duty,
// as their datasheet flow says: each fan's flow splits evenly between the
// booths it serves.
func (r *Room) nominalACH(i int) float64 {
	q, _, _ := r.fanAir(i)
	return q / r.p.Booths[i].VolumeM3
}

func (r *Room) secondsToEntry(f *fan) float64 {
	worst := 0.0
	for _, i := range f.spec.Booths {
		s := r.booths[i].secondsToEntry(r.nominalACH(i), r.p.Tuning)
		if s < 0 {
			return -1
		}
		worst = maxOf(worst, s)
	}
	return worst
}

// Retune implements Law: learned clean air, decay and sessions carry over.
func (r *Room) Retune(p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := r.p.sameLayout(p); err != nil {
		return err
	}
	r.p = p
	for i, f := range r.fans {
		f.spec = p.Fans[i]
	}
	r.setShares()
	r.staff.sourceClimb = sourceClimbFor(p.Staff)
	return nil
}

// Purge implements Law.
func (r *Room) Purge(zone string) { r.setPurge(zone, true) }

// CancelPurge implements Law.
func (r *Room) CancelPurge(zone string) { r.setPurge(zone, false) }

// SetFanFault implements Law.
func (r *Room) SetFanFault(i int, why string) { r.faults.set(len(r.fans), i, why) }

func (r *Room) setPurge(zone string, on bool) {
	for _, b := range r.booths {
		if zone == "" || b.spec.Zone == zone {
			b.purge = on
		}
	}
}

// Booths implements Law.
func (r *Room) Booths() []BoothStatus { return r.AppendBooths(nil) }

// AppendBooths implements Law.
func (r *Room) AppendBooths(dst []BoothStatus) []BoothStatus {
	for i, b := range r.booths {
		dst = append(dst, b.status(r.nominalACH(i), r.p.Tuning))
	}
	return dst
}

// Staff implements Law.
func (r *Room) Staff() (StaffStatus, bool) { return r.staff.status(r.p.Tuning), true }

// Decay returns what the law has measured of zone's ventilation (see
// Decay); false when zone is no booth of the room.
func (r *Room) Decay(zone string) (Decay, bool) {
	for i, b := range r.booths {
		if b.spec.Zone == zone {
			return b.status(r.nominalACH(i), r.p.Tuning).Decay, true
		}
	}
	return Decay{}, false
}

var _ Law = (*Room)(nil)

// speedFor is the share of full speed where a fan's air is worth its
// power, for a booth need b and a staff need a (each 1 alone at full).
// Power grows with u³. Air removes the staff area's smoke at a rate that
// grows with u, so its worth is a·u; a booth's smoke leaks to the staff
// in proportion to 1/u of the air it gets, so the air's worth to the
// booth does not grow with u: b. The balance u³ = a·u + b gives √a for
// the staff alone and ∛b for the booth alone; it is solved by iteration,
// which climbs to the root from below.
func speedFor(b, a float64) float64 {
	finite := a >= 0 && a <= math.MaxFloat64 && b >= 0 && b <= math.MaxFloat64
	if a == 0 && b > 0 && finite {
		// The booth alone: the iteration's first step, ∛(0·u + b), is
		// where it starts, ∛b, and it stops there.
		return minOf(math.Cbrt(b), 1)
	}
	u := maxOf(math.Sqrt(a), math.Cbrt(b))
	for range 30 {
		if finite && u >= 1+1e-9 {
			// Full speed: the root r is at least u less the steps'
			// rounding (a few parts in 10¹⁶ each, up and down), and
			// each step from here lands at least at min(u, r) less
			// that again, so every later u, the answer's too, is
			// above 1.
			return 1
		}
		next := math.Cbrt(a*u + b)
		if next-u < 1e-6 {
			u = next
			break
		}
		u = next
	}
	return minOf(u, 1)
}

// speedKept is speedFor for the needs last asked, kept: the same needs,
// to the bit, have the same answer.
type speedKept struct {
	b, a uint64 // the needs' bits
	u    float64
	ok   bool
}

func (k *speedKept) of(b, a float64) float64 {
	bb, ab := math.Float64bits(b), math.Float64bits(a)
	if !k.ok || bb != k.b || ab != k.a {
		k.b, k.a, k.u, k.ok = bb, ab, speedFor(b, a), true
	}
	return k.u
}
