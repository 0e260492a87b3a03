// Package spec says what a report request may ask for (its formats and
// shift times), apart from the renderer, so that ventd can check a request
// it hands to ventctl without carrying the PDF and plotting libraries
// (and their fonts) in the process that drives the fans.
package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Formats are the report formats: "pdf" and "html".
var Formats = []string{"pdf", "html"}

var shiftOfDay = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// CheckShift returns an error saying what to write when s is not a time
// of day a report's shift filter takes ("07:00"; "" for every shift).
func CheckShift(s string) error {
	if s == "" || shiftOfDay.MatchString(s) {
		return nil
	}
	return fmt.Errorf("shift %q: give the local start time of the shifts to keep, HH:MM, e.g. 07:00", s)
}

// CheckFormat returns an error saying what to use when f is not a report
// format ("" means the default, pdf).
func CheckFormat(f string) error {
	if f == "" || slices.Contains(Formats, f) {
		return nil
	}
	return fmt.Errorf("format %q: use %s", f, strings.Join(Formats, " or "))
}
