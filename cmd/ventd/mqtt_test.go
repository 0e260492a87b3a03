package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/mosquitto"
	"github.com/ventd/ventd/testbench/ventdproc"
)

// lines follows a process's output line by line.
type lines struct {
	t  *testing.T
	ch chan string
}

func follow(t *testing.T, r io.Reader) *lines {
	l := &lines{t: t, ch: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			l.ch <- sc.Text()
		}
		close(l.ch)
	}()
	return l
}

// wait returns the first line (from here on) that ok accepts.
func (l *lines) wait(what string, ok func(string) bool) string {
	l.t.Helper()
	deadline := time.After(time.Minute)
	for {
		select {
		case s, open := <-l.ch:
			if !open {
				l.t.Fatalf("output ended before %s", what)
			}
			if ok(s) {
				return s
			}
		case <-deadline:
			l.t.Fatalf("no %s within a minute", what)
		}
	}
}

// start runs a program for the rest of the test and follows its output.
func start(t *testing.T, name string, args ...string) (*exec.Cmd, *lines) {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, follow(t, out)
}

func brokerArgs(url string) []string {
	hostPort := strings.TrimPrefix(url, "mqtt://")
	host, port, _ := strings.Cut(hostPort, ":")
	return []string{"-h", host, "-p", port}
}

// The README's quick try: ventd -sim -mqtt URL, watched with mosquitto_sub;
// a kill -9 leaves the broker to announce the room offline (the last will).
func TestMQTTOnlineAndLastWillAfterKill9(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	sub := mosquitto.Program(t, "mosquitto_sub")
	bin := ventdBinary(t)
	_, watch := start(t, sub, append(brokerArgs(b.URL), "-v", "-t", "ventd/+/+/availability", "-t", "ventd/+/+/state")...)
	ventd, log := start(t, bin, "-sim", "-sim-speed", "10", "-listen", "127.0.0.1:0", "-state-dir", t.TempDir(), "-mqtt", b.URL)
	var addr string
	connected := false
	log.wait("the HTTP address and the connection", func(s string) bool {
		if a, ok := ventdproc.Addr(s); ok && addr == "" {
			addr = a
		}
		connected = connected || strings.Contains(s, "mqtt: connected")
		return connected && addr != ""
	})
	watch.wait("online", func(s string) bool { return s == "ventd/simulated-ops/simulated-room/availability online" })
	// /metrics says so too, for an alert on the facilities managers' path;
	// and, once ventd's own "online" came back from the broker, that the
	// broker passes its messages on.
	confirmed := regexp.MustCompile(`(?m)^ventd_mqtt_delivery_confirmed\{[^}]*\} 1$`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := poll(addr, "/metrics")
		if err != nil {
			t.Error(err)
			break
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !regexp.MustCompile(`(?m)^ventd_mqtt_connected\{[^}]*\} 1$`).Match(body) || !strings.Contains(string(body), "ventd_mqtt_connections_total") {
			t.Errorf("/metrics while connected has no ventd_mqtt_connected 1:\n%s", grepLines(string(body), "ventd_mqtt"))
			break
		}
		if confirmed.Match(body) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("/metrics never had ventd_mqtt_delivery_confirmed 1:\n%s", grepLines(string(body), "ventd_mqtt"))
			break
		}
	}
	state := watch.wait("the state", func(s string) bool { return strings.HasPrefix(s, "ventd/simulated-ops/simulated-room/state ") })
	var snap snapshot.Snapshot
	if err := json.Unmarshal([]byte(strings.TrimPrefix(state, "ventd/simulated-ops/simulated-room/state ")), &snap); err != nil || snap.Room != "Simulated room" {
		t.Errorf("state: %v %+v", err, snap)
	}
	ventd.Process.Kill() // SIGKILL: no goodbye from ventd
	watch.wait("the last will", func(s string) bool { return s == "ventd/simulated-ops/simulated-room/availability offline" })
	_, again := start(t, sub, append(brokerArgs(b.URL), "-C", "1", "-t", "ventd/simulated-ops/simulated-room/availability")...)
	if got := again.wait("the retained availability", func(string) bool { return true }); got != "offline" {
		t.Errorf("retained availability after the kill: %q", got)
	}
}

var brokerRE = regexp.MustCompile(`msg=MQTT broker=(mqtt://\S+)`)

// ventd -mqtt-broker serves a broker of its own: a try with nothing else.
func TestEmbeddedBroker(t *testing.T) {
	sub := mosquitto.Program(t, "mosquitto_sub")
	_, log := start(t, ventdBinary(t), "-sim", "-sim-speed", "10", "-listen", "127.0.0.1:0", "-mqtt-broker", "127.0.0.1:0")
	url := brokerRE.FindStringSubmatch(log.wait("the broker's address", brokerRE.MatchString))[1]
	_, got := start(t, sub, append(brokerArgs(url), "-C", "1", "-t", "ventd/simulated-ops/simulated-room/state")...)
	var snap snapshot.Snapshot
	if err := json.Unmarshal([]byte(got.wait("the state", func(string) bool { return true })), &snap); err != nil || len(snap.Readings) == 0 {
		t.Errorf("state from the embedded broker: %v %+v", err, snap)
	}
}

func TestMQTTFlagsAreChecked(t *testing.T) {
	for args, want := range map[string]string{
		"-sim -mqtt http://broker":     `-mqtt: scheme "http": use mqtt://`,
		"-sim -mqtt broker:1883":       "-mqtt: must be a URL like mqtt://broker.local:1883",
		"-sim -mqtt-broker 1883":       `-mqtt-broker "1883": want host:port`,
		"-sim -mqtt mqtt://u:p@b:1883": "password in a file",
	} {
		var stderr strings.Builder
		if code := run(t.Context(), strings.Fields(args), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), want) {
			t.Errorf("ventd %s: exit %d, %q; want 2 and %q", args, code, stderr.String(), want)
		}
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A password file that is not there yet turns MQTT off, not ventd: the
// fans, the page and the journal run, and the log says what to fix.
func TestMissingPasswordFileLeavesVentdRunning(t *testing.T) {
	sim, err := os.ReadFile("../../config/sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pw := filepath.Join(dir, "mqtt-password")
	cfg := filepath.Join(dir, "ventd.yaml")
	mq := "\nmqtt:\n  broker: mqtt://127.0.0.1:1\n  username: ventd\n  password_file: " + pw + "\n"
	if err := os.WriteFile(cfg, append(sim, mq...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, log := start(t, ventdBinary(t), "-sim", "-sim-speed", "10", "-config", cfg, "-listen", "127.0.0.1:0", "-state-dir", filepath.Join(dir, "state"))
	off := log.wait("MQTT off", func(s string) bool { return strings.Contains(s, "MQTT off") })
	if !strings.Contains(off, "mqtt.password_file "+pw+": no such file") || !strings.Contains(off, "restart ventd") {
		t.Errorf("the log line says neither what nor what to do: %s", off)
	}
	var addr string
	log.wait("the HTTP address", func(s string) bool {
		a, ok := ventdproc.Addr(s)
		addr = a
		return ok
	})
	var snap snapshot.Snapshot
	for deadline := time.Now().Add(time.Minute); len(snap.Fans) == 0 || snap.Fans[0].Duty == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("/api/state without MQTT has no fan driven: %+v", snap.Fans)
		}
		time.Sleep(100 * time.Millisecond)
		resp, err := poll(addr, "/api/state")
		if err != nil {
			continue
		}
		json.NewDecoder(resp.Body).Decode(&snap)
		resp.Body.Close()
	}
}
