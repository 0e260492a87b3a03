package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPageDefaults(t *testing.T) {
	c, err := Parse([]byte(base), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Page, DefaultPage()) || c.Page.PINHash != "" || c.Page.Sound || c.Page.StaleAfter != 5*time.Second ||
		c.Page.MaxClients != 128 || c.Page.ClientAttemptsPerMinute != 6 || c.Page.AttemptsPerMinute != 30 {
		t.Errorf("page %+v", c.Page)
	}
	if c.Page.CheckPIN("") || c.Page.CheckPIN("123456") {
		t.Error("a page without a PIN hash accepted a PIN")
	}
}

func TestHashPIN(t *testing.T) {
	h, err := HashPIN(" 482916\n")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte(base+"page: {pin_hash: '"+h+"', sound: true, max_clients: 10}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := c.Page
	if !p.CheckPIN("482916") || p.CheckPIN("482917") || !p.Sound || p.MaxClients != 10 || p.StaleAfter != 5*time.Second {
		t.Errorf("page %+v", p)
	}
	if _, err := HashPIN("12345"); err == nil || !strings.Contains(err.Error(), "at least 6") {
		t.Errorf("a 5-character PIN: %v", err)
	}
}

func TestPageMistakes(t *testing.T) {
	line := strings.Count(base, "\n") + 2 // the key's line under "page:"
	for _, c := range []struct{ key, path, msg string }{
		{"pin_hash: '482916'", "page.pin_hash", "never the PIN itself"},
		// A valid bcrypt hash at cost 4: quick to search if stolen.
		{"pin_hash: '$2a$04$3lnXNs6NLd0ybYBJ9V4r8O6E0vWb7dJ1a0u0Dvi6sBz6vJ0XYv8yu'", "page.pin_hash", "cost 4"},
		{"stale_after: 30s", "page.stale_after", "from 2s to 10s"},
		{"stale_after: 1s", "page.stale_after", "from 2s to 10s"},
		{"max_clients: 0", "page.max_clients", "from 1 to 2000"},
		{"max_clients: 2001", "page.max_clients", "at most 192 pages live"},
		{"client_attempts_per_minute: 100", "page.client_attempts_per_minute", "from 1 to 60"},
		{"attempts_per_minute: 5", "page.attempts_per_minute", "at least page.client_attempts_per_minute, 6 (the default)"},
		{"attempts_per_minute: 601", "page.attempts_per_minute", "at most 600"},
		{"sound: yes please", "page.sound", "true or false"},
		{"pin: '482916'", "page.pin", "unknown key"},
		{"tablets: [192.168.10.300]", "page.tablets[0]", "an IP address like 192.168.10.21 or a network like 192.168.10.16/28"},
		{"tablets: [192.168.10.21, tablet-1.local]", "page.tablets[1]", `got "tablet-1.local"`},
		{"tablets: [0.0.0.0/0]", "page.tablets[0]", "too wide"},
		{"tablets: [10.0.0.0/8]", "page.tablets[0]", "at most a /16"},
		{"tablets: ['fd00::/16']", "page.tablets[0]", "a /48 for IPv6"},
	} {
		t.Run(c.path, func(t *testing.T) {
			wantOneError(t, base+"page:\n  "+c.key+"\n", line, c.path, c.msg)
		})
	}
}

// The default max_clients leaves room under the bound the page enforces
// (statuspage serves at most MaxLiveClients live, whatever the config
// says), and a larger value that older versions accepted still loads.
func TestPageMaxClientsBound(t *testing.T) {
	if d := DefaultPage().MaxClients; d > MaxLiveClients {
		t.Errorf("the default max_clients %d is above the bound %d", d, MaxLiveClients)
	}
	c, err := Parse([]byte(base+"page:\n  max_clients: 256\n"), "test.yaml")
	if err != nil || c.Page.MaxClients != 256 {
		t.Errorf("max_clients 256 (the old example config): %v", err)
	}
}

// page.tablets takes addresses and networks, IPv4 given as IPv6 too.
func TestPageTablets(t *testing.T) {
	c, err := Parse([]byte(base+"page:\n  tablets: [192.168.10.21, 192.168.20.0/28, '::ffff:192.168.30.0/120', 'fd00:1:2:3::/64']\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{
		"192.168.10.21": true, "192.168.10.22": false, "::ffff:192.168.10.21": true,
		"192.168.20.15": true, "192.168.20.16": false, "192.168.30.200": true, "192.168.31.1": false,
		"fd00:1:2:3::99": true, "fd00:1:2:4::1": false,
	} {
		if got := c.Page.IsTablet(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IsTablet(%s) = %v, want %v", addr, got, want)
		}
	}
}
