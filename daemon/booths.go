package daemon

import (
	"math"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
)

// addBooths puts each booth as the law sees it into the period's record,
// with the ventilation it has measured, and notes each new measurement (a
// clearing interval measured: Observations rose) as an event for the
// journal's history. While every booth stays as it was (most periods),
// the record shares the last record's booths; else two allocations: the
// booths, and the measured figures of those that have any.
func (d *Daemon) addBooths(p *record.Period) {
	bs := d.boothStatus()
	if len(bs) == 0 {
		return
	}
	first := d.decayObs == nil
	if len(d.decayObs) != len(bs) {
		d.decayObs = make([]int, len(bs))
	}
	same := len(d.booths) == len(bs)
	for i := range bs {
		b := &bs[i] // a BoothStatus is large: not copied, twice a booth a period
		dec := &b.Decay
		known := dec.Observations > 0 && finite(dec.ACH) && finite(dec.Share)
		if same {
			last := d.booths[i]
			same = last.Zone == b.Zone && last.Session == b.Session && last.Purging == b.Purging && last.Trusted == b.Trusted &&
				last.SecondsToEntry == b.SecondsToEntry && last.NominalACH == dec.NominalACH && (last.Measured != nil) == known &&
				(!known || *last.Measured == record.MeasuredACH{ACH: dec.ACH, Share: dec.Share, Observations: dec.Observations, Last: dec.Last})
		}
	}
	if same {
		p.Booths = d.booths
	} else {
		p.Booths = d.slabs.booths.take(len(bs))[:len(bs)]
		d.booths = p.Booths
	}
	var measured []record.MeasuredACH
	for i := range bs {
		b := &bs[i]
		dec := &b.Decay
		known := dec.Observations > 0 && finite(dec.ACH) && finite(dec.Share)
		if !same {
			p.Booths[i] = record.Booth{Zone: b.Zone, Session: b.Session, Purging: b.Purging, Trusted: b.Trusted,
				SecondsToEntry: b.SecondsToEntry, NominalACH: dec.NominalACH}
			if known {
				if measured == nil {
					measured = d.slabs.measured.take(len(bs))
				}
				measured = append(measured, record.MeasuredACH{ACH: dec.ACH, Share: dec.Share, Observations: dec.Observations, Last: dec.Last})
				p.Booths[i].Measured = &measured[len(measured)-1]
			}
		}
		// The first period only learns where the counts stand (restored
		// from the journal, or 0): nothing was measured in it.
		if known && !first && dec.Observations > d.decayObs[i] {
			p.Ventilation = append(p.Ventilation, record.Ventilation{Time: dec.Last, Zone: b.Zone, ACH: dec.ACH,
				NominalACH: dec.NominalACH, Share: dec.Share, Observations: dec.Observations})
		}
		d.decayObs[i] = dec.Observations
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// decayRestorer is a law that can take back what it measured of the
// booths' ventilation before a restart (control.Room).
type decayRestorer interface {
	RestoreDecay(zone string, share float64, observations int, last time.Time) bool
}

// maxRestoredShare is the highest measured share of its rated air a
// booth's ventilation is taken back from the journal with.
const maxRestoredShare = 5.0

// restoreVentilation gives the law each booth's last measured ventilation
// from the journal, so the entry estimate and /metrics do not start from
// nothing after every restart; the next clearing refines it as before.
func (d *Daemon) restoreVentilation(j *journal.Journal) {
	law, ok := d.law.(decayRestorer)
	if !ok {
		return
	}
	last, err := j.LastVentilation()
	if err != nil {
		d.log.Warn("journal: cannot read the booths' measured ventilation; the law measures it afresh", "err", err)
		return
	}
	for _, v := range last {
		if !(v.Share <= maxRestoredShare) {
			// No clearing measures that (a booth gets about its fans'
			// rated air, leakage and deposition adding a little): an
			// edit or a damaged row. Taken back, the entry estimate
			// would call a smoky booth clear at once.
			d.log.Warn("journal: a booth's last measured ventilation is not plausible; the law measures it afresh",
				"zone", v.Zone, "share", v.Share, "hint", "run ventctl verify to see whether the journal was edited")
			continue
		}
		if law.RestoreDecay(v.Zone, v.Share, v.Observations, v.Time) {
			d.log.Info("booth ventilation restored from the journal", "zone", v.Zone, "share", v.Share, "observations", v.Observations, "measured", v.Time)
		}
	}
}

// figure is v to places decimals for a record, nil when not finite:
// last when it holds the same, a new one from the record slabs when not.
func (d *Daemon) figure(last *float64, v float64, places int) *float64 {
	if !finite(v) {
		return nil
	}
	v = round(v, places)
	if last != nil && *last == v {
		return last
	}
	p := d.slabs.figures.next()
	*p = v
	return p
}

// addStaff puts the staff area as the law sees it into the period's
// record, once the law has read it, to 0.01 µg/m³ as the readings are:
// figures that did not move by that much share the previous record's, and
// new ones come from the record slabs.
func (d *Daemon) addStaff(p *record.Period) {
	st, ok := d.law.Staff()
	if !ok || !finite(st.Level) || !finite(st.CleanAir) || !finite(st.Excess) || !finite(st.FullSpeedExcess) {
		return
	}
	a := record.StaffAir{Trusted: st.Trusted, PM25: round(st.Level, 2), CleanAir: round(st.CleanAir, 2),
		Excess: round(st.Excess, 2), FullSpeedExcess: round(st.FullSpeedExcess, 2)}
	if finite(st.ClearingGap) {
		a.ClearingGap = round(st.ClearingGap, 2)
	}
	if finite(st.BoothPrice) {
		a.BoothPrice = round(st.BoothPrice, 2)
	}
	if finite(st.Leverage) {
		a.FanLeverage = round(st.Leverage, 2)
	}
	last := d.staff
	var lastUsual, lastShare *float64
	if last != nil {
		lastUsual, lastShare = last.UsualExcess, last.AvoidableShare
	}
	a.UsualExcess, a.AvoidableShare = d.figure(lastUsual, st.UsualExcess, 2), d.figure(lastShare, st.AvoidableShare, 3)
	if finite(st.Outdoor) && finite(st.OutdoorGain) && finite(st.GeneralACH) {
		o := record.OutdoorLink{PM25: round(st.Outdoor, 2), Gain: round(st.OutdoorGain, 3), GeneralACH: st.GeneralACH}
		if last != nil && last.Outdoor != nil && *last.Outdoor == o {
			a.Outdoor = last.Outdoor
		} else {
			a.Outdoor = &o
		}
	}
	if last == nil || *last != a {
		d.staff = d.slabs.staff.next()
		*d.staff = a
	}
	p.Staff = d.staff
}
