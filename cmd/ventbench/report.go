package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

func writeJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeTable prints, for each group of scenarios (tuning, held out, files),
// ventd's figures beside the bounds and the classic on/off, then ventd
// against the bounds, the frontier and the goals, then the timing.
func writeTable(w io.Writer, rep *Report, verbose bool) error {
	fmt.Fprintf(w, "Staff PM2.5 (µg/m³) from the staff sensor through the exposure tracker; mean over %d seed(s) %v, ±half the spread between seeds.\n",
		len(rep.Seeds), rep.Seeds)
	for _, g := range []string{groupTuning, groupHeldOut, groupFile} {
		srs := rep.group(g)
		if len(srs) == 0 {
			continue
		}
		title := map[string]string{groupTuning: "Tuning scenarios (the defaults were chosen on these)",
			groupHeldOut: "Held-out scenarios (never tuned on; all but clogged-filter written before any tuning)", groupFile: "Scenario files"}[g]
		fmt.Fprintf(w, "\n== %s ==\n\n", title)
		if err := figuresTable(w, srs, rep.Runs, verbose); err != nil {
			return err
		}
		if err := ratiosTable(w, srs); err != nil {
			return err
		}
		if err := goalsTable(w, srs); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, `
Ratios: exposure (ventd−full)/(min−full), energy (ventd−min)/(full−min), with min the fans at minimum
but keeping the guard every law keeps (full while a booth sensor fails or reads over range): the cheapest
controller the safety rules allow. min-nominal (minimum whatever happens) is shown for reference; the JSON
has every ratio against it too. "inverted": full leaves the staff more exposed than min (smoky outdoor air);
no ratio is shown and the goal is to be no worse than min.
Frontier: the lower envelope of every baseline (on/off at 15..100 µg/m³, proportional bands, fixed duties,
full, min) in (energy, exposure), joined by straight lines, at ventd's energy; margin = envelope − ventd,
"below" only when positive on every seed and larger than its spread between seeds.
vs onoff35: ventd minus the on/off switch at 35 µg/m³ (off at 25): + is ventd worse (or costlier).
travel/h: how far the duty moved per hour, in fan ranges (slow ramps count); steps/h: changes over 5 %.`)
	cached := ""
	if rep.CachedRuns > 0 {
		cached = fmt.Sprintf(" (and %d baseline runs from the cache of an earlier run; -cache off reruns them)", rep.CachedRuns)
	}
	_, err := fmt.Fprintf(w, "\n%d runs%s, %.0f simulated hours in %.1f s wall time (-parallel %d): %.1f simulated hours per wall second\n",
		rep.RunCount-rep.CachedRuns, cached, rep.SimHours, rep.WallSeconds, rep.Parallel, rep.SimHoursPerWallSecond)
	return err
}

