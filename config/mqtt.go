package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MQTT publishes the room to the site's MQTT broker for facilities
// managers' tools (Home Assistant, Node-RED, a pager bridge): readings,
// alarms and events, and optionally takes purge and acknowledge commands.
// Left out, ventd does not use MQTT (ventd -mqtt URL turns it on with the
// defaults below).
type MQTT struct {
	// Broker is the broker's URL: mqtt://host:1883 (tcp:// is the same),
	// mqtts://host:8883 for TLS (ssl:// and tls:// are the same), ws:// or
	// wss:// for MQTT over WebSocket.
	Broker string `yaml:"broker" cfg:"required"`
	// ClientID identifies this ventd to the broker; two clients with one
	// id throw each other off. Default ventd-<site>-<room>.
	ClientID string `yaml:"client_id,omitempty"`
	// Username, and the password from a file (PasswordFile, its first line)
	// or an environment variable (PasswordEnv), never from this file, so
	// the config can be shared and checked in without the secret.
	Username     string `yaml:"username,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
	// CAFile is the PEM certificate(s) of the authority that signed the
	// broker's certificate (default: the system's); CertFile and KeyFile a
	// client certificate, for brokers that require one.
	CAFile   string `yaml:"ca_file,omitempty"`
	CertFile string `yaml:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file,omitempty"`
	// TopicPrefix starts every topic: <prefix>/<site>/<room>/... Default
	// "ventd".
	TopicPrefix string `yaml:"topic_prefix"`
	// StateInterval is the least time between two retained state
	// messages; the state is sent when it changed. From 1s to 1h, default
	// 10s (ventd's choice: enough for a dashboard and a trend, few enough
	// for a broker serving many rooms). Alarms and events never wait.
	StateInterval time.Duration `yaml:"state_interval"`
	// KeepAlive is how often the connection is checked; the broker
	// announces ventd offline (the last will) after 1.5 of these without
	// a word. From 5s to 10m, default 30s.
	KeepAlive time.Duration `yaml:"keep_alive"`
	// ReconnectMax is the longest wait between attempts to reach a broker
	// that is down (the wait doubles from 1s). From 1s to 10m, default 1m.
	ReconnectMax time.Duration `yaml:"reconnect_max"`
	// Commands lets MQTT clients purge, end a purge and acknowledge alarms
	// (<prefix>/<site>/<room>/command). Default false: anyone who may
	// publish there could then run the fans; restrict the topic in the
	// broker's ACL before turning it on.
	Commands bool `yaml:"commands"`
	// Discovery announces the room to Home Assistant (MQTT discovery).
	// Default true.
	Discovery bool `yaml:"discovery"`
	// DiscoveryPrefix is Home Assistant's discovery prefix. Default
	// "homeassistant".
	DiscoveryPrefix string `yaml:"discovery_prefix"`
	// ConfirmDelivery has ventd read its own availability, state and
	// events back from the broker, to notice a broker that acknowledges
	// messages and then drops them (an ACL, a size limit). Default true.
	// false is for a broker whose ACL lets ventd only write: the check
	// could never confirm anything there, and its alert would fire for
	// good; such a site learns of a dropping broker only from its
	// subscribers.
	ConfirmDelivery bool `yaml:"confirm_delivery"`
}

// DefaultMQTT returns the MQTT settings used for keys left out (reasons on
// MQTT), with no broker.
func DefaultMQTT() MQTT {
	return MQTT{
		TopicPrefix:     "ventd",
		StateInterval:   10 * time.Second,
		KeepAlive:       30 * time.Second,
		ReconnectMax:    time.Minute,
		Discovery:       true,
		DiscoveryPrefix: "homeassistant",
		ConfirmDelivery: true,
	}
}

