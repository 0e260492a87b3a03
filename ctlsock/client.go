package ctlsock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

// ErrNoDaemon matches the error of a request when nothing listens on the
// socket: ventd is not running, or runs without a control socket.
var ErrNoDaemon = errors.New("no ventd listening")

type noDaemonError struct{ path string }

func (e *noDaemonError) Error() string {
	return fmt.Sprintf("no ventd at %s: is it running? (systemctl status ventd)", e.path)
}

func (e *noDaemonError) Is(target error) bool { return target == ErrNoDaemon }

// Error is the daemon's answer to a request it did not carry out. Its text
// is the daemon's message.
type Error struct {
	Status  int // HTTP status: 400 a malformed request, 422 refused by the daemon
	Message string
}

func (e *Error) Error() string { return e.Message }

// Client talks to a daemon's control socket.
type Client struct {
	path string
	hc   *http.Client
}

// Dial returns a client of the socket at path. It connects per request,
// so it never fails itself; a request to a daemon that is not there fails
// with an error matching ErrNoDaemon.
func Dial(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		DisableKeepAlives: true, // one request per command: nothing to keep
	}
	// A recalibration waits on the loop up to the server's limit.
	return &Client{path: path, hc: &http.Client{Transport: tr, Timeout: waitFor + 10*time.Second}}
}

// Path returns the socket's path.
func (c *Client) Path() string { return c.path }

// Ping checks that a daemon answers, and returns its process id.
func (c *Client) Ping(ctx context.Context) (pid int, err error) {
	var rep reply
	err = c.do(ctx, http.MethodGet, "/v1/ping", nil, &rep)
	return rep.PID, err
}

// Purge asks the daemon to purge zone (every booth if empty) and returns
// what it did, in words; who is the person asking and reason why, both
// journaled (with the uid the kernel reports for this process).
func (c *Client) Purge(ctx context.Context, zone, who, reason string) (string, error) {
	var rep reply
	err := c.do(ctx, http.MethodPost, "/v1/purge", purgeRequest{Zone: zone, Who: who, Reason: reason}, &rep)
	return rep.Result, err
}

// CancelPurge ends a purge of zone (every booth if empty) early.
func (c *Client) CancelPurge(ctx context.Context, zone, who string) (string, error) {
	var rep reply
	err := c.do(ctx, http.MethodPost, "/v1/purge", purgeRequest{Zone: zone, Cancel: true, Who: who}, &rep)
	return rep.Result, err
}

// Acknowledge acknowledges the active alarm alarmID, or every active
// alarm when alarmID is 0, for who with an optional note, and says which.
func (c *Client) Acknowledge(ctx context.Context, alarmID uint64, who, note string) (string, error) {
	var rep reply
	err := c.do(ctx, http.MethodPost, "/v1/ack", ackRequest{AlarmID: alarmID, All: alarmID == 0, Who: who, Note: note}, &rep)
	return rep.Result, err
}

// Calibrate runs a forced recalibration of the CO2 sensor named sensor at
// referencePPM and returns the correction it applied, in ppm. The daemon
// refuses a reference far from what the sensor reads unless force is set.
func (c *Client) Calibrate(ctx context.Context, sensor string, referencePPM int, force bool, who, note string) (int, error) {
	var rep reply
	err := c.do(ctx, http.MethodPost, "/v1/calibrate", calibrateRequest{Sensor: sensor, ReferencePPM: referencePPM, Force: force, Who: who, Note: note}, &rep)
	if err != nil || rep.CorrectionPPM == nil {
		return 0, err
	}
	return *rep.CorrectionPPM, nil
}

func (c *Client) do(ctx context.Context, method, path string, body any, out *reply) error {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://ventd"+path, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.dialError(err)
	}
	defer resp.Body.Close()
	var rep reply
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return fmt.Errorf("control socket %s: unreadable answer (HTTP %d): %v: is a ventd of the same version listening there?", c.path, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || !rep.OK {
		msg := rep.Error
		if msg == "" {
			msg = fmt.Sprintf("control socket %s: HTTP %d", c.path, resp.StatusCode)
		}
		return &Error{Status: resp.StatusCode, Message: msg}
	}
	if out != nil {
		*out = rep
	}
	return nil
}

// dialError says what a technician can do about a failed connection.
func (c *Client) dialError(err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) && !isSocket(c.path), errors.Is(err, syscall.ENOTSOCK):
		return fmt.Errorf("control socket %s: not a socket (a file or directory is there); give ventd's socket with -socket (default %s)", c.path, DefaultPath)
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED):
		return &noDaemonError{path: c.path}
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("control socket %s: permission denied: run as root or as a member of ventd's group (sudo ventctl ...)", c.path)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		// The connection was taken, then closed unanswered: ventd was
		// stopping (a restart, an update). A purge it did not answer
		// may or may not have been journaled; the log says which.
		return fmt.Errorf("control socket %s: ventd closed the connection without answering (it was stopping or restarting?); the request may not have run: check with systemctl status ventd and ask again", c.path)
	}
	return fmt.Errorf("control socket %s: %w", c.path, err)
}

// isSocket reports whether path is a socket file (a stale one too).
func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}
