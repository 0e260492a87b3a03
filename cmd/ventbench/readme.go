package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// The README's figures live between these markers and are written only by
// ventbench -readme, from a ventbench -json record, so they cannot drift
// from what ventbench measured.
const (
	readmeBegin = "<!-- ventbench:begin (generated: go run ./cmd/ventbench -readme README.md -from cmd/ventbench/testdata/bench.json) -->"
	readmeEnd   = "<!-- ventbench:end -->"
)

// rewriteREADMEFrom rewrites the README's figures from a JSON record.
func rewriteREADMEFrom(readme, from string) error {
	rep, err := readReport(from)
	if err != nil {
		return err
	}
	return rewriteREADME(readme, rep)
}

// rewriteREADME replaces the block between the markers with rep's figures.
func rewriteREADME(readme string, rep *Report) error {
	data, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	out, err := spliceREADME(data, rep)
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	return os.WriteFile(readme, out, 0o644)
}

func spliceREADME(data []byte, rep *Report) ([]byte, error) {
	i := bytes.Index(data, []byte(readmeBegin))
	j := bytes.Index(data, []byte(readmeEnd))
	if i < 0 || j < i {
		return nil, fmt.Errorf("no %q … %q block to rewrite; add the two lines where the figures go", readmeBegin, readmeEnd)
	}
	var b bytes.Buffer
	b.Write(data[:i+len(readmeBegin)])
	b.WriteString("\n")
	b.WriteString(readmeTable(rep))
	b.Write(data[j:])
	return b.Bytes(), nil
}

// readmeTable renders ventd's place on each scenario as Markdown.
func readmeTable(rep *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d seeds (%s) per scenario and controller, %d runs", len(rep.Seeds), joinSeeds(rep.Seeds), rep.RunCount)
	if rep.CachedRuns > 0 {
		fmt.Fprintf(&b, " (%d baseline runs reused from an earlier run of the same scenario, room, config and seed)", rep.CachedRuns)
	}
	fmt.Fprintf(&b, "; the runs done now took %.0f s for %.0f simulated hours on a shared 2-core machine.\n", rep.WallSeconds, rep.SimHours)
	for _, g := range []string{groupTuning, groupHeldOut} {
		rows := rep.group(g)
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n\n", map[string]string{groupTuning: "**Tuning scenarios** (the defaults were chosen on these):",
			groupHeldOut: "**Held-out scenarios** (never tuned on; all but clogged-filter written before any tuning):"}[g])
		b.WriteString("| scenario | day | STEL ratio | TWA ratio | energy ratio | cheapest baseline meeting both exposure goals (energy ratio) | vs frontier STEL / TWA (µg/m³) | vs onoff35 STEL / TWA / kWh | goals missed |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, sr := range rows {
			day := fmt.Sprintf("quiet %.0f%%", 100*sr.SessionShare)
			if sr.Busy {
				day = fmt.Sprintf("busy %.0f%%", 100*sr.SessionShare)
			}
			vs := "-"
			if v := sr.VsOnOff; v != nil {
				vs = fmt.Sprintf("%s / %s / %s", signed(v.STEL, 2), signed(v.TWA, 2), signed(v.EnergyKWh, 3))
			}
			var missed []string
			for _, g := range sr.Goals {
				if g.Result == "FAIL" {
					missed = append(missed, g.Name)
				}
			}
			reach := "-"
			if rc := sr.Reachable; rc != nil {
				reach = fmt.Sprintf("%s (%.3f)", rc.Controller, rc.Energy)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s |\n", sr.Scenario, day,
				expRatio(sr.Ratios.STEL, sr.Bounds.InvertedSTEL, sr.Bounds.GapSTEL),
				expRatio(sr.Ratios.TWA, sr.Bounds.InvertedTWA, sr.Bounds.GapTWA),
				pm(sr.Ratios.Energy, 3), reach, verdict(sr.FrontierSTEL), verdict(sr.FrontierTWA), vs,
				orNone(strings.Join(missed, ", ")))
		}
	}
	b.WriteString("\n")
	return b.String()
}

func joinSeeds(s []uint64) string {
	var out []string
	for _, v := range s {
		out = append(out, fmt.Sprint(v))
	}
	return strings.Join(out, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
