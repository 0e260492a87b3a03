package report

import (
	"image/color"
	"strings"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A4 portrait, in points, and the margins.
const (
	pageW   = 595.28
	pageH   = 841.89
	marginX = 40.0
	marginT = 40.0
	marginB = 46.0 // room for the footer
	textW   = pageW - 2*marginX
)

// page is the PDF being laid out: fpdf plus a cursor, breaking pages
// itself so that a table row, a plot or a heading is never split.
type page struct {
	pdf *fpdf.Fpdf
}

func (p *page) y() float64 { return p.pdf.GetY() }

// need starts a new page unless h points are left on this one.
func (p *page) need(h float64) {
	if p.y()+h > pageH-marginB {
		p.pdf.AddPage()
		p.pdf.SetXY(marginX, marginT)
	}
}

func (p *page) font(size float64, bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	p.pdf.SetFont(fontFamily, style, size)
}

func (p *page) color(c color.Color) {
	r, g, b, _ := c.RGBA()
	p.pdf.SetTextColor(int(r>>8), int(g>>8), int(b>>8))
}

var (
	black   = color.Black
	grey    = color.Gray{Y: 0x60}
	colOK   = color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	colWarn = color.RGBA{R: 0xb2, G: 0x6a, B: 0x00, A: 0xff}
	colBad  = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colRun  = color.RGBA{R: 0x1f, G: 0x5f, B: 0xa8, A: 0xff}
)

func (v verdict) color() color.Color {
	switch v {
	case verdictOver:
		return colBad
	case verdictIncomplete, verdictNoData:
		return colWarn
	case verdictRunning:
		return colRun
	}
	return colOK
}

// para writes text across the page, wrapped, with lh points a line.
func (p *page) para(size float64, bold bool, c color.Color, lh float64, text string) {
	p.font(size, bold)
	p.color(c)
	lines := p.pdf.SplitText(pdfText(text), textW)
	p.need(lh * float64(len(lines)))
	for _, l := range lines {
		p.pdf.SetX(marginX)
		p.pdf.CellFormat(textW, lh, l, "", 1, "L", false, 0, "")
	}
}

func (p *page) heading(size float64, text string) {
	p.need(size*1.6 + 40) // a heading is never left alone at the foot of a page
	p.pdf.Ln(size * 0.4)
	p.para(size, true, black, size*1.3, text)
}

func (p *page) gap(h float64) { p.pdf.Ln(h) }

// section returns what lays out a titled table, or says none when it has
// no rows: p.section("Calibrations", "None.")(d.calibrationRows(list)).
func (p *page) section(title, none string) func(header []string, widths []float64, rows [][]cell) {
	return func(header []string, widths []float64, rows [][]cell) {
		p.heading(11.5, title)
		if len(rows) == 0 {
			p.para(8.5, false, black, 11, none)
			return
		}
		p.table(widths, header, rows, 7)
	}
}

// cell is a table cell: its text and, optionally, its own colour.
type cell struct {
	text string
	col  color.Color // text colour; nil: black
	bold bool
	fill color.Color // background; nil: none
}

func txt(s string) cell { return cell{text: s} }

// table draws rows under a header row, each column its width (points),
// cells wrapped within it; a row that does not fit starts a new page
// with the header repeated.
func (p *page) table(widths []float64, header []string, rows [][]cell, size float64) {
	lh := size * 1.25
	pad := 2.5
	p.font(size, false)
	height := func(r []cell) (float64, [][]string) {
		n := 1
		lines := make([][]string, len(r))
		for i, cl := range r {
			p.font(size, cl.bold)
			lines[i] = p.pdf.SplitText(pdfText(cl.text), widths[i]-2*pad)
			if len(lines[i]) == 0 {
				lines[i] = []string{""}
			}
			n = max(n, len(lines[i]))
		}
		return float64(n)*lh + 2*pad, lines
	}
	hdr := make([]cell, len(header))
	for i, h := range header {
		hdr[i] = cell{text: h, bold: true, fill: color.Gray{Y: 0xe8}}
	}
	draw := func(r []cell) {
		h, lines := height(r)
		x, y := marginX, p.y()
		for i, cl := range r {
			if cl.fill != nil {
				rr, g, b, _ := cl.fill.RGBA()
				p.pdf.SetFillColor(int(rr>>8), int(g>>8), int(b>>8))
				p.pdf.Rect(x, y, widths[i], h, "F")
			}
			p.font(size, cl.bold)
			if cl.col != nil {
				p.color(cl.col)
			} else {
				p.color(black)
			}
			for k, l := range lines[i] {
				p.pdf.SetXY(x+pad, y+pad+float64(k)*lh)
				p.pdf.CellFormat(widths[i]-2*pad, lh, l, "", 0, "L", false, 0, "")
			}
			x += widths[i]
		}
		p.pdf.SetDrawColor(0xcc, 0xcc, 0xcc)
		p.pdf.SetLineWidth(0.3)
		p.pdf.Line(marginX, y+h, x, y+h)
		p.pdf.SetXY(marginX, y+h)
	}
	hh, _ := height(hdr)
	if strings.Join(header, "") == "" { // a table of label and value: no header row
		hh, hdr = 0, nil
	}
	first := true
	for _, r := range rows {
		h, _ := height(r)
		if first || p.y()+h > pageH-marginB {
			p.need(hh + h)
			if hdr != nil {
				draw(hdr)
			}
			first = false
		}
		draw(r)
	}
	if len(rows) == 0 && hdr != nil {
		p.need(hh)
		draw(hdr)
	}
	p.color(black)
}

// canvas gives a vg drawing area of height h points across the text
// width at the cursor, and moves the cursor below it.
func (p *page) canvas(h float64) (draw.Canvas, func()) {
	p.need(h)
	y := p.y() // fpdf's paths move its cursor: keep where the canvas is
	pc := newPDFCanvas(p.pdf, marginX, y, vg.Length(textW), vg.Length(h))
	dc := draw.New(pc)
	return dc, func() {
		p.pdf.SetAlpha(1, "Normal")
		p.pdf.SetDrawColor(0, 0, 0)
		p.pdf.SetFillColor(255, 255, 255)
		p.pdf.SetLineWidth(0.3)
		p.pdf.SetDashPattern(nil, 0)
		p.pdf.SetXY(marginX, y+h)
	}
}

// Text is the cell's text, for the HTML template.
func (c cell) Text() string { return c.text }

// pdfText is s as the PDF can hold it: the PDF library's map of a UTF-8
// font's glyphs stops at U+FFFF, and one character past it (an emoji in a
// site's name, which the config accepts) made it panic as it wrote the
// file, so every report of that site failed. Such characters print as
// U+FFFD; the HTML report keeps them.
func pdfText(s string) string {
	if !strings.ContainsFunc(s, beyondBMP) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if beyondBMP(r) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

func beyondBMP(r rune) bool { return r > 0xFFFF }
