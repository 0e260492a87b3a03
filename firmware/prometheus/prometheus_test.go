package prometheus_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
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

// dashboardQueries returns every query of a dashboard, with Grafana's
// variables replaced: vars by name, and $__range, $__interval and
// $__rate_interval by window.
func dashboardQueries(t *testing.T, file string, vars map[string]string, window string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr, RefID string }
		}
		Templating struct {
			List []struct {
				Name, Type string
				Definition string
			}
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]string{}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			// label_values(metric, label) asks for the metric's series.
			m := regexp.MustCompile(`^label_values\((.+), *\w+\)$`).FindStringSubmatch(v.Definition)
			if m == nil {
				t.Errorf("%s: variable %s: query %q is not label_values(metric, label)", file, v.Name, v.Definition)
				continue
			}
			out["variable "+v.Name] = m[1]
		}
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out[p.Title+" "+tg.RefID] = tg.Expr
		}
	}
	r := []string{"$__rate_interval", window, "$__interval", window, "$__range", window}
	for k, v := range vars {
		r = append(r, "${"+k+"}", v, "$"+k, v)
	}
	rep := strings.NewReplacer(r...)
	for k, q := range out {
		out[k] = rep.Replace(q)
		if strings.Contains(out[k], "$") {
			t.Errorf("%s: %s: unreplaced variable in %q", file, k, out[k])
		}
	}
	return out
}
