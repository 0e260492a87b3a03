package report

import (
	"slices"
	"testing"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/sample"
)

// The verdict gives every reason, not the first: a shift over its TWA
// limit and its STEL and with too many excursions says all three, and one
// over a limit on part of the shift measured says the TWA is a lower
// bound (an auditor's sweep: a DST night said the TWA alone).
func TestVerdictGivesEveryReason(t *testing.T) {
	row := func(q sample.Quantity, v exposure.Violations, complete bool, coverage float64) export.Shift {
		var s export.Shift
		s.Quantity, s.Finished, s.Complete, s.Coverage, s.Violations = q, true, complete, coverage, v
		return s
	}
	z := zoneShift{zone: "staff", rows: []export.Shift{
		row(sample.PM25, exposure.Violations{TWA: true, STEL: true, STELExcursions: true}, false, 88.7),
		row(sample.CO2, exposure.Violations{}, true, 100),
	}}
	z.judge()
	want := []string{"PM2.5 TWA over its limit", "PM2.5 15 min STEL over its limit", "PM2.5 excursions too many or too close",
		"88.7 % measured: TWA is a lower bound"}
	if z.verdict != verdictOver || !slices.Equal(z.why, want) {
		t.Errorf("verdict %v, why %q; want over, %q", z.verdict, z.why, want)
	}
}
