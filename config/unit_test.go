package config

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// The warnings of what the packaged unit does not allow name its
// settings: they must be the unit's.
func TestPackagedUnitAsShipped(t *testing.T) {
	f, err := os.Open("../firmware/systemd/ventd.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	section := ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		l := strings.TrimSpace(sc.Text())
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			section = l
		case section == "[Service]":
			k, v, _ := strings.Cut(l, "=")
			got[k] = v // the last assignment is the one systemd keeps
		}
	}
	u := packagedUnit
	for _, k := range []struct{ key, want string }{
		{"StateDirectory", u.StateDirectory},
		{"ProtectSystem", u.ProtectSystem},
		{"ProtectHome", u.ProtectHome},
		{"PrivateTmp", u.PrivateTmp},
		{"CapabilityBoundingSet", u.Capabilities},
		{"AmbientCapabilities", u.Capabilities},
		// A path the unit opens would make a state_dir there work.
		{"ReadWritePaths", ""},
		{"BindPaths", ""},
	} {
		if v := got[k.key]; v != k.want {
			t.Errorf("%s has %s=%s; packagedUnit says %q: change it to match (its warnings name the setting)", UnitFile, k.key, v, k.want)
		}
	}
}

func TestUnitLimitsWarned(t *testing.T) {
	for _, tc := range []lineCase{
		{"port 80", qedit(2, "room: Room\nlisten: \"0.0.0.0:80\""), 3, "listen",
			`the packaged ventd.service gives ventd no capabilities (CapabilityBoundingSet= and AmbientCapabilities= are empty), so it cannot listen on port 80, below 1024: it would fail at every start with "bind: permission denied"; listen on 8080 (listen: ":8080"), or put a reverse proxy in front (README, "HTTP and export security")`},
		{"port 443 on every interface", qedit(2, "room: Room\nlisten: \":443\""), 3, "listen", "cannot listen on port 443, below 1024"},
		{"state_dir under /srv", qedit(2, "room: Room\nstate_dir: /srv/ventd"), 3, "state_dir",
			"the packaged ventd.service has ProtectSystem=strict: outside /var/lib/ventd (and its /run/ventd and private /tmp) the file system is read-only to ventd, so with state_dir /srv/ventd it would run with no journal; " +
				"leave state_dir out (/var/lib/ventd, the default), or run `sudo systemctl edit ventd`, add [Service] and ReadWritePaths=/srv/ventd, and make the directory ventd's (sudo install -d -o ventd -g ventd -m 0750 /srv/ventd)"},
		{"state_dir under /home", qedit(2, "room: Room\nstate_dir: /home/pi/ventd"), 3, "state_dir",
			"the packaged ventd.service has ProtectHome=yes: /home, /root and /run/user are empty to ventd, and ReadWritePaths= does not open them, so with state_dir /home/pi/ventd ventd would run with no journal; keep state_dir out of them"},
		{"state_dir under /tmp", qedit(2, "room: Room\nstate_dir: /tmp/ventd"), 3, "state_dir", "PrivateTmp=yes: ventd's /tmp and /var/tmp are its own, emptied whenever ventd stops"},
		{"state_dir beside its own", qedit(2, "room: Room\nstate_dir: /var/lib/ventd2"), 3, "state_dir", "ReadWritePaths=/var/lib/ventd2"},
		{"state_dir in /run", qedit(2, "room: Room\nstate_dir: /run/ventd"), 3, "state_dir", "/run/ventd is in memory and emptied at every reboot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOneWarning(t, tc.data, tc.line, tc.path, tc.msg)
		})
	}
	for _, ok := range []string{"listen: \":8080\"", "listen: \"127.0.0.1:1024\"", "state_dir: /var/lib/ventd", "state_dir: /var/lib/ventd/room1/"} {
		c, err := Parse([]byte(qedit(2, "room: Room\n"+ok)), "test.yaml")
		if err != nil || len(c.Warnings()) != 0 {
			t.Errorf("%s: %v, warnings %v", ok, err, c.Warnings())
		}
	}
}
