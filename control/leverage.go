package control

import "math"

// The staff's price is set for a room whose fans move much more air than
// the staff area's own ventilation. Where they move little beside it (an
// undersized fan, a clogged filter, a relay's small fan) their air buys
// less staff clearing, and the price goes up with it: the leverage.
//
// After the booths clear, the staff area's excess E falls as
// V·dE/dt = −(Qg + Q·u)·E: its own ventilation Qg and the fans' air Q at
// speed u. Spending power P·u³ against exposure λ·E, the best speed on
// that tail is u = √(E·λ·Q / (3·P·(Qg + Q·u_min))) (the balance of the
// Hamilton–Jacobi–Bellman equation as E falls to the fans' minimum): the
// square-root rule of speedFor, with the excess that asks for full speed
// in proportion to (Qg + Q·u_min)/Q, the air the staff area gets anyway
// over the air the fans add. The law knows Q (rated, or as its booths
// measured it) and u_min; Qg it takes as defaultStaffACH of the staff
// area's volume (the avoidable fit reads it within a factor of two at
// best, and from 0 to 650 m³/h in ventbench's rooms).
const (
	// leverageRef is (Qg + Q·u_min)/Q where the configured price holds:
	// the room the defaults were chosen in, a 60 m³ staff area at
	// defaultStaffACH (120 m³/h) beside a 300 m³/h fan at 25 % minimum.
	leverageRef = (120 + 0.25*300) / 300.0
	// leverageHigh is the most the leverage raises the staff's price,
	// as relaxHigh bounds the booths'. At 3, ventbench's undersized-fan
	// (80 m³/h beside 120 m³/h of its own: 2.8) met its energy goal but
	// its staff TWA ratio went 0.022 → 0.051.
	leverageHigh = 2.0
)

// staffLeverage is how much less the fans' air is worth to the staff area
// than in the room the price is set for, from 1 to leverageHigh: qg is the
// staff area's own ventilation, qFull and qMin the fans' air at full and
// at minimum duty (all m³/h). 1 when the fans move no air at full.
func staffLeverage(qg, qFull, qMin float64) float64 {
	if !(qFull > 0) || math.IsNaN(qg+qMin) {
		return 1
	}
	return clamp((qg+qMin)/qFull/leverageRef, 1, leverageHigh)
}

// leverage is staffLeverage for the room: every fan's air at full and at
// minimum duty as its booths measured it (measuredShare; a relay's
// minimum moves none), beside defaultStaffACH of the staff area. 1 in a
// room with no staff volume.
func (r *Room) leverage() float64 {
	v := r.staffVolume()
	if v <= 0 {
		return 1
	}
	qFull, qMin := 0.0, 0.0
	for _, f := range r.fans {
		m := r.measuredShare(f)
		qFull += f.spec.air(f.spec.MaxDuty) * f.spec.MaxFlowM3h * m
		qMin += f.spec.air(f.spec.MinDuty) * f.spec.MaxFlowM3h * m
	}
	return staffLeverage(defaultStaffACH*v, qFull, qMin)
}
