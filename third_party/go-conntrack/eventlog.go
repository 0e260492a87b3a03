package conntrack

// This is ventd's copy of github.com/mwitkow/go-conntrack at
// v0.0.0-20190716064945-2f068394615f (Apache 2.0, see LICENSE), put in
// place of the module by a replace directive in ventd's go.mod. Its one
// change: DialWithTracing and TrackWithTracing record nothing, so the
// package no longer imports golang.org/x/net/trace.
//
// Why: ventd links this package only through exporter-toolkit's
// prometheus/common/config, and never dials or listens through it. But
// x/net/trace's init registers /debug/requests and /debug/events pages on
// http.DefaultServeMux (which ventd does not serve), rendered with
// html/template, and a program that can call methods by name through
// reflect, as templates do, keeps every exported method of every type it
// links. Without it ventd maps 2.3 MB less of its binary and keeps about
// 1.2 MiB fewer of its pages resident (ventd's docs/performance-rounds.md: "What the Pi build links").

// eventLog is the part of x/net/trace's EventLog the wrappers call; it
// is always nil here.
type eventLog interface {
	Printf(format string, a ...interface{})
	Errorf(format string, a ...interface{})
	Finish()
}
