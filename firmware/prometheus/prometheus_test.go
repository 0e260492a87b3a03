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

// One Prometheus serves many rooms, and every room's fan is named
// booth-exhaust in the example: a dashboard that aggregated without site
// and room summed their energy, and legends without the room drew two
// rooms' series alike. A backfilled series (job "") beside the scraped one
// drew every auditor figure twice; each query keeps one per room.
func TestDashboardsKeepRoomsApart(t *testing.T) {
	files, _ := filepath.Glob("dashboards/*.json")
	if len(files) < 2 {
		t.Fatalf("dashboards: %v", files)
	}
	by := regexp.MustCompile(`\bby \(([^)]*)\)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Title   string
				Targets []struct{ Expr, LegendFormat string }
			}
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				for _, m := range by.FindAllStringSubmatch(tg.Expr, -1) {
					if !strings.Contains(m[1], "site") || !strings.Contains(m[1], "room") {
						t.Errorf("%s, %q: %q merges rooms (by without site and room)", f, p.Title, tg.Expr)
					}
				}
				if !strings.Contains(tg.Expr, "by (") && !strings.Contains(tg.Expr, "without (job, instance)") {
					t.Errorf("%s, %q: %q draws a backfilled series beside the scraped one", f, p.Title, tg.Expr)
				}
				if !strings.Contains(tg.LegendFormat, "{{room}}") {
					t.Errorf("%s, %q: legend %q does not name the room", f, p.Title, tg.LegendFormat)
				}
			}
		}
	}
}
