package firmware

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The slow work, cross-building three targets and packing them, happens
// once per test binary, for every test that needs it.

// stamp is what the test builds report.
var stamp = Stamp{Version: "1.0.0", Commit: "0123456789ab", Date: "2026-03-02T10:00:00Z"}

var (
	once    sync.Once
	workDir string // removed by TestMain
	binDirs map[string]string
	debPkgs map[string]string
	setErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if workDir != "" {
		os.RemoveAll(workDir)
	}
	os.Exit(code)
}

// root is the repository.
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// built cross-builds every target and packs it, once: bins[target] is
// the binaries' directory, debs[target] the package.
func built(t *testing.T) (bins, debs map[string]string) {
	t.Helper()
	once.Do(func() { setErr = buildAll(root(t)) })
	if setErr != nil {
		t.Fatal(setErr)
	}
	return binDirs, debPkgs
}

// buildAll builds and packs the targets side by side: each go build's
// link and each package's compression run on one core, so two targets
// overlap on two.
func buildAll(root string) error {
	var err error
	if workDir, err = os.MkdirTemp("", "ventd-firmware-"); err != nil {
		return err
	}
	binDirs, debPkgs = map[string]string{}, map[string]string{}
	var mu sync.Mutex
	errs := make([]error, len(Targets))
	var wg sync.WaitGroup
	for i, tg := range Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir := filepath.Join(workDir, tg.Name)
			if errs[i] = Build(context.Background(), root, tg, stamp, dir); errs[i] != nil {
				return
			}
			p, err := Package(PackageOpts{Root: root, Bin: dir, Target: tg, Stamp: stamp, Out: filepath.Join(workDir, "deb")})
			if errs[i] = err; err != nil {
				return
			}
			mu.Lock()
			binDirs[tg.Name], debPkgs[tg.Name] = dir, p
			mu.Unlock()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// need finds a Debian program the test runs: missing, it fails under
// CI=true and is skipped elsewhere, saying how to install it.
func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, prog); isExec(p) {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (CI=true, so this fails instead of skipping): apt-get install %s", prog, pkg)
	}
	t.Skipf("%s not found: sudo apt-get install %s", prog, pkg)
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode()&0o111 != 0
}
