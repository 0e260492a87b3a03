package main

import (
	"fmt"
	"math"
)

// Goal limits, from the issue that set them (and the README's Tuning).
const (
	goalExposureRatio = 0.05
	goalEnergyQuiet   = 0.25
	goalEnergyBusy    = 0.5
	busyShare         = 0.10
	goalWeakToFull    = 15.0 // s from the session's start
	goalAfterVisible  = 2.0  // s: one SPS30 sample and one control period
	goalSafeAfter     = 1.0  // s: one control period
	// atFull is where the frontier counts as full's own exposure: an
	// exposure ratio (0 = full, 1 = min; mean over seeds) of 0.005 is
	// 0.04 µg/m³ of the quiet day's STEL, less than full's own spread
	// between seeds there (0.06).
	atFull = 0.005
	// minGap is the least distance between the bounds (µg/m³) for an
	// exposure ratio to mean anything.
	minGap = 1.0
)

// analyze builds the report of one scenario from its runs.
// minCoverage is the share of the day (percent) the staff sensor's
// readings must cover for exposure goals to go without a note.
const minCoverage = 90

func analyze(runs []Result, seeds []uint64) ScenarioReport {
	b := byRun{}
	var order []string
	family := map[string]string{}
	sr := ScenarioReport{Scenario: runs[0].Scenario, Group: runs[0].Group}
	for _, r := range runs {
		if b[r.Controller] == nil {
			b[r.Controller] = map[uint64]Result{}
			order = append(order, r.Controller)
		}
		b[r.Controller][r.Seed] = r
		family[r.Controller] = r.Family
		if r.Controller == "ventd" || sr.SessionShare == 0 {
			// The scenario's, the same in every run; ventd's is never
			// from the cache (-cache), which may predate a change to it.
			sr.SessionShare = r.Sessions.Share
		}
	}
	sr.Busy = sr.SessionShare >= busyShare
	stel := func(r Result) float64 { return float64(r.StaffSTELPeak) }
	twa := func(r Result) float64 { return r.StaffTWA }
	energy := func(r Result) float64 { return r.EnergyKWh }
	for _, c := range order {
		sr.Figures = append(sr.Figures, Figures{Controller: c, Family: family[c],
			STEL: stat(b.values(c, seeds, stel)), TWA: stat(b.values(c, seeds, twa)),
			EnergyKWh: stat(b.values(c, seeds, energy)),
			ChangesPH: stat(b.values(c, seeds, func(r Result) float64 { return r.DutyChangesPerH })),
			TravelPH:  stat(b.values(c, seeds, func(r Result) float64 { return r.DutyTravelPerH }))})
	}
	if b["ventd"] == nil || b["full"] == nil || b["min"] == nil || b["min-nominal"] == nil {
		return sr
	}

	// Per seed: ratios and frontier margins, so the spread is the seeds'.
	per := func(f func(seed uint64) float64) Stat {
		var vs []float64
		for _, s := range seeds {
			vs = append(vs, f(s))
		}
		return stat(vs)
	}
	ratio := func(ctl string, fig func(Result) float64, lo string) func(uint64) float64 {
		return func(s uint64) float64 { return exposureRatio(fig(b[ctl][s]), fig(b["full"][s]), fig(b[lo][s])) }
	}
	bd := &sr.Bounds
	bd.GapSTEL = per(func(s uint64) float64 { return stel(b["min"][s]) - stel(b["full"][s]) }).Mean
	bd.GapTWA = per(func(s uint64) float64 { return twa(b["min"][s]) - twa(b["full"][s]) }).Mean
	bd.InvertedSTEL, bd.InvertedTWA = bd.GapSTEL < -minGap/2, bd.GapTWA < -minGap/2
	r := &sr.Ratios
	r.STEL, r.TWA = per(ratio("ventd", stel, "min")), per(ratio("ventd", twa, "min"))
	r.STELNominal, r.TWANominal = per(ratio("ventd", stel, "min-nominal")), per(ratio("ventd", twa, "min-nominal"))
	eRatio := func(lo string) func(uint64) float64 {
		return func(s uint64) float64 {
			return energyRatio(energy(b["ventd"][s]), energy(b["full"][s]), energy(b[lo][s]))
		}
	}
	r.Energy, r.EnergyNominal = per(eRatio("min")), per(eRatio("min-nominal"))
	r.ExposureRatiosSet = bd.GapSTEL >= minGap && bd.GapTWA >= minGap

	sr.FrontierSTEL = frontier(b, seeds, stel, order, family)
	sr.FrontierTWA = frontier(b, seeds, twa, order, family)
	if b["onoff35"] != nil {
		diff := func(f func(Result) float64) Stat {
			return per(func(s uint64) float64 { return f(b["ventd"][s]) - f(b["onoff35"][s]) })
		}
		sr.VsOnOff = &Versus{Controller: "onoff35", STEL: diff(stel), TWA: diff(twa), EnergyKWh: diff(energy),
			ChangesPH: diff(func(r Result) float64 { return r.DutyChangesPerH }),
			TravelPH:  diff(func(r Result) float64 { return r.DutyTravelPerH })}
	}
	if r.ExposureRatiosSet && !bd.InvertedSTEL && !bd.InvertedTWA {
		sr.Reachable = reachable(b, seeds, order, family)
	}
	sr.Goals = goals(sr, b, seeds)
	return sr
}

