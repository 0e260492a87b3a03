package testbench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// test.sh runs under set -euo pipefail, and a failing `go test | tee`
// ended it there: no "packages: N passed, M failed" summary, and its log
// left in /tmp. It runs here with go, gofmt, git and dpkg faked in PATH
// (go test prints one package passed and one failed, and fails): the
// summary is printed, counting packages (not every FAIL line), the log
// removed, and the script still fails.
func TestTestShSummarisesAFailingSuite(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script, err := os.ReadFile("test.sh")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "testbench"), 0o755)
	if err := os.WriteFile(filepath.Join(repo, "testbench", "test.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for name, body := range map[string]string{
		// As go test prints a failed package: its test's line, a bare
		// FAIL, the package's line; and a bare FAIL at the end.
		"go":    `if [ "$1" = test ]; then echo "ok  	example/a	0.1s"; echo "--- FAIL: TestB (0.01s)"; echo FAIL; echo "FAIL	example/b	0.2s"; echo FAIL; exit 1; fi; exit 0`,
		"gofmt": `exit 0`,
		"git":   `echo a.go`,
		"dpkg":  `exit 0`, // every package the tests need is installed
	} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", filepath.Join(repo, "testbench", "test.sh"))
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "VENTD_ARTIFACTS="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("test.sh with a failing suite: %v, want exit status 1", err)
	}
	if !strings.Contains(string(out), "packages: 1 passed, 1 failed") {
		t.Errorf("test.sh printed no summary:\n%s", out)
	}
	if _, err := os.Stat("/tmp/ventd-test." + strconv.Itoa(cmd.Process.Pid) + ".log"); !os.IsNotExist(err) {
		t.Errorf("test.sh left its log /tmp/ventd-test.%d.log (%v)", cmd.Process.Pid, err)
		os.Remove("/tmp/ventd-test." + strconv.Itoa(cmd.Process.Pid) + ".log")
	}
}
