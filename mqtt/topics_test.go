package mqtt

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/ventd/ventd/config"
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

// A site or room with nothing to name a topic level by is refused by the
// publisher itself: -mqtt URL adds an mqtt section to a config that had
// none, whose names the config check never looked at for MQTT.
func TestNewRefusesNamesWithoutATopicLevel(t *testing.T) {
	for _, c := range []struct{ site, room, key string }{{"+++", "room 1", "site"}, {"OPS", "#/ ", "room"}} {
		cfg := config.Sim()
		cfg.Site, cfg.Room = c.site, c.room
		m := config.DefaultMQTT()
		m.Broker = "mqtt://127.0.0.1:1883"
		cfg.MQTT = &m
		_, err := New(Options{Config: cfg})
		if err == nil || !strings.Contains(err.Error(), c.key) || !strings.Contains(err.Error(), "no letter or digit") {
			t.Errorf("site %q, room %q: %v", c.site, c.room, err)
		}
	}
}

// Rooms named alike up to the length a topic level, a Home Assistant id
// or a client id keeps must not share them: two rooms on one broker
// would knock each other off and mix their events and entities.
func TestLongNamesStayApart(t *testing.T) {
	const site, room = "Example OPS", "Supervised consumption site, second floor, inhalation room number "
	a, b := NewTopics("ventd", "homeassistant", site, room+"1"), NewTopics("ventd", "homeassistant", site, room+"2")
	if a.Base == b.Base || a.Node == b.Node || ClientID(site, room+"1") == ClientID(site, room+"2") {
		t.Errorf("two rooms share topics %q/%q, node %q/%q or client id %q/%q",
			a.Base, b.Base, a.Node, b.Node, ClientID(site, room+"1"), ClientID(site, room+"2"))
	}
}

// ventd is built without cgo, so a broker named homeassistant.local (Home
// Assistant's own default) is "no such host" to it while ping finds it:
// the log says why and what to write instead.
func TestConnectHintForNamesItCannotResolve(t *testing.T) {
	notFound := func(name string) error {
		return fmt.Errorf("network Error : %w", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}})
	}
	for _, c := range []struct {
		broker string
		err    error
		want   string
	}{
		{"mqtt://homeassistant.local:1883", notFound("homeassistant.local"), "does not resolve .local names"},
		{"mqtts://Broker.Local.:8883", notFound("Broker.Local."), "does not resolve .local names"},
		{"mqtt://broker.site.lan", notFound("broker.site.lan"), "check the broker's name"},
		{"mqtt://10.0.0.5", errors.New("connection refused"), ""},
	} {
		if h := connectHint(c.broker, c.err); (c.want == "" && h != "") || !strings.Contains(h, c.want) {
			t.Errorf("%s: hint %q, want %q", c.broker, h, c.want)
		}
	}
}
