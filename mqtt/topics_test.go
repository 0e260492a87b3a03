package mqtt

import (
	"strings"
	"testing"
)

func TestClientIDFitsEveryBroker(t *testing.T) {
	if got := ClientID("OPS", "Room 1"); got != "ventd-ops-room-1" {
		t.Errorf("short names: %q, want the readable ventd-ops-room-1", got)
	}
	site := "Hope to Health Supervised Consumption"
	a, b := ClientID(site, "Inhalation Room 1"), ClientID(site, "Inhalation Room 2")
	for _, id := range []string{a, b} {
		if len(id) > maxClientID || !strings.HasPrefix(id, "ventd-hope-to-") {
			t.Errorf("%q: want at most %d characters starting with the site's name", id, maxClientID)
		}
	}
	if a == b {
		t.Errorf("two rooms of one site got one client id %q: they would throw each other off the broker", a)
	}
	if again := ClientID(site, "Inhalation Room 1"); again != a {
		t.Errorf("client id not stable: %q then %q (a persistent session is kept under it)", a, again)
	}
}