// setMQTTDefaults fills the mqtt section, key by key, when it is there.
func (d *decoder) setMQTTDefaults(c *Config) {
	m := c.MQTT
	if m == nil {
		return
	}
	dm := DefaultMQTT()
	setDefault(d, "mqtt.topic_prefix", &m.TopicPrefix, dm.TopicPrefix)
	setDefault(d, "mqtt.state_interval", &m.StateInterval, dm.StateInterval)
	setDefault(d, "mqtt.keep_alive", &m.KeepAlive, dm.KeepAlive)
	setDefault(d, "mqtt.reconnect_max", &m.ReconnectMax, dm.ReconnectMax)
	setDefault(d, "mqtt.commands", &m.Commands, dm.Commands)
	setDefault(d, "mqtt.discovery", &m.Discovery, dm.Discovery)
	setDefault(d, "mqtt.discovery_prefix", &m.DiscoveryPrefix, dm.DiscoveryPrefix)
	setDefault(d, "mqtt.confirm_delivery", &m.ConfirmDelivery, dm.ConfirmDelivery)
}

// brokerSchemes are the URL schemes paho dials, and whether each is TLS.
var brokerSchemes = map[string]bool{"mqtt": false, "tcp": false, "ws": false, "mqtts": true, "ssl": true, "tls": true, "wss": true}

// CheckBroker checks a broker URL as the mqtt.broker key and ventd -mqtt
// take it, and says what is wrong in words.
func CheckBroker(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || !strings.Contains(s, "://") {
		return fmt.Errorf("must be a URL like mqtt://broker.local:1883 or mqtts://broker.local:8883 (got %q)", s)
	}
	if u.Hostname() == "" { // mqtt://:1883 would dial this machine, forever
		return fmt.Errorf("%q has no host: give the broker's host name or address, like mqtt://broker.local:1883", s)
	}
	if _, ok := brokerSchemes[u.Scheme]; !ok {
		return fmt.Errorf("scheme %q: use mqtt:// (or tcp://), mqtts:// (TLS), ws:// or wss://", u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%s://...: put the user name in mqtt.username and the password in a file (mqtt.password_file), not in the URL", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q: must be a number from 1 to 65535", p)
		}
	}
	if (u.Path != "" && u.Path != "/" && !strings.HasPrefix(u.Scheme, "ws")) || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: give only scheme, host and port, like mqtt://broker.local:1883", s)
	}
	return nil
}

// BrokerTLS reports whether a broker URL that passed CheckBroker uses TLS.
func BrokerTLS(s string) bool {
	u, err := url.Parse(s)
	return err == nil && brokerSchemes[u.Scheme]
}

var (
	envNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	clientIDRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// CheckTopicPrefix checks a topic prefix (mqtt.topic_prefix,
// mqtt.discovery_prefix): one or more topic levels without wildcards.
func CheckTopicPrefix(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("must not be empty, like ventd or site/ventd")
	case len(s) > 64:
		return fmt.Errorf("must be at most 64 bytes (got %d)", len(s))
	case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("must be plain text without control characters (got %q)", s)
	case strings.ContainsAny(s, "+#"):
		return fmt.Errorf("must not contain the MQTT wildcards + or # (got %q)", s)
	case strings.HasPrefix(s, "$"):
		return fmt.Errorf("must not start with $, which brokers keep for themselves (got %q)", s)
	case strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//"):
		return fmt.Errorf("must be topic levels separated by single slashes, without a leading or trailing one (got %q)", s)
	}
	return nil
}

