package spec

import (
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	for _, s := range []string{"", "00:00", "07:00", "19:30", "23:59"} {
		if err := CheckShift(s); err != nil {
			t.Errorf("CheckShift(%q): %v", s, err)
		}
	}
	for _, s := range []string{"7:00", "24:00", "07:60", "07:00 ", "0700", "7am"} {
		if err := CheckShift(s); err == nil || !strings.Contains(err.Error(), "HH:MM") {
			t.Errorf("CheckShift(%q) = %v, want an error saying HH:MM", s, err)
		}
	}
	for _, f := range []string{"", "pdf", "html"} {
		if err := CheckFormat(f); err != nil {
			t.Errorf("CheckFormat(%q): %v", f, err)
		}
	}
	if err := CheckFormat("PDF"); err == nil || !strings.Contains(err.Error(), "use pdf or html") {
		t.Errorf("CheckFormat(PDF) = %v, want one naming pdf and html", err)
	}
}
