// Package prometheus holds what a site installs beside its Prometheus and
// Grafana to watch ventd: recording rules that turn ventd's counters into
// shift and day figures, alert rules (rules/), their promtool unit tests
// (rules/tests/), Grafana dashboards for auditors and for facilities
// (dashboards/), and example configurations for one Prometheus with a job
// per room, Prometheus in agent mode on each room's Pi, and ventd's TLS and
// basic auth (examples/).
//
// There is no Go code here besides the tests, which check these files
// against a real Prometheus (Debian's prometheus package): promtool's
// checks and unit tests, and a simulated 12 h shift backfilled from ventd's
// journal, where the recording rules must agree with ventctl export and
// every auditor dashboard query must return data.
package prometheus
