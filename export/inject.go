package export

import (
	"strconv"
	"strings"
	"unicode/utf8"

	ventrecord "github.com/ventd/ventd/record"
)

// A text cell that starts with one of these is taken for a formula by
// spreadsheets (Excel, LibreOffice, Google Sheets): =HYPERLINK(…) in an
// acknowledgement's note would become a live link, or worse, in the
// auditor's copy. OWASP's list: '=', '+', '-', '@', tab and carriage
// return.
const formulaStart = "=+-@\t\r"

// text neutralises a text cell for spreadsheets by putting a single quote
// before a leading formula character, as OWASP advises: the spreadsheet
// then shows the text as written. Numbers are not text cells and keep
// their sign. Hidden characters are shown as their escapes (visible).
func text(s string) string {
	s = visible(s)
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// visible writes each hidden character of s (record.Hidden: a terminal's
// escape, a carriage return, a bidirectional override, a zero-width
// space) as its Go escape, \x1b, \r, \u202e, and a byte that is not
// UTF-8 as \xNN; line breaks and tabs stay. Names and notes are refused
// with them now, but a journal written before that may hold them, and
// printed from the CSV they would act on the auditor's terminal, or
// reverse how a line reads, instead of showing what was typed. Nothing is
// lost: the escape names the character.
func visible(s string) string {
	hidden := func(r rune) bool { return r != '\n' && r != '\t' && ventrecord.Hidden(r) }
	if utf8.ValidString(s) && strings.IndexFunc(s, hidden) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case hidden(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// textLine neutralises the cells of a comment line's value: after each
// comma that a spreadsheet would split at, a cell whose first character
// past spaces and an opening quote is a formula character gets the quote
// too. The line's first cell starts with "# key:", which is text.
func textLine(s string) string {
	s = visible(s)
	if !strings.ContainsAny(s, formulaStart) {
		return s // the usual case: nothing to split
	}
	cells := strings.Split(s, ",")
	for i := 1; i < len(cells); i++ {
		c := cells[i]
		lead := len(c) - len(strings.TrimLeft(c, " \""))
		if lead < len(c) && strings.IndexByte(formulaStart, c[lead]) >= 0 {
			cells[i] = c[:lead] + "'" + c[lead:]
		}
	}
	return strings.Join(cells, ",")
}
