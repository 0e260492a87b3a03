package firmware

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// cpuCheck is the preinst's first step in a package whose binaries need a
// newer CPU than some Pis have: the armv7 build on a Pi 1 or Zero (W),
// whose ARMv6 CPU kills ventd with SIGILL at every start, and systemd
// would restart it forever with the fans undriven. Refused before any
// file is unpacked, naming the package to install instead. Under DPKG_ROOT
// (an image built on another machine) the running CPU says nothing of the
// Pi's, so nothing is checked.
const cpuCheck = `
# This package's binaries need an ARMv7 CPU or later (%[1]s build).
case "$1" in
install|upgrade)
	if [ -z "${DPKG_ROOT:-}" ] && [ "$(uname -m)" = armv6l ]; then
		echo "ventd: this package (%[1]s) does not run on this Pi's ARMv6 CPU (uname -m: armv6l, a Pi 1 or Zero W):" >&2
		echo "ventd: ventd would be killed with SIGILL at every start; install %[2]s instead" >&2
		exit 1
	fi
	;;
esac
`

// preinst is firmware/debian/preinst as t's package has it: for a build
// for ARMv7 CPUs, with cpuCheck after its set -e.
func preinst(root string, t Target, debVersion string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "firmware", "debian", "preinst"))
	if err != nil {
		return "", err
	}
	s := string(b)
	if t.GOARCH != "arm" || t.GOARM == "6" {
		return s, nil
	}
	v6, err := TargetByName("armv6")
	if err != nil {
		return "", err
	}
	const after = "\nset -e\n"
	i := strings.Index(s, after)
	if i < 0 {
		return "", fmt.Errorf("firmware/debian/preinst: no %q line to put the CPU check after", strings.TrimSpace(after))
	}
	i += len(after)
	return s[:i] + fmt.Sprintf(cpuCheck, t.Name, FileName(v6, debVersion)) + s[i:], nil
}
