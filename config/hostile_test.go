package config

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe at the config path with nothing writing to it held ventd,
// -check-config and a reload at the open for ever.
func TestLoadNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ventd.yaml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(path); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is a named pipe with nothing writing to it") {
			t.Errorf("Load of a named pipe: %v; want it said", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Load of a named pipe nothing writes to never returned")
	}
}

// A byte the YAML reader refuses is found and named with its line.
func TestBadBytesHaveALine(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"site: Test\nroom: \"R\x07oom\"\n", "test.yaml:2: control character U+0007 at column 9"},
		{"site: Test\nroom: \"x\xff\xfe\"\n", "test.yaml:2: byte 0xFF is not UTF-8 at column 9"},
	} {
		_, err := Parse([]byte(c.data), "test.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "plain UTF-8 text") {
			t.Errorf("%q: %v; want %q", c.data, err, c.want)
		}
	}
}

// site and room are printed in exports, reports and terminals: a control
// character (an escape sequence, a bell) is refused, with where it is.
func TestSiteAndRoomArePlainText(t *testing.T) {
	data := strings.Replace(base, "room: Room", `room: "Room 1\u001b[2J\u0007"`, 1)
	wantOneError(t, data, 2, "room", `must be plain text on one line (got U+001B at character 7 of "Room 1\x1b[2J\a")`)
	wantOneError(t, strings.Replace(base, "site: Test", `site: "Test\tOPS"`, 1), 1, "site", "got U+0009 at character 5")
	if _, err := Parse([]byte(strings.Replace(base, "site: Test", "site: Hôpital Saint-Paul – Salle 2", 1)), "test.yaml"); err != nil {
		t.Errorf("a site name with accents and a dash refused: %v", err)
	}
}

// Every series and topic carries the site and room: a 30,000-character
// room passed the check and made each scrape 15 MB. Names are bounded.
func TestNamesAreBounded(t *testing.T) {
	long := strings.Repeat("é", 65)
	wantOneError(t, strings.Replace(base, "room: Room", "room: "+long, 1), 2, "room", "must be at most 64 characters (got 65)")
	if _, err := Parse([]byte(strings.Replace(base, "room: Room", "room: "+long[:2*64], 1)), "test.yaml"); err != nil {
		t.Errorf("a 64-character room refused: %v", err)
	}
	data := strings.Replace(base, "name: booth-pm", "name: "+strings.Repeat("s", 65), 1)
	if _, err := Parse([]byte(data), "test.yaml"); err == nil || !strings.Contains(err.Error(), "must be at most 64 characters (got 65)") {
		t.Errorf("a 65-character zone name: %v", err)
	}
}

// A zone named twice is listed once among the zones a reference may name.
func TestSuggestListsEachOnce(t *testing.T) {
	if got := suggest("xyzzy-quux", []string{"booth", "booth", "staff"}); got != "expected one of: booth, staff" {
		t.Errorf("suggest = %q", got)
	}
}
