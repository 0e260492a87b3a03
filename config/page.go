package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Page configures the status page staff read on a wall tablet or a phone.
// Reading it needs nothing; purging a booth and acknowledging an alarm
// from it need the staff PIN.
type Page struct {
	// PINHash is the bcrypt hash of the staff PIN (`ventctl hash-pin`
	// makes one). Without it the page shows the room but its purge and
	// acknowledge buttons are off; the purge button on the wall and
	// ventctl still work. Never the PIN itself: anyone who can read the
	// config could read it.
	PINHash string `yaml:"pin_hash,omitempty"`
	// Sound lets the page beep when an alarm is raised, once someone has
	// switched sound on at the tablet (browsers play no sound before a
	// touch). Default false.
	Sound bool `yaml:"sound"`
	// StaleAfter is how long the page waits for an update before it says
	// loudly that what it shows is old, from 2s to 10s. Default 5s (five
	// control periods).
	StaleAfter time.Duration `yaml:"stale_after"`
	// MaxClients bounds the pages connected for live updates at once, 1
	// to 2000, of which the page serves at most MaxLiveClients (192): more
	// fall back to asking every few seconds. Default 128 (ventd's choice:
	// a site's tablets and phones, many times over). Each live page holds
	// one of the HTTP server's 256 connections for as long as it is open,
	// so the live pages together never take the 64 that polling pages,
	// Prometheus and the API need. (Values above 192 are accepted because
	// older versions accepted them up to 2000.)
	MaxClients int `yaml:"max_clients"`
	// ClientAttemptsPerMinute bounds the wrong PINs given to the status
	// page from one address, 1 to 60 (a right PIN is not counted). Default
	// 6 (ventd's choice: enough for a responder who mistypes, too few to
	// guess a PIN).
	ClientAttemptsPerMinute int `yaml:"client_attempts_per_minute"`
	// AttemptsPerMinute bounds them from every address together, from the
	// per-client bound to 600. Default 30. An address that gave the right
	// PIN within a day keeps only its own bound, so others' wrong guesses
	// never lock it out.
	AttemptsPerMinute int `yaml:"attempts_per_minute"`
	// Tablets are the addresses or networks of the site's wall tablets
	// ("192.168.10.21", "192.168.10.16/28", "fd00:1:2:3::/64"). Each keeps
	// only its own bound on wrong PINs from its first attempt, outside
	// the one every address shares, so guesses from elsewhere never lock
	// a tablet out of a purge, not even right after ventd restarts or
	// before the tablet's first right PIN. Default none. At most 64, no
	// wider than a /16 (IPv4) or a /48 (IPv6): a network that wide is
	// not the site's tablets.
	Tablets []string `yaml:"tablets,omitempty"`
}

// IsTablet reports whether addr is one of page.tablets.
func (p Page) IsTablet(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, t := range p.Tablets {
		if pre, err := parseTablet(t); err == nil && pre.Contains(addr) {
			return true
		}
	}
	return false
}

