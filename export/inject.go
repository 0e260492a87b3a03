package export

import "strings"

// A text cell that starts with one of these is taken for a formula by
// spreadsheets (Excel, LibreOffice, Google Sheets): =HYPERLINK(…) in an
// acknowledgement's note would become a live link, or worse, in the
// auditor's copy. OWASP's list: '=', '+', '-', '@', tab and carriage
// return.
const formulaStart = "=+-@\t\r"

// text neutralises a text cell for spreadsheets by putting a single quote
// before a leading formula character, as OWASP advises: the spreadsheet
// then shows the text as written. Numbers are not text cells and keep
// their sign.
func text(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// textLine neutralises the cells of a comment line's value: after each
// comma that a spreadsheet would split at, a cell whose first character
// past spaces and an opening quote is a formula character gets the quote
// too. The line's first cell starts with "# key:", which is text.
func textLine(s string) string {
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
