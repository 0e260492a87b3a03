package main

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/ventd/ventd/httpapi"
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
	// headerTimeout bounds the time to send a request's headers.
	headerTimeout = 5 * time.Second
	// idleTimeout closes a kept-alive connection with no new request: a
	// tablet polling every few seconds keeps its connection, 2,000 idle
	// ones do not sit open for ever.
	idleTimeout = 30 * time.Second
	// maxHeaderBytes bounds a request's headers (Go adds 4 KiB of slack).
	maxHeaderBytes = 16 << 10
)

// serve wraps ln and h with ventd's bounds: at most maxConns connections,
// the timeouts above, and httpapi.Guard (Host check, bounded bodies)
// around every handler.
func serve(ln net.Listener, h http.Handler, allowedHosts []string, log *slog.Logger) (net.Listener, *http.Server) {
	return netutil.LimitListener(ln, maxConns), &http.Server{
		Handler:           httpapi.Guard(h, httpapi.GuardOptions{AllowedHosts: allowedHosts}),
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
