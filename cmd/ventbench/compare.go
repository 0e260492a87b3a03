package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// readReport reads a ventbench -json record.
func readReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: not a ventbench -json record: %w", path, err)
	}
	if len(rep.Scenarios) == 0 {
		// {} parses: taken as a record it would empty a README's table.
		return nil, fmt.Errorf("%s: a ventbench -json record with no scenario in it; give the output of ventbench -json", path)
	}
	return &rep, nil
}

// compareFiles writes the before/after table of two ventbench -json
// records.
func compareFiles(w io.Writer, before, after string) error {
	b, err := readReport(before)
	if err != nil {
		return err
	}
	a, err := readReport(after)
	if err != nil {
		return err
	}
	return writeComparison(w, b, a)
}

// writeComparison writes the before/after table README "Tuning" shows
// when the law changes: for each scenario in both records, ventd's staff
// STEL and TWA and fan energy (the median over the seeds), the frontier
// verdicts and the goals passed; then a line of totals, losses first.
func writeComparison(w io.Writer, before, after *Report) error {
	was := map[[2]string]*ScenarioReport{}
	for i := range before.Scenarios {
		s := &before.Scenarios[i]
		was[[2]string{s.Group, s.Scenario}] = s
	}
	fmt.Fprintln(w, "| set | scenario | staff STEL µg/m³ before → after | staff TWA µg/m³ before → after | fan energy kWh before → after | frontier STEL / TWA before → after | goals passed before → after |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	var n, stelWorse, twaWorse, moreEnergy, passedBefore, passedAfter, goals int
	for i := range after.Scenarios {
		a := &after.Scenarios[i]
		b := was[[2]string{a.Group, a.Scenario}]
		fa, fb := ventdFigures(a), ventdFigures(b)
		if b == nil || fa == nil || fb == nil {
			continue
		}
		pb, nb := goalsPassed(b)
		pa, na := goalsPassed(a)
		fmt.Fprintf(w, "| %s | %s | %.1f → %.1f | %.2f → %.2f | %.3f → %.3f | %s / %s → %s / %s | %d/%d → %d/%d |\n",
			a.Group, a.Scenario, median(fb.STEL), median(fa.STEL), median(fb.TWA), median(fa.TWA),
			median(fb.EnergyKWh), median(fa.EnergyKWh), b.FrontierSTEL.Verdict, b.FrontierTWA.Verdict,
			a.FrontierSTEL.Verdict, a.FrontierTWA.Verdict, pb, nb, pa, na)
		n++
		stelWorse += btoi(median(fa.STEL) > median(fb.STEL))
		twaWorse += btoi(median(fa.TWA) > median(fb.TWA))
		moreEnergy += btoi(median(fa.EnergyKWh) > median(fb.EnergyKWh))
		passedBefore, passedAfter, goals = passedBefore+pb, passedAfter+pa, goals+na
	}
	if n == 0 {
		return fmt.Errorf("the two records have no scenario in common")
	}
	_, err := fmt.Fprintf(w, "\nOf %d scenarios in both: staff STEL higher on %d, staff TWA higher on %d, fan energy higher on %d; goals passed %d → %d of %d.\n",
		n, stelWorse, twaWorse, moreEnergy, passedBefore, passedAfter, goals)
	return err
}

func ventdFigures(s *ScenarioReport) *Figures {
	if s == nil {
		return nil
	}
	for i := range s.Figures {
		if s.Figures[i].Controller == "ventd" {
			return &s.Figures[i]
		}
	}
	return nil
}

// goalsPassed counts the goals that passed of those that applied (a goal
// a scenario cannot test, like weak pipes on a day without them, is not
// counted).
func goalsPassed(s *ScenarioReport) (passed, applied int) {
	for _, g := range s.Goals {
		switch g.Result {
		case "pass":
			passed++
			applied++
		case "FAIL":
			applied++
		}
	}
	return passed, applied
}

// median is the seeds' median: with three seeds the one left when the
// lowest and highest are taken away; otherwise the mean, which is all a
// record keeps.
func median(s Stat) float64 {
	if s.N == 3 {
		return 3*s.Mean - s.Min - s.Max
	}
	return s.Mean
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
