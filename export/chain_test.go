package export_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// TestExportCarriesChainHead checks that both formats carry the journal's
// hash chain head, which verifies a later copy of the journal.
func TestExportCarriesChainHead(t *testing.T) {
	j, _ := day(t, dayShift.End)
	head, err := j.ChainHead()
	if err != nil || head.Link == 0 {
		t.Fatalf("ChainHead %+v, %v", head, err)
	}
	var doc export.Document
	if err := json.Unmarshal(run(t, j, dayOptions(t, "json")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Chain == nil || *doc.Chain != head {
		t.Errorf("JSON chain %+v, want %+v", doc.Chain, head)
	}
	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	c := p.comment("chain")
	if len(c) != 1 || !strings.Contains(c[0], head.String()) || !strings.Contains(c[0], "ventctl verify -head "+head.Hash) {
		t.Errorf("CSV chain comment %q, want %q and how to check it", c, head)
	}
	v, err := j.Verify(journal.VerifyOptions{Head: doc.Chain.Hash})
	if err != nil || !v.OK() || v.HeadLink != head.Link {
		t.Errorf("Verify with the export's head: %+v, %v", v, err)
	}
}
