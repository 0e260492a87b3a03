// Package sdnotifytest gives a test the notify socket systemd gives a
// Type=notify service, so the test reads what the service tells systemd.
package sdnotifytest

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Socket is a notify socket the test owns.
type Socket struct{ conn *net.UnixConn }

// Listen opens a notify socket in a temporary directory and points
// NOTIFY_SOCKET at it for the rest of the test.
func Listen(t testing.TB) *Socket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return &Socket{conn: c}
}

// Watchdog gives this process a watchdog of timeout, as WatchdogSec= does.
func Watchdog(t testing.TB, timeout time.Duration) {
	t.Setenv("WATCHDOG_USEC", strconv.FormatInt(timeout.Microseconds(), 10))
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
}

// Next returns the next notification. Its deadline only keeps a broken
// test from hanging; nothing is timed.
func (s *Socket) Next(t testing.TB) string {
	t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 4096)
	n, err := s.conn.Read(buf)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}
