package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/ventd/ventd/export"
)

//go:embed report.html.tmpl
var templates embed.FS

var htmlPage = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"style": cellStyle,
}).ParseFS(templates, "report.html.tmpl"))

// htmlTable is a table as the template lays it out.
type htmlTable struct {
	Header []string
	Rows   [][]cell
}

type htmlPlot struct {
	Title, Note string
	SVG         template.HTML
}

type htmlZone struct {
	Zone, Verdict, Mixture string
	Style                  template.CSS
	Figures                htmlTable
	Plots                  []htmlPlot
}

type htmlShift struct {
	Title, Verdict, Config, Clock string
	Integrity                     []string
	Style                         template.CSS
	Zones                         []htmlZone
	Outdoor                       []outdoorGroup
	Timeline                      template.HTML
	Alarms, Calibrations, Clocks  *htmlTable
	Actions                       *htmlTable
	Ventilation                   *htmlTable
	Gaps                          *htmlTable
}

// writeHTML lays the report out as one HTML page with the plots as inline
// SVG, the same content as the PDF. It streams: one shift's plots are in
// memory at a time, and an error part-way leaves the page unfinished.
func writeHTML(w io.Writer, d *doc, r *export.Records) error {
	status, ok, lines := d.integrity()
	header, _, rows := d.summaryTable()
	top := map[string]any{
		"Title": "Exposure record", "Site": d.h.Site, "Room": d.h.Room, "Cover": d.coverLine(),
		"Status": status, "OK": ok, "Lines": lines, "Legend": legend, "Summary": htmlTable{header, rows}, "Footer": d.footer(),
	}
	if err := htmlPage.ExecuteTemplate(w, "head", top); err != nil {
		return err
	}
	for _, sh := range d.shifts {
		hs, err := d.htmlShift(r, sh)
		if err != nil {
			return err
		}
		if err := htmlPage.ExecuteTemplate(w, "shift", hs); err != nil {
			return err
		}
	}
	return htmlPage.ExecuteTemplate(w, "record", d.htmlRecord(top))
}

func (d *doc) htmlShift(r *export.Records, sh *shift) (htmlShift, error) {
	hs := htmlShift{Title: "Shift " + d.shiftTitle(sh), Verdict: sh.verdict.String(), Style: colorCSS(sh.verdict.color(), true),
		Integrity: d.shiftIntegrity(sh)}
	if sh.config != "" {
		hs.Config = "Configuration in force: hash " + sh.config
	}
	for _, z := range sh.zones {
		header, rows := d.figuresTable(z)
		hz := htmlZone{Zone: "Zone " + z.zone, Verdict: z.verdictText(), Style: colorCSS(z.verdict.color(), true),
			Mixture: z.mixtureLine(), Figures: htmlTable{header, rows}}
		for _, row := range z.rows {
			if err := d.o.interrupted(); err != nil {
				return hs, err
			}
			s, err := readSeries(r, row)
			if err != nil {
				return hs, err
			}
			var res plotted
			svg, err := svgOf(plotH, func(c draw.Canvas) { res = drawSeries(c, s, sh.alarms, d.o.Location) })
			if err != nil {
				return hs, err
			}
			hp := htmlPlot{Title: fmt.Sprintf("%s in zone %s, %s", quantityName(row.Quantity), row.Zone, row.Unit), SVG: svg}
			var names []string
			for _, l := range res.offScale {
				names = append(names, fmt.Sprintf("%s %s %s", l.name, trimNum(l.value), row.Unit))
			}
			if len(names) > 0 {
				hp.Note = "Far above the data, not drawn: " + strings.Join(names, "; ") + "."
			}
			if s.points == 0 {
				hp.Note = "No minute of this shift holds a measurement."
			}
			hz.Plots = append(hz.Plots, hp)
		}
		hs.Zones = append(hs.Zones, hz)
	}
	hs.Outdoor = d.outdoorGroups(sh)
	if len(sh.alarms) > 0 {
		svg, err := svgOf(float64(timelineHeight(len(sh.alarms))), func(c draw.Canvas) { drawTimeline(c, sh, d.o.Location) })
		if err != nil {
			return hs, err
		}
		hs.Timeline = svg
		hs.Alarms = tableOf(d.alarmRows(sh))
	}
	if len(sh.actions) > 0 {
		hs.Actions = tableOf(d.actionRows(sh.actions))
	}
	if len(sh.vent) > 0 {
		hs.Ventilation = tableOf(d.ventilationRows(sh.vent))
	}
	if len(sh.cals) > 0 {
		hs.Calibrations = tableOf(d.calibrationRows(sh.cals))
	}
	if len(sh.clock) > 0 {
		hs.Clocks = tableOf(d.clockRows(sh.clock))
	} else {
		hs.Clock = d.clockBefore(sh)
	}
	if len(sh.gaps) > 0 {
		hs.Gaps = tableOf(d.gapRows(sh.gaps))
	}
	return hs, nil
}

