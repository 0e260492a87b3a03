package ctlsock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ventd/ventd/record"
)

// DefaultPath is where ventd listens on a Pi (systemd's RuntimeDirectory
// /run/ventd) and where ventctl looks for it.
const DefaultPath = "/run/ventd/ventd.sock"

// Mode is the socket's permission: root and ventd's group only.
const Mode os.FileMode = 0o660

// Controller is what the socket drives: *daemon.Daemon. Each method
// answers what it did in words, or why it refused.
type Controller interface {
	Purge(ctx context.Context, zone string, by record.Actor, reason string) (string, error)
	CancelPurge(ctx context.Context, zone string, by record.Actor) (string, error)
	Acknowledge(ctx context.Context, alarmID uint64, by record.Actor, note string) (string, error)
	ForcedRecalibration(ctx context.Context, sensor string, referencePPM int, force bool, by record.Actor, note string) (int, error)
}

// ErrInUse means another daemon is listening on the socket path.
var ErrInUse = errors.New("another ventd is listening there")

// maxPath is the longest unix socket path Linux takes (sun_path has 108
// bytes with its terminating NUL); the temporary name used while the
// socket is set up is a few bytes longer.
const maxPath = 107

// Serve listens on the unix socket at path and serves c until ctx is done,
// then removes the socket file. A socket file left by a daemon that died
// is replaced; one that another daemon still answers on is an error
// wrapping ErrInUse, and so is anything there that is not a socket.
func Serve(ctx context.Context, path string, c Controller, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	ln, err := listen(path)
	if err != nil {
		return err
	}
	return serve(ctx, ln, path, c, log)
}

// serve runs the HTTP server on ln until ctx is done.
func serve(ctx context.Context, ln net.Listener, path string, c Controller, log *slog.Logger) error {
	mine, _ := os.Stat(path)
	srv := &http.Server{
		Handler:           newHandler(c, log),
		ReadHeaderTimeout: 5 * time.Second,
		// A request is a few short strings: a client that trickles its
		// body or never reads the answer is cut off.
		ReadTimeout: 10 * time.Second, WriteTimeout: waitFor + 5*time.Second, IdleTimeout: time.Minute,
		ConnContext: withPeer,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		srv.Shutdown(sctx)
		cancel()
		<-errc
	case err = <-errc:
		err = fmt.Errorf("control socket %s: %w", path, err)
	}
	// Remove the file only if it is still ours: a daemon started since may
	// have replaced a socket it took for stale.
	if now, serr := os.Stat(path); serr == nil && mine != nil && os.SameFile(mine, now) {
		os.Remove(path)
	}
	return err
}

// listen creates the socket at path with Mode. The socket is bound in a
// private directory, given its mode, then renamed into place, so there is
// no moment when anyone else could connect to it.
func listen(path string) (net.Listener, error) {
	if path == "" {
		return nil, errors.New("control socket: empty path")
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("control socket %s: "+format, append([]any{path}, a...)...)
	}
	if len(path) > maxPath-16 {
		return nil, fail("path is %d bytes; a unix socket path must be under %d: choose a shorter one", len(path), maxPath-16)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fail("%v (create %s, e.g. with systemd's RuntimeDirectory=ventd, or choose another path)", err, dir)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != os.ModeSocket {
			what := "a file"
			switch {
			case fi.IsDir():
				what = "a directory"
			case fi.Mode().Type()&os.ModeSymlink != 0:
				what = "a symbolic link"
			}
			// Not ErrInUse: nothing says another ventd is there.
			return nil, fail("%s is there, not a socket: move it away or choose another path", what)
		}
		if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
			conn.Close()
			return nil, fail("%w: stop it first (systemctl stop ventd) or give this one another socket path", ErrInUse)
		} else if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fail("cannot tell whether another ventd is listening there: %v", err)
		}
		// Nobody answers: a daemon died without removing it.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fail("removing the stale socket: %v", err)
		}
	}
	tmp, err := os.MkdirTemp(dir, ".s")
	if err != nil {
		return nil, fail("%v", err)
	}
	defer os.RemoveAll(tmp)
	tmpPath := filepath.Join(tmp, "s")
	ln, err := net.Listen("unix", tmpPath)
	if err != nil {
		return nil, fail("%v", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // renamed below; serve removes it
	if err := os.Chmod(tmpPath, Mode); err != nil {
		ln.Close()
		return nil, fail("%v", err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		ln.Close()
		return nil, fail("%v", err)
	}
	return ln, nil
}
