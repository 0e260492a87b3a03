package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"codeberg.org/go-pdf/fpdf"
	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// pdfCanvas is a vg.Canvas drawing into a rectangle of the current page of
// an fpdf document, so that gonum/plot's plots are vector graphics in the
// report itself, set in the report's own embedded fonts (gonum's vgpdf
// makes a document of its own, with cp1252 text only).
type pdfCanvas struct {
	pdf    *fpdf.Fpdf
	w, h   vg.Length
	stack  []pdfState
	images int
}

type pdfState struct {
	m      affine
	col    color.Color
	width  vg.Length
	dashes []vg.Length
	offs   vg.Length
}

// affine maps (x, y) to (a·x + c·y + e, b·x + d·y + f).
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.c*y + m.e, m.b*x + m.d*y + m.f
}

// then returns m applied after n: (m ∘ n)(p) = m(n(p)).
func (m affine) then(n affine) affine {
	return affine{
		a: m.a*n.a + m.c*n.b, b: m.b*n.a + m.d*n.b,
		c: m.a*n.c + m.c*n.d, d: m.b*n.c + m.d*n.d,
		e: m.a*n.e + m.c*n.f + m.e, f: m.b*n.e + m.d*n.f + m.f,
	}
}

// newPDFCanvas draws into the w × h rectangle whose top left corner is at
// (x, y) on the page, in points, with vg's y axis pointing up.
func newPDFCanvas(pdf *fpdf.Fpdf, x, y float64, w, h vg.Length) *pdfCanvas {
	c := &pdfCanvas{pdf: pdf, w: w, h: h}
	c.stack = []pdfState{{m: affine{a: 1, d: -1, e: x, f: y + h.Points()}, col: color.Black, width: 1}}
	return c
}

func (c *pdfCanvas) top() *pdfState { return &c.stack[len(c.stack)-1] }

func (c *pdfCanvas) Size() (vg.Length, vg.Length) { return c.w, c.h }

func (c *pdfCanvas) SetLineWidth(w vg.Length) { c.top().width = w }

func (c *pdfCanvas) SetLineDash(d []vg.Length, offs vg.Length) {
	c.top().dashes, c.top().offs = append([]vg.Length(nil), d...), offs
}

func (c *pdfCanvas) SetColor(col color.Color) {
	if col == nil {
		col = color.Black
	}
	c.top().col = col
}

func (c *pdfCanvas) Rotate(rad float64) {
	s, co := math.Sincos(rad)
	c.top().m = c.top().m.then(affine{a: co, b: s, c: -s, d: co})
}

func (c *pdfCanvas) Translate(pt vg.Point) {
	c.top().m = c.top().m.then(affine{a: 1, d: 1, e: pt.X.Points(), f: pt.Y.Points()})
}

func (c *pdfCanvas) Scale(x, y float64) { c.top().m = c.top().m.then(affine{a: x, d: y}) }

func (c *pdfCanvas) Push() {
	st := *c.top()
	st.dashes = append([]vg.Length(nil), st.dashes...)
	c.stack = append(c.stack, st)
}

func (c *pdfCanvas) Pop() {
	if len(c.stack) > 1 {
		c.stack = c.stack[:len(c.stack)-1]
	}
}

// scale is how much the transform stretches lengths (line widths, dashes).
func (c *pdfCanvas) scale() float64 {
	m := c.top().m
	return math.Sqrt(math.Abs(m.a*m.d - m.b*m.c))
}

// setColor sets the PDF's colors and opacity from the current color.
func (c *pdfCanvas) setColor() {
	r, g, b, a := c.top().col.RGBA()
	if a == 0 {
		c.pdf.SetAlpha(0, "Normal")
		return
	}
	// RGBA is premultiplied: divide by alpha for the colour.
	ri, gi, bi := int(r*255/a), int(g*255/a), int(b*255/a)
	c.pdf.SetDrawColor(ri, gi, bi)
	c.pdf.SetFillColor(ri, gi, bi)
	c.pdf.SetTextColor(ri, gi, bi)
	c.pdf.SetAlpha(float64(a)/0xffff, "Normal")
}

func (c *pdfCanvas) Stroke(p vg.Path) {
	st := c.top()
	if st.width <= 0 {
		return
	}
	c.setColor()
	k := c.scale()
	c.pdf.SetLineWidth(st.width.Points() * k)
	dashes := make([]float64, len(st.dashes))
	for i, d := range st.dashes {
		dashes[i] = d.Points() * k
	}
	c.pdf.SetDashPattern(dashes, st.offs.Points()*k)
	c.path(p, "D")
	c.pdf.SetDashPattern(nil, 0)
}

