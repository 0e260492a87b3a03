package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	buildDir  string
	builtBin  string
	buildErr  error
)

// TestMain removes the ventd built for the tests that run it as a
// process.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// ventdBinary builds ventd (and ventctl beside it) once for this test
// binary and returns ventd's path.
func ventdBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "ventd-test-"); buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "ventd")
		// ventctl beside it, as the package installs them: ventd runs it
		// for GET /api/report.
		if out, err := exec.Command("go", "build", "-o", buildDir+string(filepath.Separator), ".", "../ventctl").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}
