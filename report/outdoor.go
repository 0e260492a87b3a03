package report

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/sample"
)

// outdoorAir is one pollutant of the outdoor air (a zone of kind outdoor:
// the air the room takes in) over a shift, from the export's minutes. It is
// context for the zones' figures (the staff's PM2.5 was high on a day the
// outdoor air was smoke), nobody's exposure record, and in no verdict.
type outdoorAir struct {
	zone    string
	q       sample.Quantity
	unit    string
	sum     float64 // Σ mean × covered_s over the shift's minutes
	covered float64 // Σ covered_s
	max     string  // the highest minute maximum, as the export prints it
	maxV    float64
	maxAt   time.Time // that minute's start
}

// readOutdoor reads the outdoor air of each of r's outdoor zones over sh.
// A zone with shift rows of its own in sh (a journal from before the
// outdoor kind, when an outdoor sensor could only be a staff zone) is shown
// with its figures, as any zone with a record; not here too.
func readOutdoor(r *export.Records, sh *shift) ([]*outdoorAir, error) {
	var out []*outdoorAir
	for _, zone := range r.Outdoor {
		if slices.ContainsFunc(sh.zones, func(z *zoneShift) bool { return z.zone == zone }) {
			continue
		}
		err := r.EachMinute(sh.start, sh.end, zone, "", func(m export.Minute) error {
			i := slices.IndexFunc(out, func(o *outdoorAir) bool { return o.zone == m.Zone && string(o.q) == m.Quantity })
			if i < 0 {
				out = append(out, &outdoorAir{zone: m.Zone, q: sample.Quantity(m.Quantity), unit: m.Unit})
				i = len(out) - 1
			}
			o := out[i]
			if m.CoveredSeconds <= 0 {
				return nil // nothing measured: a gap
			}
			o.sum += m.Mean * m.CoveredSeconds
			o.covered += m.CoveredSeconds
			if o.max == "" || m.Max > o.maxV {
				o.max, o.maxV, o.maxAt = m.Fields()["max"], m.Max, m.Start
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b *outdoorAir) int {
		if c := zoneOrder(a.zone, b.zone); c != 0 {
			return c
		}
		return quantityOrder(a.q, b.q)
	})
	return out, nil
}

// outdoorIntro says what the outdoor lines are, under their heading.
const outdoorIntro = "The air the room takes in, from the minutes of the export: context for the figures above " +
	"(smoke outdoors raises the staff area's PM2.5 too). It is nobody's exposure record and is in no verdict."

// outdoorHeading names the outdoor air of zone.
func outdoorHeading(zone string) string { return "Outdoor air (zone " + zone + ")" }

// line is what the report says of o: the mean over the measured time
// (Σ mean × covered_s / Σ covered_s over the shift's minutes in the
// export, as mean_covered is for a zone's record) and the highest minute
// maximum, in the export's three decimals.
func (d *doc) outdoorLine(o *outdoorAir) string {
	name := quantityName(o.q)
	if o.covered <= 0 {
		return fmt.Sprintf("Outdoor air %s (not an exposure record): no minute of this shift holds a measurement.", name)
	}
	mean := strconv.FormatFloat(o.sum/o.covered, 'f', 3, 64)
	return fmt.Sprintf("Outdoor air %s (not an exposure record): mean %s, max %s %s at %s; measured %s of the shift.",
		name, mean, o.max, o.unit, d.local(o.maxAt).Format("15:04"), human(strconv.FormatFloat(o.covered, 'f', 3, 64)))
}

// outdoorGroup is one outdoor zone's lines, as a shift's page shows them.
type outdoorGroup struct {
	Heading, Intro string
	Lines          []string
}

// outdoorGroups lays out sh's outdoor air, a group per zone.
func (d *doc) outdoorGroups(sh *shift) []outdoorGroup {
	var out []outdoorGroup
	for i, o := range sh.outdoor {
		if i == 0 || sh.outdoor[i-1].zone != o.zone {
			out = append(out, outdoorGroup{Heading: outdoorHeading(o.zone), Intro: outdoorIntro})
		}
		g := &out[len(out)-1]
		g.Lines = append(g.Lines, d.outdoorLine(o))
	}
	return out
}
