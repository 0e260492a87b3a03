package main

import (
	"log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/lograte"
)

// Bounds on the HTTP server, against what a client on the network can do
// to a Pi. Write deadlines are per handler (package httpapi): a
// server-wide WriteTimeout would cut the status page's event stream.
const (
	// maxConns connections are served at once; more wait in the kernel's
	// listen queue, costing the daemon nothing, until one closes. Each
	// costs a goroutine and its buffers (tens of KiB): 256 is a few MiB,
	// and far more than the tablets, phones and Prometheus of a room.
	maxConns = 256
	// maxConnsPerClient connections are served at once from one address;
	// a new one past it is closed at once. A wall tablet (a live stream
	// and a few requests), a browser (six connections at most) and a
	// Prometheus server from one address stay far below it; one address
	// sending headers slowly, or opening streams, holds an eighth of
	// maxConns at most.
	maxConnsPerClient = 32
	// connReserve of the maxConns connections are never taken by the
	// status page's live streams (at most config.MaxLiveClients), so
	// polling pages, Prometheus and the API always get in.
	connReserve = 64
	// headerTimeout bounds the time to send a request's headers.
	headerTimeout = 5 * time.Second
	// idleTimeout closes a kept-alive connection with no new request: a
	// tablet polling every few seconds keeps its connection, 2,000 idle
	// ones do not sit open for ever.
	idleTimeout = 30 * time.Second
	// maxHeaderBytes bounds a request's headers (Go adds 4 KiB of slack).
	maxHeaderBytes = 16 << 10
)

// The status page's live streams leave connReserve connections free: the
// constant below does not compile if they could take more.
const _ uint = maxConns - connReserve - config.MaxLiveClients

// serve wraps ln and h with ventd's bounds: at most maxConns connections,
// maxConnsPerClient from one address, the timeouts above, and
// httpapi.Guard (Host check, bounded bodies) around every handler.
func serve(ln net.Listener, h http.Handler, allowedHosts []string, log *slog.Logger) (net.Listener, *http.Server) {
	return limitListener(ln, log), newServer(h, allowedHosts, log)
}

// limitListener bounds ln's connections per client address and in all:
// over its address's bound a connection is closed before it takes one of
// the maxConns places.
func limitListener(ln net.Listener, log *slog.Logger) net.Listener {
	return netutil.LimitListener(limitPerClient(ln, maxConnsPerClient, log), maxConns)
}

// newServer is the HTTP server for h, with the host guard, timeouts and
// header bound.
func newServer(h http.Handler, allowedHosts []string, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           httpapi.Guard(h, httpapi.GuardOptions{AllowedHosts: allowedHosts}),
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(&serverErrors{log: logger, now: time.Now}, "", 0),
	}
}

// serverErrors is the HTTP server's own error log (a failed TLS handshake,
// a broken web configuration file read at each connection): a line per
// connection, so a scanner or a bad edit of -web.config.file would fill
// the journal. Each address and kind of error is logged at lograte's rate.
type serverErrors struct {
	log   *slog.Logger
	now   func() time.Time
	warns lograte.Limiter
}

// fromAddr is net/http's "from 192.0.2.7:51234: " in its messages.
var fromAddr = regexp.MustCompile(`from (\S+?):\d+: `)

func (e *serverErrors) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	key := msg
	if m := fromAddr.FindStringSubmatchIndex(msg); m != nil {
		// One key per address and error, whatever the client's port.
		key = msg[m[2]:m[3]] + " " + msg[:m[0]] + msg[m[1]:]
	}
	if skipped, ok := e.warns.Allow(key, e.now()); ok {
		e.log.Warn(msg, "not_logged_since_last", skipped)
	}
	return len(p), nil
}
