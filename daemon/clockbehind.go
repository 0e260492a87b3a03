package daemon

import (
	"fmt"
	"strings"
	"time"

	"github.com/ventd/ventd/record"
)

// heldApart is what holdApart keeps of the periods measured while the clock
// was behind the exposure record, between two clock_behind actions.
type heldApart struct {
	periods  int       // periods held
	from, to time.Time // the clock's (wrong) time of the first and last
	frontier time.Time // where the record stood
}

// holdApartEvery is how much measured time one clock_behind action holds:
// a power cut loses at most this much of it.
const holdApartEvery = time.Hour

// holdApart notes how far the clock is behind the exposure record this
// period (d.behind, for the clock fault), and journals what was measured
// while it was behind: no minute or shift can take it (its times are the
// wrong clock's, and a minute row of that time may be sealed already), so
// it goes apart, as an action naming the zones' means, maxima and measured
// time, stamped where the record stood. One an hour, one when the clock
// passes the record again, and one at the stop (final).
func (d *Daemon) holdApart(now time.Time, final bool) {
	waiting, frontier := false, time.Time{}
	zones := d.minuteZones()
	for _, z := range zones {
		if z.waiting {
			waiting = true
			if z.last.After(frontier) {
				frontier = z.last
			}
		}
	}
	d.behind, d.behindFrom = 0, time.Time{}
	if !waiting {
		d.farBehind = false
	}
	if waiting && !final {
		d.behind, d.behindFrom = frontier.Sub(now), frontier
		// Once far behind, the fault stays until the record resumes:
		// the clock catching up an hour in an hour is no fix.
		d.farBehind = d.farBehind || d.behind > maxJournalAhead
		h := &d.held
		if h.periods == 0 || now.Before(h.from) {
			h.from = now
		}
		if h.periods == 0 || now.After(h.to) {
			h.to = now
		}
		if frontier.After(h.frontier) {
			h.frontier = frontier
		}
		h.periods++
	}
	if d.held.periods == 0 || waiting && !final && time.Duration(d.held.periods)*d.period < holdApartEvery {
		return
	}
	var parts []string
	for _, z := range zones {
		h := z.held
		z.held = agg{}
		if h.count == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s mean %.4g%s, max %.4g%s over %s measured", z.zone, z.q, h.sum/float64(h.count), z.q.Suffix(),
			h.max, z.q.Suffix(), h.covered.Round(time.Second)))
	}
	h := d.held
	d.held = heldApart{}
	what := "no valid reading"
	if len(parts) > 0 {
		what = strings.Join(parts, "; ")
	}
	d.cur.Actions = append(d.cur.Actions, record.Action{Time: h.frontier, Kind: record.ActClockBehind, Target: "exposure record", By: record.Ventd,
		Result: fmt.Sprintf("measured while the clock read %s to %s, %s behind the exposure record (which stands at %s): in no minute or shift, its real time unknown: %s",
			h.from.UTC().Format(time.RFC3339), h.to.UTC().Format(time.RFC3339), h.frontier.Sub(h.to).Round(time.Minute), h.frontier.UTC().Format(time.RFC3339), what)})
	d.log.Warn("readings measured while the clock is behind the exposure record journaled apart, with no time", "clock_from", h.from, "clock_to", h.to,
		"record_at", h.frontier, "periods", h.periods)
}

// minuteZones are the minute aggregates: every exposure record's, then the
// outdoor air's. Both lists are made with the daemon and never change, so
// the list is made once, not every period.
func (d *Daemon) minuteZones() []*zoneMinutes {
	if d.minZones == nil {
		d.minZones = make([]*zoneMinutes, 0, len(d.expo)+len(d.outdoor))
		for _, e := range d.expo {
			d.minZones = append(d.minZones, &e.zoneMinutes)
		}
		d.minZones = append(d.minZones, d.outdoor...)
	}
	return d.minZones
}

// clockBehindDetail is the clock fault's detail: what the clock reads, and
// how far behind the record.
func (d *Daemon) clockBehindDetail(now time.Time) string {
	return fmt.Sprintf("it reads %s, %s behind the record's last time, %s", now.UTC().Format("2006-01-02 15:04 MST"),
		d.behind.Round(time.Minute), d.behindFrom.UTC().Format("2006-01-02 15:04 MST"))
}
