package main

import (
	"context"
	"io"
	"testing"
)

// newTestApp parses args as ventd's command line and builds the daemon as
// main does, logging to logs; ctx ends with cancel or the test.
func newTestApp(tb testing.TB, logs io.Writer, args ...string) (a *app, ctx context.Context, cancel context.CancelFunc) {
	tb.Helper()
	f, err := parseFlags(args, logs)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	if a, err = newApp(ctx, f, logs); err != nil {
		tb.Fatal(err)
	}
	return a, ctx, cancel
}
