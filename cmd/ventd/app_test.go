package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench"
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

// A way of handing code pages back that fails is not tried again, and
// the next one is used from then on: ventd goes on trimming where the page
// cache cannot be told to drop its file (coldtext.Evict), as it did
// before it could.
func TestTrimColdTextFallsBackToTheNextWay(t *testing.T) {
	var evicts, trims atomic.Int32
	evict := func() (int64, error) { evicts.Add(1); return 0, errors.New("fadvise: not permitted") }
	trim := func() (int64, error) { trims.Add(1); return 1, nil }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	var logs testbench.LogBuffer
	go func() {
		defer close(done)
		trimColdText(ctx, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), []func() (int64, error){evict, trim}, time.Millisecond, time.Millisecond)
	}()
	for deadline := time.Now().Add(10 * time.Second); trims.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("after the failing way, the next was used %d times in 10 s; want it each time", trims.Load())
		}
	}
	cancel()
	<-done
	if n := evicts.Load(); n != 1 {
		t.Errorf("the failing way was tried %d times, want once", n)
	}
	if !strings.Contains(logs.String(), "trying the next way") || !strings.Contains(logs.String(), "fadvise: not permitted") {
		t.Errorf("the log does not say why: %q", logs.String())
	}
}

// A hand-back whose only way fails stops trying and says so.
func TestTrimColdTextStopsWhenNoWayWorks(t *testing.T) {
	var calls atomic.Int32
	fail := func() (int64, error) { calls.Add(1); return 0, errors.New("no /proc") }
	done := make(chan struct{})
	go func() {
		defer close(done)
		trimColdText(t.Context(), slog.New(slog.DiscardHandler), []func() (int64, error){fail}, time.Millisecond, time.Millisecond)
	}()
	<-done // returns by itself
	if n := calls.Load(); n != 1 {
		t.Errorf("tried %d times, want once", n)
	}
}
