package main

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/ventd/ventd/config"
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
func newServer(h http.Handler, allowedHosts []string, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           httpapi.Guard(h, httpapi.GuardOptions{AllowedHosts: allowedHosts}),
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
