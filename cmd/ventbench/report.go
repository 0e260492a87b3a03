package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ventd/ventd/control/exposure"
)

func writeJSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}

// writeTable prints one row per run, then the acceptance ratios of ventd
// against the baselines, then the timing.
func writeTable(w io.Writer, rs []Result, wall time.Duration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tcontroller\tSTEL peak\tTWA\tbooth peak\tmin>alarm\tkWh\tchanges/h\tentry mean s\tentry max s\tsafe after fault s\ttrue STEL\ttrue TWA\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\t%.1f\t%.4f\t%.1f\t%s\t%s\t%s\t%s\t%.2f\t\n",
			r.Scenario, r.Controller, num(r.StaffSTELPeak, 2), r.StaffTWA, num(r.BoothPeak, 0), r.StaffOverAlarm,
			r.EnergyKWh, r.DutyChangesPerH, num(r.Entry.Mean, 0), num(r.Entry.Max, 0), num(r.SafeAfterFault, 0),
			num(r.TrueStaffSTELPeak, 2), r.TrueStaffTWA)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nStaff PM2.5 (µg/m³) from the staff sensor through the exposure tracker; true_* from the room model.")
	if rows := ratios(rs); len(rows) > 0 {
		fmt.Fprintln(w, "\nventd between the bounds: exposure (ventd−full)/(min−full), energy (ventd−min)/(full−min); vs onoff:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "scenario\tSTEL ratio\tTWA ratio\tenergy ratio\tSTEL vs onoff\tchanges/h vs onoff\t")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.scenario, r.stel, r.twa, r.energy, r.stelOnOff, r.changesOnOff)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var sim float64
	for _, r := range rs {
		sim += r.SimHours
	}
	_, err := fmt.Fprintf(w, "\n%d runs, %.0f simulated hours in %.1f s: %.1f simulated hours per wall second\n",
		len(rs), sim, wall.Seconds(), sim/wall.Seconds())
	return err
}

func num(c exposure.Conc, digits int) string {
	if !c.Known() {
		return "-"
	}
	return fmt.Sprintf("%.*f", digits, float64(c))
}

type ratioRow struct{ scenario, stel, twa, energy, stelOnOff, changesOnOff string }

// ratios normalises ventd between the physical bounds for each scenario
// run with ventd, full and min (and compares it with onoff when run).
// An exposure ratio is shown as "-" where min and full differ by 1 µg/m³
// or less: there is nothing between the bounds to place ventd in.
func ratios(rs []Result) []ratioRow {
	by := map[string]map[string]Result{}
	var order []string
	for _, r := range rs {
		if by[r.Scenario] == nil {
			by[r.Scenario] = map[string]Result{}
			order = append(order, r.Scenario)
		}
		by[r.Scenario][r.Controller] = r
	}
	var rows []ratioRow
	for _, sc := range order {
		m := by[sc]
		v, okV := m["ventd"]
		fu, okF := m["full"]
		mi, okM := m["min"]
		if !okV || !okF || !okM {
			continue
		}
		row := ratioRow{scenario: sc,
			stel:   expRatio(float64(v.StaffSTELPeak), float64(fu.StaffSTELPeak), float64(mi.StaffSTELPeak)),
			twa:    expRatio(v.StaffTWA, fu.StaffTWA, mi.StaffTWA),
			energy: fmt.Sprintf("%.3f", (v.EnergyKWh-mi.EnergyKWh)/(fu.EnergyKWh-mi.EnergyKWh)),
		}
		if o, ok := m["onoff"]; ok {
			row.stelOnOff = fmt.Sprintf("%.2f vs %.2f %s", float64(v.StaffSTELPeak), float64(o.StaffSTELPeak),
				mark(float64(v.StaffSTELPeak), float64(o.StaffSTELPeak), float64(mi.StaffSTELPeak), 0.005))
			row.changesOnOff = fmt.Sprintf("%.2f vs %.2f %s", v.DutyChangesPerH, o.DutyChangesPerH, mark(v.DutyChangesPerH, o.DutyChangesPerH, 0, 0))
		}
		rows = append(rows, row)
	}
	return rows
}

func expRatio(v, full, min float64) string {
	if math.IsNaN(v+full+min) || math.Abs(min-full) <= 1 {
		return fmt.Sprintf("- (bounds %.2f apart)", math.Abs(min-full))
	}
	return fmt.Sprintf("%.3f", (v-full)/(min-full))
}

// mark compares ventd's v with onoff's o (lower is better); a tie at the
// physical lower bound (min duty's exposure) is said as such: where no
// controller can do better there is nothing to beat.
func mark(v, o, bound, tol float64) string {
	switch {
	case v < o-tol:
		return "better"
	case math.Abs(v-o) <= tol && math.Abs(v-bound) <= tol:
		return "tie at the bound"
	}
	return strings.ToUpper("not better")
}
