package main

import (
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/lograte"
)

// clientListener bounds the connections open at once from one client
// address (an IPv6 client's /64, httpapi.ClientKey): past the bound a new
// connection is closed at once, so one address (a slow-header attack, a
// runaway script) cannot take every one of the server's maxConns
// connections. Connections whose remote address is not an IP address (a
// Unix socket) are not counted.
type clientListener struct {
	net.Listener
	limit int
	log   *slog.Logger
	now   func() time.Time // for the warnings' rate; time.Now

	mu    sync.Mutex
	open  map[string]int  // by httpapi.ClientKey
	warns lograte.Limiter // refusals logged
}

func limitPerClient(ln net.Listener, limit int, log *slog.Logger) *clientListener {
	return &clientListener{Listener: ln, limit: limit, log: log, now: time.Now, open: map[string]int{}}
}

// Accept returns the next connection from an address under its bound,
// closing those over it.
func (l *clientListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip, ok := remoteIP(c.RemoteAddr())
		if !ok {
			return c, nil
		}
		addr := httpapi.ClientKey(ip)
		l.mu.Lock()
		n := l.open[addr]
		if n >= l.limit {
			skipped, warn := l.warns.Allow(addr, l.now())
			l.mu.Unlock()
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // reset: nothing of it lingers in the kernel
			}
			c.Close()
			if warn {
				l.log.Warn("HTTP: refused a connection: this address already has the most open at once",
					"from", addr, "open", n, "limit", l.limit, "not_logged_since_last", skipped)
			}
			continue
		}
		l.open[addr] = n + 1
		l.mu.Unlock()
		return &clientConn{Conn: c, l: l, addr: addr}, nil
	}
}

// Open is how many connections addr (its /64 for IPv6) has open.
func (l *clientListener) Open(addr netip.Addr) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[httpapi.ClientKey(addr)]
}

func (l *clientListener) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr]--; l.open[addr] <= 0 {
		delete(l.open, addr)
	}
}

func remoteIP(a net.Addr) (netip.Addr, bool) {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, ok := netip.AddrFromSlice(ta.IP)
		return ip.Unmap().WithZone(""), ok
	}
	if a == nil {
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// clientConn gives its address's place back once, on the first Close:
// the server's, a handler's that hijacked it, or a TLS connection's
// around it.
type clientConn struct {
	net.Conn
	l    *clientListener
	addr string // httpapi.ClientKey
	once sync.Once
}

func (c *clientConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.addr) })
	return err
}
