package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// roomLog is the output that writes one line about the room to the log
// every so often, so an operator reading journalctl sees the air, the fans
// and the alarms without a browser: every 10 minutes at info, every minute
// at debug.
type roomLog struct {
	log  *slog.Logger
	next time.Time
}

const (
	roomLogEvery      = 10 * time.Minute
	roomLogEveryDebug = time.Minute
)

// Receive implements record.Output.
func (l *roomLog) Receive(p *record.Period) {
	if p.Time.Before(l.next) {
		return
	}
	every := roomLogEvery
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		every = roomLogEveryDebug
	}
	l.next = p.Time.Truncate(every).Add(every)
	l.log.Info("room", "summary", summarize(p))
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		for _, f := range p.Fans {
			l.log.Debug("fan", "fan", f.Name, "duty", fmt.Sprintf("%.1f%%", 100*f.Duty), "mode", f.Mode, "reason", f.Reason)
		}
		for _, s := range p.Sensors {
			l.log.Debug("sensor", "sensor", s.Name, "up", s.Up, "errors", s.Errors, "frozen", s.Frozen, "error", s.Error)
		}
	}
}

// summarize says the room in one line: each zone's readings, each fan,
// the shift's PM2.5 TWA so far, the alarms and the journal.
func summarize(p *record.Period) string {
	var parts []string
	zones := []string{}
	vals := map[string][]string{}
	for _, r := range p.Readings {
		switch r.Quantity {
		case sample.PM25, sample.CO2, sample.VOCIndex, sample.Pressure:
		default:
			continue
		}
		if _, ok := vals[r.Zone]; !ok {
			zones = append(zones, r.Zone)
		}
		v := fmt.Sprintf("%s %.0f", r.Quantity, r.Value)
		if r.Quantity == sample.Pressure {
			v = fmt.Sprintf("%s %.1f", r.Quantity, r.Value)
		}
		if r.Quality != sample.Good {
			v = fmt.Sprintf("%s %s", r.Quantity, r.Quality)
		}
		vals[r.Zone] = append(vals[r.Zone], v)
	}
	for _, z := range zones {
		parts = append(parts, z+": "+strings.Join(vals[z], " "))
	}
	for _, f := range p.Fans {
		parts = append(parts, fmt.Sprintf("fan %s %.0f%% %s", f.Name, 100*f.Duty, f.Mode))
	}
	for _, e := range p.Exposure {
		if e.Quantity == sample.PM25 && e.Shift != nil {
			parts = append(parts, fmt.Sprintf("%s shift TWA pm25 %.1f (coverage %.1f%%)", e.Zone, e.Shift.TWA, e.Shift.Coverage))
		}
	}
	switch n := len(p.Alarms.Alarms); n {
	case 0:
		parts = append(parts, "no alarm")
	default:
		parts = append(parts, fmt.Sprintf("%d alarm(s), highest %s, %d unacknowledged", n, p.Alarms.Highest, p.Alarms.Unacked))
	}
	if !p.Health.JournalOK {
		parts = append(parts, "journal FAILING: "+p.Health.JournalError)
	}
	return strings.Join(parts, "; ")
}
