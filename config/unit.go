package config

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// UnitFile is the packaged systemd unit (firmware/systemd/ventd.service
// in a source checkout), as messages name it.
const UnitFile = "ventd.service"

// packagedUnit is what the packaged unit grants ventd, for the warnings of
// what it then cannot do: a setting a file may ask for that the service
// would fail on only at start. A test reads the unit and fails when the
// two part.
var packagedUnit = struct {
	StateDirectory string // the one directory under /var/lib it may write
	ProtectSystem  string
	ProtectHome    string
	PrivateTmp     string
	// Capabilities is both CapabilityBoundingSet= and AmbientCapabilities=.
	Capabilities string
}{StateDirectory: "ventd", ProtectSystem: "strict", ProtectHome: "yes", PrivateTmp: "yes", Capabilities: ""}

// warnUnit warns of a listen port or a state_dir the packaged unit does
// not let ventd use: the file is valid, and ventd run otherwise (by hand,
// in a container) may use them, but as installed it would fail to serve
// the page at every start, or run with no journal.
func (d *decoder) warnUnit(c *Config) {
	if d.has("listen") && !d.bad["listen"] && !strings.Contains(packagedUnit.Capabilities, "CAP_NET_BIND_SERVICE") {
		if _, port, err := net.SplitHostPort(c.Listen); err == nil {
			if n, err := strconv.Atoi(port); err == nil && n >= 1 && n < 1024 {
				d.warn("listen", "the packaged %s gives ventd no capabilities (CapabilityBoundingSet= and AmbientCapabilities= are empty), so it cannot listen on port %d, below 1024: "+
					"it would fail at every start with \"bind: permission denied\"; listen on 8080 (listen: \":8080\"), or put a reverse proxy in front (README, \"HTTP and export security\")", UnitFile, n)
			}
		}
	}
	if d.has("state_dir") && !d.bad["state_dir"] && filepath.IsAbs(c.StateDir) {
		if why := unitStateDir(filepath.Clean(c.StateDir)); why != "" {
			d.warn("state_dir", "%s", why)
		}
	}
}

// unitStateDir says why the packaged unit would keep ventd from keeping
// its journal in dir, or "" when it would not.
func unitStateDir(dir string) string {
	own := "/var/lib/" + packagedUnit.StateDirectory
	under := func(root string) bool { return dir == root || strings.HasPrefix(dir, root+"/") }
	fix := fmt.Sprintf("leave state_dir out (%s, the default), or run `sudo systemctl edit ventd`, add [Service] and ReadWritePaths=%s, and make the directory ventd's (sudo install -d -o ventd -g ventd -m 0750 %s)", own, dir, dir)
	switch {
	case under(own):
		return ""
	case packagedUnit.ProtectHome == "yes" && (under("/home") || under("/root") || under("/run/user")):
		return fmt.Sprintf("the packaged %s has ProtectHome=yes: /home, /root and /run/user are empty to ventd, and ReadWritePaths= does not open them, so with state_dir %s ventd would run with no journal; "+
			"keep state_dir out of them: leave it out (%s, the default), or put it elsewhere and add ReadWritePaths= for it with `sudo systemctl edit ventd`", UnitFile, dir, own)
	case packagedUnit.PrivateTmp == "yes" && (under("/tmp") || under("/var/tmp")):
		return fmt.Sprintf("the packaged %s has PrivateTmp=yes: ventd's /tmp and /var/tmp are its own, emptied whenever ventd stops, so the journal in %s would be lost at every restart; %s",
			UnitFile, dir, fix)
	case under("/run"):
		return fmt.Sprintf("%s is in memory and emptied at every reboot, so the journal would be lost; %s", dir, fix)
	case packagedUnit.ProtectSystem == "strict":
		return fmt.Sprintf("the packaged %s has ProtectSystem=strict: outside %s (and its /run/ventd and private /tmp) the file system is read-only to ventd, so with state_dir %s it would run with no journal; %s", UnitFile, own, dir, fix)
	}
	return ""
}
