package control

import (
	"math"
	"slices"
	"time"
)

// usualHour is one block of the staff area's usual excess: long against a
// session and its clearing, so that an ordinary hour's mean holds several.
const usualHour = time.Hour

// usualHours is how many whole hours an ordinary one is picked from: a rush
// of an hour, with its tail, spans two blocks at most, fewer than half.
const usualHours = 5

// hourly keeps the staff excess's mean over each of the last usualHours
// whole hours (counted from when the staff area was first read). Their
// median is the booth smoke of an ordinary hour: a rush with every booth
// busy at once is one or two hours of five and cannot move it, where the
// 2 h average (staffArea.usual) fills with the rush's own smoke.
type hourly struct {
	sum   float64 // ∫excess dt over the running hour (µg/m³·s)
	dur   time.Duration
	means [usualHours]float64 // the newest whole hours' means, oldest first
	n     int                 // how many of means are known
	// median is ordinary's answer, found when an hour ends: the price
	// asks for it several times a period, and it changes once an hour.
	median float64
}

// add takes dt of staff excess e.
func (h *hourly) add(e float64, dt time.Duration) {
	if dt <= 0 || math.IsNaN(e) {
		return
	}
	h.sum += e * dt.Seconds()
	h.dur += dt
	if h.dur < usualHour {
		return
	}
	m := h.sum / h.dur.Seconds()
	copy(h.means[:], h.means[1:])
	h.means[usualHours-1] = m
	h.n = min(h.n+1, usualHours)
	h.sum, h.dur = 0, 0
	h.median = h.middle()
}

// ordinary is the median of the known whole hours' means (of an even
// number, the mean of the middle two); NaN before the first whole hour.
func (h *hourly) ordinary() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	return h.median
}

// middle is the median of the known means, of which there is at least one.
func (h *hourly) middle() float64 {
	var buf [usualHours]float64
	known := buf[:h.n]
	copy(known, h.means[usualHours-h.n:])
	slices.Sort(known)
	if h.n%2 == 1 {
		return known[h.n/2]
	}
	return (known[h.n/2-1] + known[h.n/2]) / 2
}

// usualFor is the usual excess the staff's price is set from, given the
// 2 h average avg and an ordinary hour's excess ordinary (NaN while no
// hour is whole): the average, but above the configured usual
// (StaffFullExcess / StaffFullUsual, where the price is as configured)
// no more than an ordinary hour's. The law grows laxer than configured only
// for smoke the staff area carries hour after hour (a small room, a leaky
// booth, an undersized fan), not for one busy hour: after a rush the
// fans clear the next sessions' smoke as keenly as an ordinary hour asks,
// while the average still remembers the rush for two hours. Below the
// configured usual it is the average, as quick to ask for more air as
// before.
func usualFor(avg, ordinary float64, t Tuning) float64 {
	if math.IsNaN(ordinary) || t.StaffFullUsual <= 0 {
		return avg
	}
	return minOf(avg, maxOf(ordinary, t.StaffFullExcess/t.StaffFullUsual))
}
