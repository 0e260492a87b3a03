package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path"
	"strings"
	"time"
)

// GuardOptions say what Guard lets through.
type GuardOptions struct {
	// AllowedHosts are host names requests may name besides IP addresses,
	// localhost and Hostname (config http.allowed_hosts).
	AllowedHosts []string
	// Hostname is the machine's own name, allowed as is and with .local
	// (mDNS); empty: os.Hostname().
	Hostname string
	// MaxBody bounds a request's body; default DefaultMaxBody.
	MaxBody int64
	// BodyTimeout bounds the time to read a request's body; default
	// DefaultBodyTimeout.
	BodyTimeout time.Duration
}

// Defaults for GuardOptions. ventd's requests are small: the API is read
// with GET, and a form posted to it (an acknowledgement, a purge) is a few
// hundred bytes.
const (
	DefaultMaxBody     = 64 << 10
	DefaultBodyTimeout = 10 * time.Second
)

// Guard wraps the daemon's whole HTTP handler, so that every handler,
// today's and those added later, sits behind it:
//
//   - A request whose Host header names something other than an IP
//     address, localhost, the machine's own name or an allowed name gets
//     403. A web page a staff member opens elsewhere can make its own name
//     resolve to the Pi (DNS rebinding) and so read the room's records
//     through their browser; the Host header, which the browser fills in
//     with the page's name, gives it away.
//   - A request body is cut off at MaxBody (reading past it fails with
//     *http.MaxBytesError, for the handler to answer 413), and must arrive
//     within BodyTimeout: a client trickling a body cannot hold a
//     connection.
//     Requests without a body (GET, and the long-lived event streams)
//     get no read deadline here, as a server-wide ReadTimeout would cancel
//     a long response's context when it expired.
//   - A path that is not clean (//api/state, /a/../metrics) gets 404
//     naming the clean path, where net/http's mux would redirect to it:
//     behind a reverse proxy that serves ventd under a prefix, the
//     redirect's absolute path drops the prefix and sends the browser to
//     another site's page. A doubled slash is most often a proxy rule
//     missing a trailing slash, which the message names.
func Guard(h http.Handler, o GuardOptions) http.Handler {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = DefaultBodyTimeout
	}
	if o.Hostname == "" {
		o.Hostname, _ = os.Hostname()
	}
	allowed := map[string]bool{}
	for _, n := range append(o.AllowedHosts, o.Hostname, o.Hostname+".local") {
		if n = canonicalHost(n); n != "" && n != ".local" {
			allowed[n] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if host, ok := hostAllowed(r.Host, allowed); !ok {
			writeError(w, http.StatusForbidden, fmt.Sprintf("host %q is not a name this ventd answers to: use its IP address, localhost or the Pi's host name, "+
				"or add the name to http.allowed_hosts in ventd's configuration (this check keeps other web pages from reading the room through a browser)", clip(host)))
			return
		}
		if p := r.URL.Path; strings.HasPrefix(p, "/") && cleanPath(p) != p {
			writeError(w, http.StatusNotFound, fmt.Sprintf("%s: not a clean path; ventd's endpoints are named as %s. "+
				"Behind a reverse proxy a doubled slash usually means the proxy's location and target disagree on a trailing slash",
				clip(r.URL.EscapedPath()), clip(cleanPath(p))))
			return
		}
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, o.MaxBody)
			http.NewResponseController(w).SetReadDeadline(time.Now().Add(o.BodyTimeout))
		}
		h.ServeHTTP(w, r)
	})
}

// cleanPath is the path net/http's mux would redirect p to: p without
// doubled slashes, . or .. elements, its trailing slash kept.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// hostAllowed reports whether a Host header names this machine; host is
// the name without its port, for the message.
func hostAllowed(header string, allowed map[string]bool) (host string, ok bool) {
	if header == "" {
		return "", true // HTTP/1.0 without Host: no browser sends that
	}
	host = header
	if h, _, err := net.SplitHostPort(header); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if net.ParseIP(host) != nil {
		return host, true
	}
	name := canonicalHost(host)
	return host, name == "localhost" || strings.HasSuffix(name, ".localhost") || allowed[name]
}

// canonicalHost folds case and a trailing dot: VENTD.example.org. is
// ventd.example.org.
func canonicalHost(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// clip shortens what a message quotes from a request.
func clip(s string) string {
	if len(s) > 60 {
		return strings.ToValidUTF8(s[:60], "") + "…"
	}
	return s
}

// ClientKey is what the bounds per client (connections, live streams, PIN
// attempts) count a client by: an IPv4 address as it is (an IPv4-mapped
// IPv6 one as IPv4), an IPv6 address by its /64, written
// "2001:db8:1:2::/64". A machine holds a whole /64 (SLAAC, privacy
// addresses) and can take as many addresses from it as it likes, so
// counting each address alone would let one machine take every place.
func ClientKey(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
