package statuspage

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/record"
)

// A purge of a booth whose fan has stalled: the dialog said "The fan goes
// to maximum until the booth is safe to enter" beside FAN FAULT at 0 rpm.
// It says the fan is faulty and the booth may not clear; and the card
// shows the purge running, though its chip says the fault.
func TestBrowserPurgeOfAFaultyFanSaysSo(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(1, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	const card = `document.getElementById('booth:booth')`
	b.waitFor("the booth", card+` !== null && `+card+`.querySelector('.purge-btn').textContent === 'Purge'`, 10*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`[id="booth:booth"] .purge-btn`)))
	b.waitFor("the purge dialog", `document.getElementById('dlg').open`, 5*time.Second)
	if got := b.eval(`document.getElementById('dlg-what').textContent`); !strings.HasPrefix(got, "The fan goes to maximum until the booth is safe to enter") {
		t.Errorf("the purge dialog of a working fan: %q", got)
	}
	b.do(chromedp.Click(chromedp.ID("dlg-cancel")))

	stall := alarm.Alarm{ID: 9, RuleID: alarm.FanStallRule("booth-fan"), Level: alarm.LevelFault, Subject: "booth-fan",
		Since: time.Now().Add(-time.Minute), Condition: true, Message: "fan booth-fan is not turning though it is driven"}
	f.show(func(r *record.Period) {
		rpm := 0.0
		r.Fans[0].Duty, r.Fans[0].Mode, r.Fans[0].RPM, r.Fans[0].SecondsToEntry = 1, control.ModePurge, &rpm, 600
		for i := range r.Readings {
			if r.Readings[i].Zone == "booth" {
				r.Readings[i].Value = 300
			}
		}
		withAlarms(r, stall)
	})
	b.waitFor("the fan fault with the purge running", card+`.querySelector('.chip').textContent === 'Fan fault' && `+card+`.querySelector('.purge-btn').textContent === 'Purging…'`, 10*time.Second)
	b.do(chromedp.Click(chromedp.CSS(`[id="booth:booth"] .purge-btn`)))
	b.waitFor("the purge dialog", `document.getElementById('dlg').open`, 5*time.Second)
	got := b.eval(`document.getElementById('dlg-what').textContent`)
	if strings.Contains(got, "until the booth is safe to enter") || !strings.Contains(got, "fault") || !strings.Contains(got, "may not clear") {
		t.Errorf("the purge dialog of a stalled fan: %q", got)
	}
	b.shot("purge-faulty-fan-1024x600")
	b.do(chromedp.Click(chromedp.ID("dlg-cancel")))
	b.checkClean(f.addr)
}
