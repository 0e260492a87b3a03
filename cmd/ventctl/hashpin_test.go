package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/ventd/ventd/config"
)

func TestHashPINMakesAHashTheConfigAccepts(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"hash-pin"}, env{stdout: &o, stderr: &e, stdin: strings.NewReader("482916\n")}); code != exitOK {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	// The printed lines paste into a config as they are.
	sim, err := os.ReadFile("../../config/sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(append(sim, o.String()...), "test.yaml")
	if err != nil {
		t.Fatalf("%v\nfrom:\n%s", err, o.String())
	}
	if !cfg.Page.CheckPIN("482916") || cfg.Page.CheckPIN("482917") || strings.Contains(o.String(), "482916") {
		t.Errorf("hash %q does not check the PIN, or shows it", cfg.Page.PINHash)
	}
	for _, c := range []struct{ in, args, want string }{
		{"123\n", "", "at least 6"},
		{"", "", "no PIN on standard input"},
		{"482916\n", "482916", "unexpected argument"},
	} {
		o.Reset()
		e.Reset()
		args := []string{"hash-pin"}
		if c.args != "" {
			args = append(args, c.args)
		}
		if code := run(args, env{stdout: &o, stderr: &e, stdin: strings.NewReader(c.in)}); code != exitUsage || !strings.Contains(e.String(), c.want) {
			t.Errorf("hash-pin %q with %q: exit %d, %q; want usage error saying %q", c.args, c.in, code, e.String(), c.want)
		}
	}
}
