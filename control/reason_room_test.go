package control

import (
	"strings"
	"testing"
	"time"
)

// A room's kept reasons give the text printed afresh: two rooms given the
// same two hours, one of them forgetting every kept reason before each
// period, decide alike, reasons and all, for a variable fan (booth1) and
// a relay (booth2), the staff area's reason in both its forms.
func TestKeptReasonsArePrinted(t *testing.T) {
	p, periods := benchRoom(t)
	p.Fans[1].OnOff, p.Fans[1].MinOn = true, time.Minute
	kept, fresh := roomOf(t, p), roomOf(t, p)
	forms := map[string]int{}
	for _, in := range periods {
		for _, f := range fresh.fans {
			f.staffWhy, f.clearing, f.relayClearing, f.slowing = keptReason{}, keptReason{}, keptReason{}, struct{ why, slow string }{}
		}
		got, want := kept.Update(in[0].Time, in), fresh.Update(in[0].Time, in)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s, fan %d: kept reasons decided %+v, printed afresh %+v", in[0].Time.Format(time.TimeOnly), i, got[i], want[i])
			}
			form, _, _ := strings.Cut(want[i].Reason, " (")
			forms[strings.Join(strings.Fields(form)[:2], " ")]++
			if strings.HasSuffix(want[i].Reason, "(slowing gently)") {
				forms["slowing gently"]++
			}
		}
	}
	for _, form := range []string{"staff PM2.5", "staff air", "clearing booth1", "clearing booth2", "smoke in", "slowing gently"} {
		if forms[form] == 0 {
			t.Errorf("no reason %q in the two hours (%v): the test shows less than it says", form, forms)
		}
	}
}

func roomOf(t *testing.T, p Params) *Room {
	t.Helper()
	r, err := NewRoom(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