func (d *decoder) validateMQTT(c *Config) {
	m := c.MQTT
	if m == nil {
		return
	}
	if err := CheckBroker(m.Broker); err != nil {
		d.invalid("mqtt.broker", "%v", err)
	}
	if d.has("mqtt.client_id") && !clientIDRE.MatchString(m.ClientID) {
		d.invalid("mqtt.client_id", "must be 1 to 64 letters, digits, '-', '_' or '.' (got %q); leave it out for ventd-<site>-<room>", m.ClientID)
	} else if len(m.ClientID) > 23 {
		d.warn("mqtt.client_id", "%d characters: MQTT 3.1.1 brokers must accept only 23 and some refuse longer ids; if the broker refuses the connection, shorten it or leave it out (the default fits)", len(m.ClientID))
	}
	if d.has("mqtt.username") && (m.Username == "" || len(m.Username) > 256 || strings.IndexFunc(m.Username, unicode.IsControl) >= 0) {
		d.invalid("mqtt.username", "must be 1 to 256 characters without control characters (got %q)", m.Username)
	}
	switch {
	case m.PasswordFile != "" && m.PasswordEnv != "":
		d.invalid("mqtt.password_env", "give the password one way: password_file or password_env, not both")
	case (m.PasswordFile != "" || m.PasswordEnv != "") && m.Username == "":
		p := "mqtt.password_file"
		if m.PasswordEnv != "" {
			p = "mqtt.password_env"
		}
		d.invalid(p, "needs mqtt.username: MQTT sends a password only with a user name")
	}
	if d.has("mqtt.password_env") && !envNameRE.MatchString(m.PasswordEnv) {
		d.invalid("mqtt.password_env", "must be an environment variable's name, like VENTD_MQTT_PASSWORD (got %q)", m.PasswordEnv)
	}
	tls := BrokerTLS(m.Broker)
	for _, f := range []struct{ key, v string }{{"password_file", m.PasswordFile}, {"ca_file", m.CAFile}, {"cert_file", m.CertFile}, {"key_file", m.KeyFile}} {
		p := "mqtt." + f.key
		if !d.has(p) {
			continue
		}
		switch {
		case !filepath.IsAbs(f.v):
			d.invalid(p, "must be an absolute path, like /etc/ventd/%s (got %q)", strings.TrimSuffix(f.key, "_file"), f.v)
		case f.key != "password_file" && !tls && CheckBroker(m.Broker) == nil:
			d.invalid(p, "applies to a TLS broker only; the broker %s is plain: use mqtts:// (or wss://)", m.Broker)
		}
	}
	if m.Commands && m.Username == "" && m.CertFile == "" && CheckBroker(m.Broker) == nil {
		// The README says to restrict the topic first; a broker that asks
		// no name cannot tell ventd's operators from anyone on the network.
		d.warn("mqtt.commands", "on, with no mqtt.username or client certificate: a broker that asks no name lets anyone who can reach it purge and acknowledge alarms; give ventd a user, and let only the facilities managers write its …/command topic (README: MQTT)")
	}
	if (m.CertFile == "") != (m.KeyFile == "") {
		d.invalid("mqtt.cert_file", "give cert_file and key_file together: a client certificate needs its key")
	}
	for _, k := range []struct{ key, v string }{{"topic_prefix", m.TopicPrefix}, {"discovery_prefix", m.DiscoveryPrefix}} {
		if err := CheckTopicPrefix(k.v); err != nil {
			d.invalid("mqtt."+k.key, "%v", err)
		}
	}
	for _, k := range []struct {
		key      string
		v, lo, h time.Duration
	}{
		{"state_interval", m.StateInterval, time.Second, time.Hour},
		{"keep_alive", m.KeepAlive, 5 * time.Second, 10 * time.Minute},
		{"reconnect_max", m.ReconnectMax, time.Second, 10 * time.Minute},
	} {
		if k.v < k.lo || k.v > k.h {
			d.invalid("mqtt."+k.key, "must be from %s to %s (got %s)", k.lo, k.h, k.v)
		}
	}
	for _, k := range []struct{ key, v string }{{"site", c.Site}, {"room", c.Room}} {
		if strings.TrimSpace(k.v) != "" && TopicLevel(k.v) == "" {
			d.invalid(k.key, "%q has no letter or digit to name its MQTT topics by; add one", k.v)
		}
	}
}

// TopicLevel turns a site or room name into one MQTT topic level: lower
// case, letters and digits kept (any script), runs of anything else
// (spaces, '/', the wildcards + and #) turned into one '-', at most 64
// bytes. "Inhalation room 1" gives "inhalation-room-1". Empty when the name
// has no letter or digit. A longer name is cut and ends in a short hash
// of the whole name, so two rooms named alike up to the cut ("…, room
// number 1" and "…, room number 2") do not share their topics.
func TopicLevel(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	level := b.String()
	if len(level) <= maxTopicLevel {
		return level
	}
	sum := sha256.Sum256([]byte(name))
	cut := level[:maxTopicLevel-7]
	for !utf8.ValidString(cut) { // not inside a letter
		cut = cut[:len(cut)-1]
	}
	return strings.TrimRight(cut, "-") + "-" + hex.EncodeToString(sum[:3])
}

// maxTopicLevel bounds a topic level made from a name, in bytes.
const maxTopicLevel = 64