func (c *pdfCanvas) Fill(p vg.Path) {
	c.setColor()
	c.path(p, "F")
}

// path sends p to the PDF in page coordinates. Arcs are drawn as short
// lines: plots use them only for round glyphs.
func (c *pdfCanvas) path(p vg.Path, style string) {
	m := c.top().m
	started := false
	to := func(x, y vg.Length) {
		px, py := m.apply(x.Points(), y.Points())
		if started {
			c.pdf.LineTo(px, py)
		} else {
			c.pdf.MoveTo(px, py)
			started = true
		}
	}
	var cur vg.Point
	for _, comp := range p {
		switch comp.Type {
		case vg.MoveComp:
			px, py := m.apply(comp.Pos.X.Points(), comp.Pos.Y.Points())
			c.pdf.MoveTo(px, py)
			started, cur = true, comp.Pos
		case vg.LineComp:
			to(comp.Pos.X, comp.Pos.Y)
			cur = comp.Pos
		case vg.ArcComp:
			n := int(math.Ceil(math.Abs(comp.Angle) / (math.Pi / 16)))
			for i := 0; i <= n; i++ {
				a := comp.Start + comp.Angle*float64(i)/float64(max(n, 1))
				x := comp.Pos.X + comp.Radius*vg.Length(math.Cos(a))
				y := comp.Pos.Y + comp.Radius*vg.Length(math.Sin(a))
				to(x, y)
				cur = vg.Point{X: x, Y: y}
			}
		case vg.CurveComp:
			ctrl := comp.Control
			if len(ctrl) == 1 { // quadratic: raise to cubic
				q := ctrl[0]
				ctrl = []vg.Point{
					{X: cur.X + 2.0/3*(q.X-cur.X), Y: cur.Y + 2.0/3*(q.Y-cur.Y)},
					{X: comp.Pos.X + 2.0/3*(q.X-comp.Pos.X), Y: comp.Pos.Y + 2.0/3*(q.Y-comp.Pos.Y)},
				}
			}
			if len(ctrl) == 2 {
				x0, y0 := m.apply(ctrl[0].X.Points(), ctrl[0].Y.Points())
				x1, y1 := m.apply(ctrl[1].X.Points(), ctrl[1].Y.Points())
				x, y := m.apply(comp.Pos.X.Points(), comp.Pos.Y.Points())
				c.pdf.CurveBezierCubicTo(x0, y0, x1, y1, x, y)
			} else {
				to(comp.Pos.X, comp.Pos.Y)
			}
			cur = comp.Pos
		case vg.CloseComp:
			c.pdf.ClosePath()
		}
	}
	if started {
		c.pdf.DrawPath(style)
	}
}

// FillString sets text at pt, its baseline's left end, in the report's
// own font with the face's weight and size.
func (c *pdfCanvas) FillString(f font.Face, pt vg.Point, text string) {
	if f.Font.Size <= 0 {
		return
	}
	c.setColor()
	style := ""
	if f.Font.Weight >= stdfont.WeightBold {
		style = "B"
	}
	m := c.top().m
	k := c.scale()
	c.pdf.SetFont(fontFamily, style, f.Font.Size.Points()*k)
	x, y := m.apply(pt.X.Points(), pt.Y.Points())
	// The page's y axis points down: a text rotated by θ on the canvas is
	// rotated by θ counterclockwise on the page too, once the flip is
	// undone.
	angle := -math.Atan2(m.b, m.a) * 180 / math.Pi
	if math.Abs(angle) > 1e-9 {
		c.pdf.TransformBegin()
		c.pdf.TransformRotate(angle, x, y)
		c.pdf.Text(x, y, pdfText(text))
		c.pdf.TransformEnd()
		return
	}
	c.pdf.Text(x, y, pdfText(text))
}

func (c *pdfCanvas) DrawImage(rect vg.Rectangle, img image.Image) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		c.pdf.SetError(fmt.Errorf("report: plot image: %w", err))
		return
	}
	c.images++
	name := fmt.Sprintf("plot-image-%p-%d", c, c.images)
	opts := fpdf.ImageOptions{ImageType: "png"}
	c.pdf.RegisterImageOptionsReader(name, opts, &buf)
	m := c.top().m
	x0, y0 := m.apply(rect.Min.X.Points(), rect.Max.Y.Points())
	x1, y1 := m.apply(rect.Max.X.Points(), rect.Min.Y.Points())
	c.pdf.ImageOptions(name, min(x0, x1), min(y0, y1), math.Abs(x1-x0), math.Abs(y1-y0), false, opts, 0, "")
}

var _ vg.CanvasSizer = (*pdfCanvas)(nil)
