package config

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

// HTTP guards the HTTP server (Listen) against what reaches it over the
// network.
type HTTP struct {
	// AllowedHosts are the host names, besides IP addresses, localhost and
	// the Pi's own host name (with .local), that requests may name in
	// their Host header: the name a wall tablet or Prometheus reaches ventd
	// by, like ventd-room1.example.org. Any other name is refused, so that
	// a web page a staff member opens cannot rename itself to the Pi's
	// address (DNS rebinding) and read the room's records through their
	// browser. Default none.
	AllowedHosts []string `yaml:"allowed_hosts,omitempty"`
}

// hostRE is a DNS name: dot-separated labels of letters, digits and '-'.
var hostRE = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$`)

func (d *decoder) validateHTTP(c *Config) {
	hosts := c.HTTP.AllowedHosts
	if len(hosts) > 64 {
		d.invalid("http.allowed_hosts", "lists %d names; at most 64 (the names the site's clients use for this Pi)", len(hosts))
		return
	}
	for i, h := range hosts {
		p := fmt.Sprintf("http.allowed_hosts[%d]", i)
		switch {
		case strings.Contains(h, "://"):
			d.invalid(p, "write the host name alone, like ventd.example.org, without the scheme (got %q)", h)
		case net.ParseIP(strings.Trim(h, "[]")) != nil:
			d.invalid(p, "%s is an IP address, and IP addresses are always allowed: remove it", h)
		case strings.Contains(h, ":"):
			d.invalid(p, "write the host name without the port, like ventd.example.org (got %q)", h)
		case len(h) > 253 || !hostRE.MatchString(h):
			d.invalid(p, "must be a host name of letters, digits, '-' and '.', like ventd.example.org (got %q)", h)
		}
	}
}