func (d *doc) htmlRecord(top map[string]any) map[string]any {
	rows := [][]cell{{txt("Site"), txt(d.h.Site)}, {txt("Room"), txt(d.h.Room)}, {txt("Time zone"), txt(d.h.TimeZone)},
		{txt("Report made by"), txt(d.o.Software)}, {txt("Journal schema"), txt(fmt.Sprint(d.h.Schema))}}
	for _, s := range d.h.Sensors {
		rows = append(rows, []cell{txt("Sensor " + s.Name), txt("serial " + s.Serial)})
	}
	rec := map[string]any{"Facts": htmlTable{nil, rows}, "Notes": d.h.Notes, "Methods": d.methods(), "Footer": top["Footer"]}
	if len(d.configs) > 0 {
		rec["Configs"] = tableOf(d.configRows())
	}
	if len(d.cals) > 0 {
		rec["Calibrations"] = tableOf(d.calibrationRows(d.cals))
	}
	if len(d.clock) > 0 {
		rec["Clock"] = tableOf(d.clockRows(d.clock))
	}
	if len(d.offShift) > 0 {
		rec["Actions"] = tableOf(d.actionRows(d.offShift))
	}
	if v := d.verify; v != nil && v.Rewrites > 0 {
		var rw [][]cell
		for _, x := range v.Rewritten {
			rw = append(rw, []cell{txt(x.Table), txt(x.Key), txt(d.local(x.Time).Format(timeLayout)), txt(fmt.Sprintf("link %d → %d", x.From, x.To))})
		}
		rec["Rewritten"] = &htmlTable{[]string{"Table", "Row", "Time", "Sealed, then resealed"}, rw}
	}
	return rec
}

func tableOf(header []string, _ []float64, rows [][]cell) *htmlTable { return &htmlTable{header, rows} }

// svgOf draws into an SVG canvas the width of the PDF's text and returns
// the <svg> element.
func svgOf(h float64, drawFn func(draw.Canvas)) (template.HTML, error) {
	c := vgsvg.New(vg.Length(textW), vg.Length(h))
	drawFn(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:] // no XML prolog inside HTML
	}
	// vgsvg escapes every text it writes; the rest is our own drawing.
	return template.HTML(s), nil //nolint:gosec
}

func cellStyle(c cell) template.CSS {
	var b strings.Builder
	if c.col != nil {
		b.WriteString(string(colorCSS(c.col, c.bold)))
	} else if c.bold {
		b.WriteString("font-weight:bold;")
	}
	if c.fill != nil {
		b.WriteString("background:" + hexColor(c.fill) + ";")
	}
	return template.CSS(b.String())
}

func colorCSS(c color.Color, bold bool) template.CSS {
	s := "color:" + hexColor(c) + ";"
	if bold {
		s += "font-weight:bold;"
	}
	return template.CSS(s)
}

func hexColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}
