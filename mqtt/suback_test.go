package mqtt

import (
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
)

// denyCommands is a broker ACL that lets anyone connect and publish but
// read no command topic, as a site's ACL written without ventd's
// commands in mind does. mochi, like EMQX and HiveMQ, answers such a
// subscription with 0x80.
type denyCommands struct{ mochi.HookBase }

func (denyCommands) ID() string { return "deny-commands" }

func (denyCommands) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck
}

func (denyCommands) OnConnectAuthenticate(*mochi.Client, packets.Packet) bool { return true }

func (denyCommands) OnACLCheck(_ *mochi.Client, topic string, write bool) bool {
	return write || !strings.HasSuffix(topic, "/command")
}

// A subscription the broker refuses is said, with what it costs and what
// to change: paho takes it for success, and the commands never came with
// nothing in the log.
func TestARefusedSubscriptionIsSaid(t *testing.T) {
	addr := aclBroker(t, new(denyCommands))

	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Commands, m.Discovery = "mqtt://"+addr, true, false
	cfg.MQTT = &m
	logs := &testbench.LogBuffer{}
	p, err := New(Options{Config: cfg, Room: newFakeRoom(), Log: slog.New(slog.NewTextHandler(logs, nil)), ReconnectMin: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runPublisher(t, p)
	deadline := time.Now().Add(wallWait)
	for !strings.Contains(logs.String(), "refused the subscription") {
		if time.Now().After(deadline) {
			t.Fatalf("no word of the refused subscription:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if l := logs.String(); !strings.Contains(l, "commands (purge, acknowledge) will not reach ventd") || !strings.Contains(l, p.Topics().Command()) || !strings.Contains(l, "ACL") {
		t.Errorf("the log does not say which topic, what it costs and what to change:\n%s", l)
	}
}

// denyOwnRead lets anyone connect, publish and read anything but ventd's
// topics: a site's write-only ACL for ventd, on a broker that says so
// (SUBACK 0x80; mosquitto grants and drops instead).
type denyOwnRead struct{ mochi.HookBase }

func (denyOwnRead) ID() string { return "deny-own-read" }

func (denyOwnRead) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck
}

func (denyOwnRead) OnConnectAuthenticate(*mochi.Client, packets.Packet) bool { return true }

func (denyOwnRead) OnACLCheck(_ *mochi.Client, topic string, write bool) bool {
	return write || !strings.HasPrefix(topic, "ventd/")
}

// A broker that refuses ventd reading its own topics back is said once,
// in one line with what to grant; the delivery check does not then warn
// of each message as missing, and delivery stays unconfirmed.
func TestARefusedReadBackIsSaidOnce(t *testing.T) {
	addr := aclBroker(t, new(denyOwnRead))

	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Discovery = "mqtt://"+addr, false
	cfg.MQTT = &m
	logs := &testbench.LogBuffer{}
	p, err := New(Options{Config: cfg, Log: slog.New(slog.NewTextHandler(logs, nil)), ReconnectMin: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p.echoWait = 50 * time.Millisecond
	runPublisher(t, p)
	deadline := time.Now().Add(wallWait)
	for !strings.Contains(logs.String(), "read its own messages back") {
		if time.Now().After(deadline) {
			t.Fatalf("no word of the refused read-back:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// availability went out at connect: had it been checked, it would be
	// missing after the wait.
	time.Sleep(2 * p.echoWait)
	l := logs.String()
	if n := strings.Count(l, "read its own messages back"); n != 1 || !strings.Contains(l, "topics=\""+p.Topics().Availability()) ||
		!strings.Contains(l, "read "+p.Topics().Base+"/#") {
		t.Errorf("want one line naming the topics and what to grant:\n%s", l)
	}
	if strings.Contains(l, "did not come back") {
		t.Errorf("messages that cannot be checked warned of as missing:\n%s", l)
	}
	if s := p.Status(); s.Confirmed || s.Unconfirmed != 0 {
		t.Errorf("status %+v: want not confirmed, none counted missing", s)
	}
}

// aclBroker serves a mochi broker with hook for the rest of the test and
// returns its address.
func aclBroker(t *testing.T, hook mochi.Hook) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := mochi.New(&mochi.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := b.AddHook(hook, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.AddListener(listeners.NewNet("test", ln)); err != nil {
		t.Fatal(err)
	}
	go b.Serve()
	t.Cleanup(func() { b.Close() })
	return ln.Addr().String()
}