// reachable finds the cheapest baseline (by its worst seed's energy ratio)
// whose STEL and TWA ratios met the goal on every seed.
func reachable(b byRun, seeds []uint64, order []string, family map[string]string) *Reachable {
	var best *Reachable
	for _, c := range order {
		if !isBaseline(c, family) {
			continue
		}
		r := Reachable{Controller: c, Energy: math.Inf(-1), STEL: math.Inf(-1), TWA: math.Inf(-1)}
		for _, s := range seeds {
			run, ok := b[c][s]
			if !ok {
				return nil // an incomplete set of runs says nothing
			}
			full, minimum := b["full"][s], b["min"][s]
			r.Energy = math.Max(r.Energy, energyRatio(run.EnergyKWh, full.EnergyKWh, minimum.EnergyKWh))
			r.STEL = math.Max(r.STEL, exposureRatio(float64(run.StaffSTELPeak), float64(full.StaffSTELPeak), float64(minimum.StaffSTELPeak)))
			r.TWA = math.Max(r.TWA, exposureRatio(run.StaffTWA, full.StaffTWA, minimum.StaffTWA))
		}
		if r.STEL <= goalExposureRatio && r.TWA <= goalExposureRatio && (best == nil || r.Energy < best.Energy) {
			best = &r
		}
	}
	return best
}

// exposureRatio places an exposure v between the bounds: 0 at full
// speed's, 1 at minimum's.
func exposureRatio(v, full, minimum float64) float64 { return (v - full) / (minimum - full) }

// energyRatio places an energy v between the bounds: 0 at minimum's, 1 at
// full speed's.
func energyRatio(v, full, minimum float64) float64 { return (v - minimum) / (full - minimum) }

// isBaseline reports whether controller c is one a site could run instead
// of ventd: on/off, proportional, a fixed duty, or full speed.
func isBaseline(c string, family map[string]string) bool {
	f := family[c]
	return f == famOnOff || f == famProp || f == famFixed || c == "full"
}

// frontier compares ventd with the envelope of every baseline (on/off,
// proportional, fixed duties, full and min; not min-nominal, which no
// installation runs) seed by seed.
func frontier(b byRun, seeds []uint64, fig func(Result) float64, order []string, family map[string]string) Frontier {
	var fr Frontier
	onEnvelope := func(c string) bool { return isBaseline(c, family) || c == "min" }
	var margins, at, ventd, atRatio []float64
	cheaper := false
	for _, s := range seeds {
		var pts []FrontierPoint
		for _, c := range order {
			if r, ok := b[c][s]; ok && onEnvelope(c) {
				pts = append(pts, FrontierPoint{Controller: c, EnergyKWh: r.EnergyKWh, Value: fig(r)})
			}
		}
		v := b["ventd"][s]
		f, below := frontierAt(pts, v.EnergyKWh)
		cheaper = cheaper || below
		margins, at, ventd = append(margins, f-fig(v)), append(at, f), append(ventd, fig(v))
		atRatio = append(atRatio, exposureRatio(f, fig(b["full"][s]), fig(b["min"][s])))
	}
	// The envelope shown is of the means over seeds.
	var mean []FrontierPoint
	for _, c := range order {
		if !onEnvelope(c) {
			continue
		}
		mean = append(mean, FrontierPoint{Controller: c,
			EnergyKWh: stat(b.values(c, seeds, func(r Result) float64 { return r.EnergyKWh })).Mean,
			Value:     stat(b.values(c, seeds, fig)).Mean})
	}
	fr.Points = envelope(mean)
	fr.Margin, fr.AtVentd, fr.Ventd = stat(margins), stat(at), stat(ventd)
	fr.AtVentdRatio = stat(atRatio)
	m := fr.Margin
	switch {
	case m.N == 0:
		fr.Verdict = "n/a"
	case m.Min > 0 && m.Mean > m.Spread:
		fr.Verdict = "below"
	case m.Max < 0 && -m.Mean > m.Spread:
		fr.Verdict = "above"
	default:
		fr.Verdict = "tie"
	}
	if cheaper {
		fr.Verdict += ", cheaper than every baseline"
	}
	return fr
}

