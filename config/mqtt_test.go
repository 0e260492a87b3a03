package config

import (
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestMQTTDefaults(t *testing.T) {
	c, err := Parse([]byte(base), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.MQTT != nil {
		t.Fatalf("no mqtt section, yet MQTT = %+v", c.MQTT)
	}
	c, err = Parse([]byte(base+"mqtt:\n  broker: mqtt://broker.local\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultMQTT()
	want.Broker = "mqtt://broker.local"
	if *c.MQTT != want {
		t.Errorf("mqtt %+v\nwant %+v", *c.MQTT, want)
	}
	c, err = Parse([]byte(base+`mqtt:
  broker: mqtts://broker.local:8883
  client_id: room-1
  username: ventd
  password_file: /etc/ventd/mqtt-password
  ca_file: /etc/ventd/ca.pem
  cert_file: /etc/ventd/client.pem
  key_file: /etc/ventd/client.key
  topic_prefix: ops/ventd
  state_interval: 1m
  keep_alive: 10s
  reconnect_max: 5s
  commands: true
  discovery: false
  discovery_prefix: ha
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := c.MQTT
	if m.ClientID != "room-1" || m.TopicPrefix != "ops/ventd" || m.StateInterval != time.Minute || m.KeepAlive != 10*time.Second ||
		m.ReconnectMax != 5*time.Second || !m.Commands || m.Discovery || m.DiscoveryPrefix != "ha" || m.KeyFile != "/etc/ventd/client.key" {
		t.Errorf("written keys not kept: %+v", m)
	}
}

// Each mistake in the mqtt section gives exactly one error with its line
// and path (base has 21 lines: the section starts at line 22).
func TestMQTTMistakes(t *testing.T) {
	const mq = "mqtt:\n  broker: mqtt://broker.local:1883\n"
	for _, tc := range []struct {
		name, data string
		line       int
		path, msg  string
	}{
		{"no broker", base + "mqtt:\n  commands: true\n", 22, "mqtt.broker", "required key is missing"},
		{"broker without scheme", base + "mqtt:\n  broker: broker.local:1883\n", 23, "mqtt.broker", "must be a URL like mqtt://broker.local:1883"},
		{"broker http", base + "mqtt:\n  broker: http://broker.local\n", 23, "mqtt.broker", `scheme "http": use mqtt://`},
		{"password in the URL", base + "mqtt:\n  broker: mqtt://u:secret@broker.local\n", 23, "mqtt.broker", "password in a file"},
		{"broker without a host", base + "mqtt:\n  broker: mqtt://:1883\n", 23, "mqtt.broker", "has no host"},
		{"bad port", base + "mqtt:\n  broker: mqtt://broker.local:99999\n", 23, "mqtt.broker", "port"},
		{"path on a tcp broker", base + "mqtt:\n  broker: mqtt://broker.local/x\n", 23, "mqtt.broker", "give only scheme, host and port"},
		{"client id with a space", base + mq + "  client_id: room 1\n", 24, "mqtt.client_id", `(got "room 1")`},
		{"password file and env", base + mq + "  username: u\n  password_file: /p\n  password_env: P\n", 26, "mqtt.password_env", "not both"},
		{"password without user", base + mq + "  password_env: VENTD_PW\n", 24, "mqtt.password_env", "needs mqtt.username"},
		{"bad env name", base + mq + "  username: u\n  password_env: 1PW\n", 25, "mqtt.password_env", "environment variable's name"},
		{"relative password file", base + mq + "  username: u\n  password_file: pw.txt\n", 25, "mqtt.password_file", "must be an absolute path"},
		{"ca on a plain broker", base + mq + "  ca_file: /etc/ventd/ca.pem\n", 24, "mqtt.ca_file", "applies to a TLS broker only"},
		{"cert without key", base + "mqtt:\n  broker: mqtts://b\n  cert_file: /c.pem\n", 24, "mqtt.cert_file", "together"},
		{"wildcard prefix", base + mq + "  topic_prefix: ventd/#\n", 24, "mqtt.topic_prefix", "wildcards"},
		{"trailing slash", base + mq + "  topic_prefix: ventd/\n", 24, "mqtt.topic_prefix", "single slashes"},
		{"dollar prefix", base + mq + "  discovery_prefix: $SYS\n", 24, "mqtt.discovery_prefix", "must not start with $"},
		{"state interval 0", base + mq + "  state_interval: 0s\n", 24, "mqtt.state_interval", "must be from 1s to 1h0m0s (got 0s)"},
		{"keep alive 1s", base + mq + "  keep_alive: 1s\n", 24, "mqtt.keep_alive", "(got 1s)"},
		{"reconnect 1h", base + mq + "  reconnect_max: 1h\n", 24, "mqtt.reconnect_max", "(got 1h0m0s)"},
		{"commands yes", base + mq + "  commands: yes\n", 24, "mqtt.commands", "must be true or false"},
		{"unknown key", base + mq + "  password: secret\n", 24, "mqtt.password", "password_file, password_env"},
		{"room without letters", edit(2, `room: "!!!"`) + mq, 2, "room", "no letter or digit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOneError(t, tc.data, tc.line, tc.path, tc.msg)
		})
	}
}

func TestTopicLevel(t *testing.T) {
	for in, want := range map[string]string{
		"Inhalation room 1": "inhalation-room-1",
		"Example OPS":       "example-ops",
		"  a/b+c#d  ":       "a-b-c-d",
		"Salle Été 2":       "salle-été-2",
		"!!!":               "",
		"room_1.b":          "room_1.b",
	} {
		if got := TopicLevel(in); got != want {
			t.Errorf("TopicLevel(%q) = %q, want %q", in, got, want)
		}
	}
	if long := TopicLevel(strings.Repeat("é", 41)); len(long) > 64 || !utf8.ValidString(long) {
		t.Errorf("TopicLevel kept %d bytes, want at most 64", len(long))
	}
	// Two long names alike up to the cut stay two rooms.
	const room = "Supervised consumption site, second floor, inhalation room number "
	a, b := TopicLevel(room+"1"), TopicLevel(room+"2")
	if a == b || len(a) > 64 || len(b) > 64 || !strings.HasPrefix(a, "supervised-consumption-site-second-floor-inhalation-") {
		t.Errorf("long names: %q and %q; want two levels of at most 64 bytes, readable", a, b)
	}
}

// The example's commented mqtt section parses once uncommented.
func TestExampleMQTTSection(t *testing.T) {
	ex, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	for _, l := range strings.Split(string(ex), "\n") {
		switch {
		case l == "# mqtt:":
			block = append(block, "mqtt:")
		case len(block) > 0 && strings.HasPrefix(l, "#   "):
			block = append(block, strings.TrimPrefix(l, "#"))
		}
	}
	if len(block) < 3 {
		t.Fatalf("no commented mqtt section in example.yaml: %q", block)
	}
	c, err := Parse([]byte(base+strings.Join(block, "\n")+"\n"), "example-mqtt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.MQTT == nil || !BrokerTLS(c.MQTT.Broker) || c.MQTT.Commands || c.MQTT.PasswordFile == "" {
		t.Errorf("example mqtt section: %+v", c.MQTT)
	}
}

func TestMQTTLongClientIDWarned(t *testing.T) {
	c, err := Parse([]byte(staffPM(base)+"mqtt:\n  broker: mqtt://broker.local\n  client_id: hope-to-health-inhalation-room-1\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ws := c.Warnings()
	if len(ws) != 1 || ws[0].Path != "mqtt.client_id" || ws[0].Line != 25 || !strings.Contains(ws[0].Msg, "23") {
		t.Errorf("warnings %v: want one on mqtt.client_id, line 24, naming the 23 characters every broker must accept", ws)
	}
}

// Names that differ only in case or punctuation would be one entity in
// Home Assistant: a warning naming both.
func TestNamesAlikeWarned(t *testing.T) {
	data, err := os.ReadFile("sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "name: staff-pm,", "name: Booth.PM,", 1)
	if edited == string(data) {
		t.Fatal("sim.yaml no longer has sensor staff-pm")
	}
	c, err := Parse([]byte(edited), "sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range c.Warnings() {
		got = append(got, w.Path+": "+w.Msg)
	}
	if len(got) != 1 || !strings.Contains(got[0], `"Booth.PM" differs from "booth-pm" (sensors[0]) only in case or punctuation`) {
		t.Errorf("warnings %q", got)
	}
	c, err = Parse(data, "sim.yaml")
	if err != nil || len(c.Warnings()) != 0 {
		t.Errorf("sim.yaml as shipped: %v, warnings %v", err, c.Warnings())
	}
}

// Commands on a broker ventd logs into with no name are a warning: anyone
// who can reach such a broker can purge.
func TestCommandsWithoutALoginWarn(t *testing.T) {
	c, err := Parse([]byte(staffPM(base)+"mqtt:\n  broker: mqtt://broker.local:1883\n  commands: true\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ws := c.Warnings(); len(ws) != 1 || ws[0].Path != "mqtt.commands" || !strings.Contains(ws[0].Msg, "lets anyone who can reach it purge") {
		t.Errorf("warnings %v", ws)
	}
	c, err = Parse([]byte(staffPM(base)+"mqtt:\n  broker: mqtt://broker.local:1883\n  username: ventd\n  password_env: PW\n  commands: true\n"), "test.yaml")
	if err != nil || len(c.Warnings()) != 0 {
		t.Errorf("with a login: %v %v", err, c.Warnings())
	}
}