// figuresTable prints ventd, the bounds and onoff35 (with -v every
// controller) per scenario.
func figuresTable(w io.Writer, srs []ScenarioReport, runs []Result, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tcontroller\tSTEL\tTWA\tkWh\tsteps/h\ttravel/h\tentry max s\tto full strong/weak s\tsafe after fault s\t")
	for _, sr := range srs {
		for _, f := range sr.Figures {
			if !verbose && f.Family != famVentd && f.Family != famBound && f.Controller != "onoff35" {
				continue
			}
			var entry, strong, weak, safe []float64
			for _, r := range runs {
				if r.Scenario == sr.Scenario && r.Controller == f.Controller {
					entry = append(entry, float64(r.Entry.Max))
					strong, weak = append(strong, ptr(r.Sessions.StrongToFull)), append(weak, ptr(r.Sessions.WeakToFull))
					safe = append(safe, float64(r.SafeAfterFault))
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s/%s\t%s\t\n", sr.Scenario, f.Controller,
				pm(f.STEL, 2), pm(f.TWA, 2), pm(f.EnergyKWh, 4), pm(f.ChangesPH, 1), pm(f.TravelPH, 2),
				worst(entry, 0), worst(strong, 0), worst(weak, 0), worst(safe, 0))
		}
	}
	return tw.Flush()
}

// ratiosTable prints ventd between the bounds and against the frontier and
// onoff35, losses included.
func ratiosTable(w io.Writer, srs []ScenarioReport) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tday\tSTEL ratio\tTWA ratio\tenergy ratio\tSTEL vs frontier\tTWA vs frontier\tvs onoff35 STEL\tTWA\tkWh\tsteps/h\ttravel/h\t")
	for _, sr := range srs {
		day := "quiet"
		if sr.Busy {
			day = "busy"
		}
		day += fmt.Sprintf(" %.0f%%", 100*sr.SessionShare)
		row := []string{sr.Scenario, day,
			expRatio(sr.Ratios.STEL, sr.Bounds.InvertedSTEL, sr.Bounds.GapSTEL),
			expRatio(sr.Ratios.TWA, sr.Bounds.InvertedTWA, sr.Bounds.GapTWA),
			pm(sr.Ratios.Energy, 3), verdict(sr.FrontierSTEL), verdict(sr.FrontierTWA)}
		if v := sr.VsOnOff; v != nil {
			row = append(row, signed(v.STEL, 2), signed(v.TWA, 2), signed(v.EnergyKWh, 4), signed(v.ChangesPH, 1), signed(v.TravelPH, 2))
		} else {
			row = append(row, "-", "-", "-", "-", "-")
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	return tw.Flush()
}

// goalsTable prints each goal's result per scenario, failures first in
// each row's note.
func goalsTable(w io.Writer, srs []ScenarioReport) error {
	fmt.Fprintln(w)
	if len(srs) == 0 || len(srs[0].Goals) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tgoals (worst seed: value / limit)\t")
	for _, sr := range srs {
		var parts []string
		for _, g := range sr.Goals {
			p := fmt.Sprintf("%s %s", g.Name, g.Result)
			switch g.Result {
			case "n/a":
				p += " (" + g.Note + ")"
			default:
				if strings.HasPrefix(g.Name, "below_frontier") {
					p += fmt.Sprintf(" (margin %.2f, spread %.2f: %s)", g.Value, g.Limit, g.Note)
				} else {
					p += fmt.Sprintf(" (%.3g / %g)", g.Value, g.Limit)
					if g.Result == "FAIL" && g.Note != "" {
						p = strings.TrimSuffix(p, ")") + ": " + g.Note + ")"
					}
				}
			}
			parts = append(parts, p)
		}
		fmt.Fprintf(tw, "%s\t%s\t\n", sr.Scenario, strings.Join(parts, ", "))
	}
	return tw.Flush()
}

// group lists the reports of the scenarios in group g.
func (rep *Report) group(g string) []ScenarioReport {
	var out []ScenarioReport
	for _, sr := range rep.Scenarios {
		if sr.Group == g {
			out = append(out, sr)
		}
	}
	return out
}

func pm(s Stat, digits int) string {
	if s.N == 0 {
		return "-"
	}
	if s.N == 1 || s.Spread == 0 {
		return fmt.Sprintf("%.*f", digits, s.Mean)
	}
	return fmt.Sprintf("%.*f±%.*f", digits, s.Mean, digits, s.Spread/2)
}

func signed(s Stat, digits int) string {
	if s.N == 0 {
		return "-"
	}
	out := fmt.Sprintf("%+.*f", digits, s.Mean)
	if s.N > 1 {
		out += fmt.Sprintf("±%.*f", digits, s.Spread/2)
	}
	return out
}

func expRatio(s Stat, inverted bool, gap float64) string {
	switch {
	case inverted:
		return fmt.Sprintf("inverted (full %.1f worse)", -gap)
	case math.Abs(gap) < minGap:
		return fmt.Sprintf("- (bounds %.2f apart)", math.Abs(gap))
	}
	return pm(s, 3)
}

func verdict(f Frontier) string {
	if f.Margin.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%s %s", f.Verdict, signed(f.Margin, 2))
}

func worst(vs []float64, digits int) string {
	m := math.NaN()
	for _, v := range vs {
		if !math.IsNaN(v) && (math.IsNaN(m) || v > m) {
			m = v
		}
	}
	if math.IsNaN(m) {
		return "-"
	}
	return fmt.Sprintf("%.*f", digits, m)
}
