package report

import (
	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// fontFamily is the report's one typeface, Liberation Sans, embedded in
// the PDF (subset to the characters used) and given to the plots, so that
// gonum/plot measures text with the metrics the PDF draws it with. It
// covers µ, ³, ₂, Σ and the other characters the figures need.
const fontFamily = "LiberationSans"

func addFonts(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(fontFamily, "", liberationsansregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", liberationsansbold.TTF)
}

// plotFont is the plots' font: Liberation Sans from gonum's font cache.
func plotFont(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return f
}
