package report

import (
	"fmt"
	"slices"

	"github.com/ventd/ventd/export"
)

const ventilationTitle = "Booth ventilation, measured from clearings"

// ventilationRows sums up, per booth, the ventilation the control law
// measured during a shift: the air changes per hour its clearings showed
// (lowest, median, highest), what the fans' datasheet promised at the same
// duties, and the share of that the booth got. A low share is a clogged
// filter or a failing fan; one that moves a lot within a shift, a door
// propped open part of the time.
func (d *doc) ventilationRows(list []export.Ventilation) ([]string, []float64, [][]cell) {
	header := []string{"Booth", "Measured ACH (min / median / max)", "Nominal ACH (median)", "Share of rated air (median)", "Clearings measured"}
	widths := []float64{80, 150, 100, 120, textW - 450}
	var zones []string
	for _, v := range list {
		if !slices.Contains(zones, v.Zone) {
			zones = append(zones, v.Zone)
		}
	}
	slices.SortFunc(zones, zoneOrder)
	var rows [][]cell
	for _, z := range zones {
		var ach, nominal, share []float64
		for _, v := range list {
			if v.Zone == z {
				ach, nominal, share = append(ach, v.ACH), append(nominal, v.NominalACH), append(share, v.Share)
			}
		}
		slices.Sort(ach)
		rows = append(rows, []cell{txt(z),
			txt(fmt.Sprintf("%.1f / %.1f / %.1f", ach[0], median(ach), ach[len(ach)-1])),
			txt(fmt.Sprintf("%.1f", median(nominal))),
			txt(fmt.Sprintf("%.0f %%", 100*median(share))),
			txt(fmt.Sprint(len(ach)))})
	}
	return header, widths, rows
}

// median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