// parseTablet reads one page.tablets entry: an address, or a network in
// CIDR form.
func parseTablet(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pre, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if pre.Addr().Is4In6() && pre.Bits() >= 96 { // ::ffff:192.168.10.0/120 is 192.168.10.0/24
			pre = netip.PrefixFrom(pre.Addr().Unmap(), pre.Bits()-96)
		}
		return pre.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// MaxLiveClients is the most pages the status page serves live updates to
// at once, whatever page.max_clients says: ventd's HTTP server serves 256
// connections at once (cmd/ventd) and keeps at least 64 of them for
// polling pages, Prometheus and the API.
const MaxLiveClients = 192

// MinPINLength is the shortest staff PIN ventctl hash-pin accepts: with
// the default 30 attempts a minute, six digits take weeks to guess.
const MinPINLength = 6

// PINCost is the bcrypt cost of the PINs ventctl hash-pin makes: tens of
// milliseconds on a desktop, a few hundred on a Pi, a wait a person does
// not notice and a guesser cannot afford.
const PINCost = 10

// bcrypt costs the page accepts: below 10 a stolen hash falls to a search
// of every 6-digit PIN in seconds; above 14 each attempt takes seconds on
// a Pi.
const (
	minPINCost = 10
	maxPINCost = 14
)

// HashPIN returns the bcrypt hash of pin for page.pin_hash.
func HashPIN(pin string) (string, error) {
	pin = strings.TrimSpace(pin)
	if len([]rune(pin)) < MinPINLength {
		return "", &Error{Path: "page.pin_hash", Msg: "the PIN must have at least 6 characters: a shorter one is guessed too soon"}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pin), PINCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPIN reports whether pin matches the configured hash; false when no
// hash is set.
func (p Page) CheckPIN(pin string) bool {
	if p.PINHash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(p.PINHash), []byte(strings.TrimSpace(pin))) == nil
}

func (d *decoder) validatePage(c *Config) {
	p := c.Page
	if p.PINHash != "" {
		cost, err := bcrypt.Cost([]byte(p.PINHash))
		switch {
		case err != nil:
			d.invalid("page.pin_hash", "must be a bcrypt hash like \"$2a$10$...\", as `ventctl hash-pin` prints it, never the PIN itself (%v)", err)
		case cost < minPINCost || cost > maxPINCost:
			d.invalid("page.pin_hash", "has bcrypt cost %d: use %d to %d (`ventctl hash-pin` uses %d); a lower cost makes a stolen hash easy to search, a higher one makes each attempt take seconds on a Pi", cost, minPINCost, maxPINCost, PINCost)
		}
	}
	if p.StaleAfter < 2*time.Second || p.StaleAfter > 10*time.Second {
		d.invalid("page.stale_after", "must be from 2s to 10s (got %s): shorter flashes on a busy network, longer leaves staff trusting old air readings", p.StaleAfter)
	}
	if p.MaxClients < 1 || p.MaxClients > 2000 {
		d.invalid("page.max_clients", "must be from 1 to 2000 (got %d); ventd serves at most %d pages live whatever it says", p.MaxClients, MaxLiveClients)
	}
	clientOK := p.ClientAttemptsPerMinute >= 1 && p.ClientAttemptsPerMinute <= 60
	if !clientOK {
		d.invalid("page.client_attempts_per_minute", "must be from 1 to 60 (got %d): the bound on PIN guesses from one address", p.ClientAttemptsPerMinute)
	}
	switch {
	case p.AttemptsPerMinute > 600:
		d.invalid("page.attempts_per_minute", "must be at most 600 (got %d): the bound on PIN guesses from everywhere", p.AttemptsPerMinute)
	case p.AttemptsPerMinute < p.ClientAttemptsPerMinute && clientOK:
		d.invalid("page.attempts_per_minute", "must be at least page.client_attempts_per_minute, %d%s (got %d)", p.ClientAttemptsPerMinute, d.defaulted("page.client_attempts_per_minute"), p.AttemptsPerMinute)
	}
	if len(p.Tablets) > 64 {
		d.invalid("page.tablets", "lists %d entries; at most 64 (the site's wall tablets: list a network like 192.168.10.16/28 instead)", len(p.Tablets))
		return
	}
	for i, t := range p.Tablets {
		path := fmt.Sprintf("page.tablets[%d]", i)
		pre, err := parseTablet(t)
		switch {
		case err != nil:
			d.invalid(path, "must be an IP address like 192.168.10.21 or a network like 192.168.10.16/28 (got %q: %v)", t, err)
		case pre.Addr().Is4() && pre.Bits() < 16, !pre.Addr().Is4() && pre.Bits() < 48:
			d.invalid(path, "%s is too wide for a site's tablets (at most a /16 for IPv4, a /48 for IPv6): every address in it would skip the shared bound on PIN guesses; list the tablets' own addresses or their small network", t)
		}
	}
}
