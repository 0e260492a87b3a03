package report

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/ventd/ventd/export"
)

const plotH = 150.0 // points: one pollutant's plot with its legend

// writePDF lays the report out as a PDF and writes it to w.
func writePDF(w io.Writer, d *doc, r *export.Records) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", Size: fpdf.SizeType{Wd: pageW, Ht: pageH}})
	addFonts(pdf)
	pdf.SetMargins(marginX, marginT, marginX)
	pdf.SetAutoPageBreak(false, marginB)
	pdf.SetCreationDate(d.o.Now)
	pdf.SetModificationDate(d.o.Now)
	pdf.SetTitle(pdfText("Exposure record, "+d.h.Site+", "+d.h.Room), true)
	pdf.SetCreator(pdfText(d.o.Software), true)
	pdf.SetProducer(pdfText(d.o.Software), true)
	pdf.AliasNbPages("{nb}")
	foot := d.footer()
	pdf.SetFooterFunc(func() {
		pdf.SetFont(fontFamily, "", 6.5)
		pdf.SetTextColor(0x60, 0x60, 0x60)
		pdf.SetXY(marginX, pageH-marginB+14)
		pdf.CellFormat(textW, 9, pdfText(fmt.Sprintf("%s · page %d of {nb}", foot, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	p := &page{pdf: pdf}
	pdf.AddPage()
	pdf.SetXY(marginX, marginT)
	d.pdfSummary(p)
	for _, sh := range d.shifts {
		if err := d.pdfShift(p, r, sh); err != nil {
			return err
		}
	}
	d.pdfRecord(p)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return pdf.Output(w)
}

// footer is the line at the foot of every page.
func (d *doc) footer() string {
	s := fmt.Sprintf("ventd exposure record · %s · %s · made %s by %s", d.h.Site, d.h.Room,
		d.local(d.o.Now).Format("2006-01-02 15:04 MST"), d.o.Software)
	if d.verify != nil {
		s += fmt.Sprintf(" · chain head link %d %s", d.verify.Head.Link, d.verify.Head.Hash[:16])
	}
	return s
}

// pdfSummary is the first page: what the report covers, whether the record
// is intact, and every shift's verdict.
func (d *doc) pdfSummary(p *page) {
	p.para(20, true, black, 26, "Exposure record")
	p.para(13, false, black, 17, d.h.Site+" · "+d.h.Room)
	p.gap(4)
	p.para(8.5, false, grey, 11, d.coverLine())
	p.gap(8)

	status, ok, lines := d.integrity()
	col := colOK
	if !ok {
		col = colBad
	}
	p.para(10, true, col, 13, "Record integrity: "+status)
	for _, l := range lines {
		p.para(8, false, black, 10, l)
	}
	p.gap(8)

	p.para(10, true, black, 13, "Shifts at a glance")
	p.para(7.5, false, grey, 9.5, legend)
	p.gap(3)
	header, widths, rows := d.summaryTable()
	if len(rows) == 0 {
		p.para(9, false, black, 12, "The journal holds no shift in this window.")
		return
	}
	p.table(widths, header, rows, 7.5)
}

// coverLine says what the report covers.
func (d *doc) coverLine() string {
	span := "the whole journal"
	if !d.from.IsZero() || !d.to.IsZero() {
		var a, b string
		if !d.from.IsZero() {
			a = d.local(d.from).Format(timeLayout)
		}
		if !d.to.IsZero() {
			b = d.local(d.to).Format(timeLayout)
		}
		span = strings.TrimSpace(a + " to " + b)
	}
	s := fmt.Sprintf("%d shifts, %s (end excluded). Times in %s. Generated %s by %s from the journal (schema %d).",
		len(d.shifts), span, d.h.TimeZone, d.local(d.o.Now).Format(timeLayout), d.o.Software, d.h.Schema)
	if d.o.Shift != "" {
		s += " Only the shifts starting at " + d.o.Shift + "."
	}
	return s
}

// pdfShift lays out one shift: each zone's figures and plots, then the
// alarms, calibrations, clock and gaps during it.
func (d *doc) pdfShift(p *page, r *export.Records, sh *shift) error {
	p.pdf.AddPage()
	p.pdf.SetXY(marginX, marginT)
	p.para(14, true, black, 18, "Shift "+d.shiftTitle(sh))
	p.para(10, true, sh.verdict.color(), 13, sh.verdict.String())
	for _, l := range d.shiftIntegrity(sh) {
		p.para(8.5, true, colBad, 11, l)
	}
	if sh.config != "" {
		p.para(7.5, false, grey, 9.5, "Configuration in force: hash "+sh.config)
	}
	for _, z := range sh.zones {
		p.heading(11.5, "Zone "+z.zone)
		p.para(8.5, true, z.verdict.color(), 11, z.verdictText())
		header, rows := d.figuresTable(z)
		widths := []float64{150}
		for range z.rows {
			widths = append(widths, (textW-150)/float64(len(z.rows)))
		}
		p.table(widths, header, rows, 7.5)
		p.gap(2)
		p.para(7.5, false, grey, 9.5, z.mixtureLine())
		for _, row := range z.rows {
			if err := d.o.interrupted(); err != nil {
				return err
			}
			s, err := readSeries(r, row)
			if err != nil {
				return err
			}
			p.need(plotH + 14)
			p.gap(4)
			p.para(8.5, true, black, 11, fmt.Sprintf("%s in zone %s, %s", quantityName(row.Quantity), row.Zone, row.Unit))
			dc, done := p.canvas(plotH)
			res := drawSeries(dc, s, sh.alarms, d.o.Location)
			done()
			if len(res.offScale) > 0 {
				var names []string
				for _, l := range res.offScale {
					names = append(names, fmt.Sprintf("%s %s %s", l.name, trimNum(l.value), row.Unit))
				}
				p.para(7, false, grey, 9, "Far above the data, not drawn: "+strings.Join(names, "; ")+".")
			}
			if s.points == 0 {
				p.para(7.5, true, colBad, 9.5, "No minute of this shift holds a measurement.")
			}
		}
	}
	for _, g := range d.outdoorGroups(sh) {
		p.heading(11.5, g.Heading)
		p.para(7.5, false, grey, 9.5, g.Intro)
		for _, l := range g.Lines {
			p.para(8.5, false, black, 11, l)
		}
	}
	p.heading(11.5, "Alarms")
	if len(sh.alarms) == 0 {
		p.para(8.5, false, black, 11, "No alarm was active during this shift.")
	} else {
		h := float64(timelineHeight(len(sh.alarms)))
		dc, done := p.canvas(h)
		drawTimeline(dc, sh, d.o.Location)
		done()
		p.gap(3)
		header, widths, rows := d.alarmRows(sh)
		p.table(widths, header, rows, 7)
	}
	p.section("Actions: who did what", "Nobody purged, acknowledged, calibrated or reloaded the configuration during this shift.")(d.actionRows(sh.actions))
	if len(sh.vent) > 0 {
		p.section(ventilationTitle, "")(d.ventilationRows(sh.vent))
	}
	if len(sh.cals) > 0 {
		p.section("Calibrations", "")(d.calibrationRows(sh.cals))
	}
	p.section("Clock", d.clockBefore(sh))(d.clockRows(sh.clock))
	if len(sh.gaps) > 0 {
		p.section("Gaps recorded", "")(d.gapRows(sh.gaps))
	}
	return nil
}

// clockBefore says the clock's last known state at a shift with no clock
// record of its own.
func (d *doc) clockBefore(sh *shift) string {
	var last *export.ClockStatus
	for i := range d.clock {
		if d.clock[i].Time.Before(sh.start) {
			last = &d.clock[i]
		}
	}
	if last == nil {
		return "No clock status was recorded during or before this shift in the report's span."
	}
	state := "synchronised"
	if !last.Synchronized {
		state = "NOT synchronised"
	}
	return fmt.Sprintf("No change during the shift: the clock was %s (%s) since %s.", state, last.Source, d.local(last.Time).Format(timeLayout))
}

// pdfRecord is the last part: the site, sensors, configuration, the whole
// span's calibrations and clock record, rewrites, notes and methods.
func (d *doc) pdfRecord(p *page) {
	p.pdf.AddPage()
	p.pdf.SetXY(marginX, marginT)
	p.para(14, true, black, 18, "The record")
	rows := [][]cell{{txt("Site"), txt(d.h.Site)}, {txt("Room"), txt(d.h.Room)}, {txt("Time zone"), txt(d.h.TimeZone)},
		{txt("Report made by"), txt(d.o.Software)}, {txt("Journal schema"), txt(fmt.Sprint(d.h.Schema))}}
	for _, s := range d.h.Sensors {
		rows = append(rows, []cell{txt("Sensor " + s.Name), txt("serial " + s.Serial)})
	}
	if len(d.h.Sensors) == 0 {
		rows = append(rows, []cell{txt("Sensors"), {text: "no serial numbers recorded in the journal", col: colWarn}})
	}
	p.table([]float64{120, textW - 120}, []string{"", ""}, rows, 8)
	p.section("Configuration changes", "None in the report's span.")(d.configRows())
	p.section("Calibrations", "None in the report's span.")(d.calibrationRows(d.cals))
	if len(d.offShift) > 0 {
		p.section("Actions outside the shifts shown", "")(d.actionRows(d.offShift))
	}
	p.section("Clock synchronisation", "No clock status recorded in the report's span.")(d.clockRows(d.clock))
	if v := d.verify; v != nil && v.Rewrites > 0 {
		p.heading(11.5, "Rows ventd rewrote after sealing them")
		var rows [][]cell
		for _, rw := range v.Rewritten {
			rows = append(rows, []cell{txt(rw.Table), txt(rw.Key), txt(d.local(rw.Time).Format(timeLayout)), txt(fmt.Sprintf("link %d → %d", rw.From, rw.To))})
		}
		p.table([]float64{70, 150, 120, textW - 340}, []string{"Table", "Row", "Time", "Sealed, then resealed"}, rows, 7)
		if v.Rewrites > len(v.Rewritten) {
			p.para(7.5, false, grey, 9.5, fmt.Sprintf("and %d more (%s): up to 20 of each table are listed.", v.Rewrites-len(v.Rewritten), v.RewriteCounts()))
		}
	}
	if len(d.h.Notes) > 0 {
		p.heading(11.5, "Notes from the export")
		for _, n := range d.h.Notes {
			p.para(7.5, false, black, 9.5, "• "+n)
		}
	}
	p.heading(11.5, "How the figures are made")
	for _, m := range d.methods() {
		p.para(7.5, false, black, 9.5, m)
		p.gap(2)
	}
	p.color(color.Black)
}
