package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// The before/after table takes ventd's median of three seeds (the middle
// one), counts only the goals that applied, and says the losses in its
// totals.
func TestWriteComparison(t *testing.T) {
	seeds := func(a, b, c float64) Stat { return stat([]float64{a, b, c}) }
	scenario := func(name string, stel, twa, kwh Stat, stelVerdict string, results ...string) ScenarioReport {
		s := ScenarioReport{Scenario: name, Group: "tuning", Figures: []Figures{
			{Controller: "onoff35", STEL: seeds(1, 1, 1), TWA: seeds(1, 1, 1), EnergyKWh: seeds(1, 1, 1)},
			{Controller: "ventd", STEL: stel, TWA: twa, EnergyKWh: kwh},
		}, FrontierSTEL: Frontier{Verdict: stelVerdict}, FrontierTWA: Frontier{Verdict: "below"}}
		for _, r := range results {
			s.Goals = append(s.Goals, Goal{Name: "g", Result: r})
		}
		return s
	}
	before := &Report{Scenarios: []ScenarioReport{
		scenario("quiet-day", seeds(10, 12, 30), seeds(2, 3, 4), seeds(0.1, 0.2, 0.3), "tie", "pass", "FAIL", "n/a"),
		scenario("gone", seeds(1, 1, 1), seeds(1, 1, 1), seeds(1, 1, 1), "below", "pass"),
	}}
	after := &Report{Scenarios: []ScenarioReport{
		scenario("quiet-day", seeds(11, 13, 14), seeds(1, 2, 9), seeds(0.2, 0.25, 0.4), "below", "pass", "pass", "n/a"),
		scenario("new", seeds(1, 1, 1), seeds(1, 1, 1), seeds(1, 1, 1), "below", "pass"),
	}}
	var out bytes.Buffer
	if err := writeComparison(&out, before, after); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"| tuning | quiet-day | 12.0 → 13.0 | 3.00 → 2.00 | 0.200 → 0.250 | tie / below → below / below | 1/2 → 2/2 |",
		"",
		"Of 1 scenarios in both: staff STEL higher on 1, staff TWA higher on 0, fan energy higher on 1; goals passed 1 → 2 of 2.",
	}
	if len(lines) != 5 || !slices.Equal(lines[2:], want) {
		t.Errorf("comparison:\n%s\nwant rows:\n%s", out.String(), strings.Join(want, "\n"))
	}
	if err := writeComparison(&out, &Report{Scenarios: before.Scenarios[1:]}, &Report{Scenarios: after.Scenarios[1:]}); err == nil {
		t.Error("records with no scenario in common compared without an error")
	}
}
