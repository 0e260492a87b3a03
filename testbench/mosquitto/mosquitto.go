// Package mosquitto runs a real mosquitto broker for tests: on a free port
// of 127.0.0.1, with its own configuration file in a temporary directory,
// stopped and started again at the test's command (an outage), and gone
// when the test ends.
package mosquitto

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Options shape the broker.
type Options struct {
	// CertFile and KeyFile, when set, make the listener TLS only.
	CertFile, KeyFile string
	// ClientCAFile, with CertFile, makes the broker require a client
	// certificate signed by this CA.
	ClientCAFile string
	// Passwords, when set, turn anonymous access off: user → password,
	// written with mosquitto_passwd.
	Passwords map[string]string
	// Persistent keeps retained messages and persistent sessions across
	// Stop and Start, as a broker on a site does.
	Persistent bool
	// UnlimitedQueue lets a slow subscriber's queue of QoS 1 messages grow
	// without bound (mosquitto drops past 1000 by default).
	UnlimitedQueue bool
	// MaxPacketSize, when set, makes the broker drop a client that sends
	// a packet larger than this many bytes, as a strict broker does.
	MaxPacketSize int
	// MessageSizeLimit, when set, makes the broker drop every message
	// whose payload is larger than this many bytes. mosquitto 2.0 does so
	// silently for an MQTT 3.1.1 client: a QoS 1 one is acknowledged all
	// the same, and the connection stays up.
	MessageSizeLimit int
	// ACL, when set, is the broker's acl_file, as written on a site
	// ("user NAME" then "topic read|write|readwrite FILTER" lines). With
	// it, mosquitto acknowledges a message its ACL refuses and grants a
	// subscription the client may not read (MQTT 3.1.1), then drops the
	// messages.
	ACL string
}

// Broker is a running (or stopped) mosquitto.
type Broker struct {
	t    testing.TB
	bin  string
	dir  string
	conf string
	// Addr is host:port; URL is mqtt://Addr (or mqtts:// with TLS).
	Addr, URL string
	cmd       *exec.Cmd
	exited    chan struct{}
}

// Program finds one of mosquitto's programs (mosquitto_sub, mosquitto_pub,
// mosquitto_passwd), failing the test under CI=true and skipping it
// otherwise.
func Program(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s is not installed: apt-get install mosquitto mosquitto-clients", name)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// Start runs a broker for the rest of the test.
func Start(t testing.TB, o Options) *Broker {
	t.Helper()
	b := &Broker{t: t, bin: Program(t, "mosquitto"), dir: t.TempDir()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.Addr = ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(b.Addr)
	b.URL = "mqtt://" + b.Addr
	conf := []string{
		"listener " + port + " 127.0.0.1",
		"log_dest file " + filepath.Join(b.dir, "mosquitto.log"),
		"log_type error", "log_type warning", "log_type notice",
		"connection_messages true",
	}
	if os.Geteuid() == 0 {
		conf = append(conf, "user root") // else it drops to a user that cannot read the temp dir
	}
	if o.CertFile != "" {
		conf = append(conf, "certfile "+o.CertFile, "keyfile "+o.KeyFile)
		if o.ClientCAFile != "" {
			conf = append(conf, "cafile "+o.ClientCAFile, "require_certificate true")
		}
		b.URL = "mqtts://" + b.Addr
	}
	if len(o.Passwords) > 0 {
		pw := filepath.Join(b.dir, "passwd")
		passwd := Program(t, "mosquitto_passwd")
		for user, p := range o.Passwords {
			args := []string{"-b", pw, user, p}
			if !fileExists(pw) {
				args = append([]string{"-c"}, args...)
			}
			if out, err := exec.Command(passwd, args...).CombinedOutput(); err != nil {
				t.Fatalf("mosquitto_passwd: %v\n%s", err, out)
			}
		}
		conf = append(conf, "allow_anonymous false", "password_file "+pw)
	} else {
		conf = append(conf, "allow_anonymous true")
	}
	if o.UnlimitedQueue {
		conf = append(conf, "max_queued_messages 0")
	}
	if o.MaxPacketSize > 0 {
		conf = append(conf, fmt.Sprintf("max_packet_size %d", o.MaxPacketSize))
	}
	if o.MessageSizeLimit > 0 {
		conf = append(conf, fmt.Sprintf("message_size_limit %d", o.MessageSizeLimit))
	}
	if o.ACL != "" {
		acl := filepath.Join(b.dir, "acl")
		if err := os.WriteFile(acl, []byte(o.ACL), 0o600); err != nil {
			t.Fatal(err)
		}
		conf = append(conf, "acl_file "+acl)
	}
	if o.Persistent {
		conf = append(conf, "persistence true", "persistence_location "+b.dir+"/", "autosave_interval 1")
	}
	b.conf = filepath.Join(b.dir, "mosquitto.conf")
	if err := os.WriteFile(b.conf, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Start()
	t.Cleanup(b.Stop)
	return b
}

// Start runs the broker again after Stop, on the same port and files.
func (b *Broker) Start() {
	b.t.Helper()
	if b.cmd != nil {
		return
	}
	cmd := exec.Command(b.bin, "-c", b.conf)
	out, err := os.Create(filepath.Join(b.dir, "stderr"))
	if err != nil {
		b.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		b.t.Fatalf("mosquitto: %v", err)
	}
	out.Close()
	b.cmd, b.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(b.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", b.Addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-b.exited:
			b.cmd = nil
			b.t.Fatalf("mosquitto exited at start:\n%s", b.Log())
		default:
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquitto does not listen on %s after 10 s:\n%s", b.Addr, b.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the broker as a service manager does (SIGTERM), so a
// persistent broker saves its sessions; clients see the connection drop.
func (b *Broker) Stop() {
	if b.cmd == nil {
		return
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-b.exited
	}
	b.cmd = nil
}

// Log returns the broker's log so far.
func (b *Broker) Log() string {
	l, _ := os.ReadFile(filepath.Join(b.dir, "mosquitto.log"))
	e, _ := os.ReadFile(filepath.Join(b.dir, "stderr"))
	return string(l) + string(e)
}
