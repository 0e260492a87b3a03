package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	buildDir  string
	builtBin  string
	buildErr  error
)

// refusingUserfaultfd, as the test binary's first argument, makes it run
// the program named next with the arguments after it under a filter that
// refuses userfaultfd (execRefusingUserfaultfd), in place of the tests.
const refusingUserfaultfd = "-exec-refusing-userfaultfd"

// TestMain removes the ventd built for the tests that run it as a
// process.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == refusingUserfaultfd {
		err := execRefusingUserfaultfd(os.Args[2:])
		fmt.Fprintf(os.Stderr, "%s %s: %v\n", os.Args[0], refusingUserfaultfd, err)
		os.Exit(1)
	}
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

// An unknown flag's error names the flag probably meant, under the usage.
func TestUnknownFlagSaysWhichWasMeant(t *testing.T) {
	for args, want := range map[string]string{
		"-check -config ventd.yaml": "flag provided but not defined: -check; did you mean -check-config?",
		"-sim -listn :8080":         "did you mean -listen?",
		"-sim -qqqq":                "flag provided but not defined: -qqqq\n",
	} {
		var stderr strings.Builder
		if code := run(t.Context(), strings.Fields(args), io.Discard, &stderr); code != 2 || !strings.HasSuffix(stderr.String(), want) && !strings.HasSuffix(stderr.String(), want+"\n") {
			t.Errorf("ventd %s: exit %d, ends %q; want 2 and %q", args, code, stderr.String()[max(0, stderr.Len()-120):], want)
		}
	}
}
