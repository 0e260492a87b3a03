package prometheus_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ventd/ventd/testbench/promserver"
)

// TestRulesWithPromtool runs promtool's checks and the rules' unit tests,
// and checks the example configurations' syntax.
func TestRulesWithPromtool(t *testing.T) {
	promserver.Need(t)
	tests, _ := filepath.Glob("rules/tests/*_test.yml")
	if len(tests) < 2 {
		t.Fatalf("rule tests: %v", tests)
	}
	for _, args := range [][]string{
		{"check", "rules", "rules/ventd-recording.yml", "rules/ventd-alerts.yml"},
		append([]string{"test", "rules"}, tests...),
		{"check", "config", "--syntax-only", "examples/prometheus.yml", "examples/prometheus-agent.yml"},
	} {
		if out, err := promserver.Promtool(t, args...); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// The web configuration example, with a certificate and a hash that
	// exist: promtool reads both.
	f, _ := webConfig(t, "s3cret")
	if out, err := promserver.Promtool(t, "check", "web-config", f); err != nil {
		t.Errorf("promtool check web-config on the example: %v\n%s", err, out)
	}
}

// webConfig is examples/web-config.yml with a fresh certificate and the
// hash of password; it returns the file and the certificate (a client's CA).
func webConfig(t *testing.T, password string) (file, ca string) {
	t.Helper()
	tmpl, err := os.ReadFile("examples/web-config.yml")
	if err != nil {
		t.Fatal(err)
	}
	return promserver.WebConfig(t, string(tmpl), "/etc/ventd/tls/ventd.crt", "/etc/ventd/tls/ventd.key",
		"REPLACE-with-the-bcrypt-hash-of-the-password", password)
}
