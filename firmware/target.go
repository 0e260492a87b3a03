package firmware

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Target is one kind of Pi ventd ships for.
type Target struct {
	// Name names the binaries' directory and the package file.
	Name   string
	GOARCH string
	GOARM  string // "" except for GOARCH=arm
	// Deb is the Debian architecture of the package.
	Deb string
	// Boards says which Pis and systems run it.
	Boards string
}

// Targets are the builds ventd ships. armv6 runs on every Pi with a
// 32-bit OS; armv7 is faster where the CPU has it.
var Targets = []Target{
	{Name: "arm64", GOARCH: "arm64", Deb: "arm64", Boards: "Pi 3, 4, 5, 400 and Zero 2 W with a 64-bit OS"},
	{Name: "armv7", GOARCH: "arm", GOARM: "7", Deb: "armhf", Boards: "Pi 2, 3, 4, 5, 400 and Zero 2 W with a 32-bit OS"},
	{Name: "armv6", GOARCH: "arm", GOARM: "6", Deb: "armhf", Boards: "every Pi with a 32-bit OS, the Pi 1 and Zero (W) among them"},
}

// TargetByName finds a target in Targets.
func TargetByName(name string) (Target, error) {
	var names []string
	for _, t := range Targets {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return Target{}, fmt.Errorf("no target %q (targets: %s)", name, strings.Join(names, ", "))
}

// Commands are the programs every target gets.
var Commands = []string{"ventd", "ventctl", "ventbench"}

// Stamp is what the binaries report about their build (package buildinfo).
type Stamp struct {
	Version string // release version, such as 1.2.0
	Commit  string // git commit
	Date    string // build date, RFC 3339
}

// ldflags strips the symbol table and DWARF (panics keep their file and
// line) and stamps the build.
func (s Stamp) ldflags() string {
	const pkg = "github.com/ventd/ventd/buildinfo."
	return fmt.Sprintf("-s -w -X %sversion=%s -X %scommit=%s -X %sdate=%s", pkg, s.Version, pkg, s.Commit, pkg, s.Date)
}

// Build cross-compiles Commands for t from the module at root into dir,
// one go build for all three, and returns dir.
func Build(ctx context.Context, root string, t Target, s Stamp, dir string) error {
	for _, v := range []string{s.Version, s.Commit, s.Date} {
		if v == "" || strings.ContainsAny(v, " \t'\"") {
			return fmt.Errorf("build stamp %+v: version, commit and date must be set, without spaces or quotes", s)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	args := []string{"build", "-trimpath", "-ldflags", s.ldflags(), "-o", dir + string(filepath.Separator)}
	for _, c := range Commands {
		args = append(args, "./cmd/"+c)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+t.GOARCH, "GOARM="+t.GOARM, "GOFLAGS=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s (GOARCH=%s GOARM=%s): %w\n%s", t.Name, t.GOARCH, t.GOARM, err, out.String())
	}
	return nil
}
