package report

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
)

// The integrity section lists why ventd rewrites rows it sealed; a frozen
// sensor's reading taken back out of its minutes (a Retraction) is one of
// them, and an auditor who meets rewritten minutes with the reasons given
// not covering them cannot tell them from an edit.
func TestIntegrityNamesRetractionAmongRewrites(t *testing.T) {
	d := &doc{o: Options{Location: time.UTC}, verify: &journal.Verification{
		Head:     journal.ChainHead{Link: 3, Hash: strings.Repeat("ab", 32)},
		Rewrites: 2, RewritesIn: map[string]int{"minutes": 2},
	}}
	_, _, lines := d.integrity()
	all := strings.Join(lines, "\n")
	if !strings.Contains(all, "frozen") {
		t.Errorf("the rewrites are explained without the frozen sensor's retraction:\n%s", all)
	}
}