// goals checks the goals on one scenario. Each uses the worst seed
// (a goal holds on every seed or it fails).
func goals(sr ScenarioReport, b byRun, seeds []uint64) []Goal {
	var gs []Goal
	add := func(name string, value, limit float64, pass bool, na string) {
		g := Goal{Name: name, Value: value, Limit: limit, Result: "pass"}
		switch {
		case na != "":
			g.Result, g.Note = "n/a", na
		case math.IsNaN(value):
			g.Result, g.Note = "n/a", "not measured"
		case !pass:
			g.Result = "FAIL"
		}
		gs = append(gs, g)
	}
	bd, r := sr.Bounds, sr.Ratios
	for _, e := range []struct {
		name, short string
		ratio       Stat
		inverted    bool
		gap         float64
		fig         func(Result) float64
	}{
		{"stel_ratio", "stel", r.STEL, bd.InvertedSTEL, bd.GapSTEL, func(r Result) float64 { return float64(r.StaffSTELPeak) }},
		{"twa_ratio", "twa", r.TWA, bd.InvertedTWA, bd.GapTWA, func(r Result) float64 { return r.StaffTWA }},
	} {
		switch {
		case e.inverted:
			// Full is worse than min: the goal is to be no worse than min.
			worst := math.Inf(-1)
			for _, s := range seeds {
				worst = math.Max(worst, e.fig(b["ventd"][s])-e.fig(b["min"][s]))
			}
			add(e.short+"_vs_min_inverted_bounds", worst, 0, worst <= 0, "")
		case math.Abs(e.gap) < minGap:
			add(e.name, e.ratio.Max, goalExposureRatio, false, fmt.Sprintf("bounds %.2f µg/m³ apart", math.Abs(e.gap)))
		default:
			add(e.name, e.ratio.Max, goalExposureRatio, e.ratio.Max <= goalExposureRatio, "")
		}
	}
	limit := goalEnergyQuiet
	if sr.Busy {
		limit = goalEnergyBusy
	}
	add("energy_ratio", r.Energy.Max, limit, r.Energy.Max <= limit, "")
	for _, f := range []struct {
		name     string
		fr       Frontier
		inverted bool
		gap      float64
	}{{"below_frontier_stel", sr.FrontierSTEL, bd.InvertedSTEL, bd.GapSTEL}, {"below_frontier_twa", sr.FrontierTWA, bd.InvertedTWA, bd.GapTWA}} {
		na := ""
		switch {
		case f.inverted:
			na = "bounds inverted"
		case math.Abs(f.gap) < minGap:
			na = fmt.Sprintf("bounds %.2f µg/m³ apart", math.Abs(f.gap))
		}
		pass := f.fr.Verdict == "below" || f.fr.Verdict == "below, cheaper than every baseline"
		ran, all := baselinesRun(b)
		if na == "" && ran < all && pass {
			// With -controllers choosing a few, the envelope is theirs,
			// not every baseline's: below it is not below the frontier
			// (a run of ventd alone is below the line from min to full
			// on every day), so it is not judged. Above it is above the
			// frontier too, which lies lower, and stays a miss.
			na = fmt.Sprintf("against %d of the %d baselines (-controllers): the frontier is every baseline's", ran, all)
		}
		g := Goal{Name: f.name, Value: f.fr.Margin.Mean, Limit: f.fr.Margin.Spread}
		add(g.Name, g.Value, g.Limit, pass, na)
		gs[len(gs)-1].Note = joinNote(gs[len(gs)-1].Note, f.fr.Verdict)
		if na == "" && ran < all {
			gs[len(gs)-1].Note = joinNote(gs[len(gs)-1].Note, fmt.Sprintf("against %d of the %d baselines (-controllers): the frontier is every baseline's", ran, all))
		}
		if !pass && na == "" && f.fr.AtVentdRatio.Mean <= atFull {
			// Nothing is below full's exposure: the goal cannot be met
			// here by any controller, and the reader should know.
			gs[len(gs)-1].Note = joinNote(gs[len(gs)-1].Note, fmt.Sprintf(
				"the baselines already reach full's exposure at ventd's energy (within %.1f %% of the bounds' gap, mean over seeds): no controller can be clearly below", 100*atFull))
		}
	}
	var weak, visible, safe []float64
	notFull, uncleared := 0, 0
	for _, s := range seeds {
		v := b["ventd"][s]
		weak, visible = append(weak, ptr(v.Sessions.WeakToFull)), append(visible, ptr(v.Sessions.AfterVisible))
		notFull += v.Sessions.NotFull
		uncleared += v.Sessions.Uncleared
		safe = append(safe, float64(v.SafeAfterFault))
	}
	vs := stat(visible)
	add("full_after_visible_s", vs.Max, goalAfterVisible, vs.Max <= goalAfterVisible && notFull == 0, "")
	if notFull > 0 {
		gs[len(gs)-1].Note = fmt.Sprintf("%d sessions never reached full", notFull)
	}
	ws := stat(weak)
	add("weak_to_full_s", ws.Max, goalWeakToFull, ws.Max <= goalWeakToFull, "")
	if ws.N == 0 {
		gs[len(gs)-1].Result, gs[len(gs)-1].Note = "n/a", "no weak session"
	}
	sf := stat(safe)
	add("safe_after_fault_s", sf.Max, goalSafeAfter, sf.Max <= goalSafeAfter, "")
	if sf.N == 0 {
		gs[len(gs)-1].Result, gs[len(gs)-1].Note = "n/a", "no booth sensor fault"
	}
	if rc := sr.Reachable; rc != nil {
		for i, g := range gs {
			if g.Result == "FAIL" && (g.Name == "stel_ratio" || g.Name == "twa_ratio" || g.Name == "energy_ratio") {
				gs[i].Note = joinNote(g.Note, rc.String())
				if ran, all := baselinesRun(b); ran < all {
					gs[i].Note = joinNote(gs[i].Note, fmt.Sprintf("among the %d of %d baselines run", ran, all))
				}
			}
		}
	}
	// Exposure is judged from the staff sensor's readings, as a site's
	// record is: where they cover little of the day (a staff sensor fault,
	// smoke above its range), the ratios rest on that part alone, and the
	// reader must know. The true air is in -json (true_staff_*).
	lowCover := 100.0
	for _, c := range []string{"ventd", "full", "min"} {
		for _, s := range seeds {
			if v := b[c][s].StaffCoverage; v > 0 && v < lowCover {
				lowCover = v
			}
		}
	}
	if lowCover < minCoverage {
		for i, g := range gs {
			switch g.Name {
			case "stel_ratio", "twa_ratio", "below_frontier_stel", "below_frontier_twa":
				gs[i].Note = joinNote(g.Note, fmt.Sprintf("the staff sensor's readings cover %.0f %% of the day: judged on that part (true air: true_staff_* in -json)", lowCover))
			}
		}
	}
	if bd.InvertedSTEL || bd.InvertedTWA {
		// Judged against full: a session that full leaves uncleared too
		// (one ending at the day's end, outdoor air rising through the
		// clearing) is one no controller can clear.
		fullUncleared := 0
		for _, s := range seeds {
			fullUncleared += b["full"][s].Sessions.Uncleared
		}
		add("sessions_cleared", float64(uncleared), float64(fullUncleared), uncleared <= fullUncleared, "")
		gs[len(gs)-1].Note = "sessions not cleared, over every seed"
		if fullUncleared > 0 {
			gs[len(gs)-1].Note += fmt.Sprintf(", against full's %d: full leaves them too, so no controller can clear them", fullUncleared)
		}
	}
	return gs
}

// String says what the goals ask against what a simple controller needs.
func (rc Reachable) String() string {
	if rc.Controller == "full" {
		return "no baseline short of full meets both exposure goals"
	}
	return fmt.Sprintf("the cheapest baseline meeting both exposure goals, %s, has energy ratio %.3f", rc.Controller, rc.Energy)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func ptr(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// baselinesRun counts the baselines (on/off, proportional, fixed duty)
// among the controllers run, and how many ventbench has.
func baselinesRun(b byRun) (ran, all int) {
	for _, bySeed := range b {
		for _, r := range bySeed {
			if r.Family != famVentd && r.Family != famBound {
				ran++
			}
			break
		}
	}
	for _, c := range allControllers(0) {
		if c.family != famVentd && c.family != famBound {
			all++
		}
	}
	return ran, all
}
