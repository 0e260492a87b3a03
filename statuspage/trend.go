package statuspage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"sync"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// trendWindow is how far back the page's trend reaches.
const trendWindow = time.Hour

// trend keeps the last hour of one-minute aggregates per zone and
// pollutant, from the records' finished minutes (events every output
// receives once, even when its backlog is merged), so a page opened now
// draws the last hour at once. It holds at most an hour of minutes per
// series: a few kilobytes for a room of six booths.
type trend struct {
	mu     sync.Mutex
	series []*series // in the order first seen
	latest time.Time // newest minute's start
	cached []byte    // the series as JSON; nil when a minute came since
}

// series is one zone's one pollutant.
type series struct {
	Zone     string          `json:"zone"`
	Quantity sample.Quantity `json:"quantity"`
	Unit     string          `json:"unit"`
	Points   []point         `json:"points"`
}

// point is one minute: its start, mean and max, and how many of its
// seconds had valid data (a gap is drawn as a gap, never as clean air).
type point struct {
	T       time.Time `json:"t"`
	Mean    float64   `json:"mean"`
	Max     float64   `json:"max"`
	Covered float64   `json:"covered_s"`
}

func newTrend() *trend { return &trend{series: []*series{}, cached: []byte(`{"series":[]}`)} }

// add takes finished minutes, oldest first, and drops what is older than
// the window.
func (t *trend) add(ms []record.Minute) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range ms {
		if math.IsNaN(m.Mean) || math.IsInf(m.Mean, 0) {
			continue
		}
		s := t.find(m.Zone, m.Quantity)
		pt := point{T: m.Start, Mean: round(m.Mean), Max: round(m.Max), Covered: m.CoveredSeconds}
		if n := len(s.Points); n > 0 && !m.Start.After(s.Points[n-1].T) {
			if m.Start.Equal(s.Points[n-1].T) {
				s.Points[n-1] = pt // the same minute again (a restart): the newer wins
			}
			continue
		}
		s.Points = append(s.Points, pt)
		if m.Start.After(t.latest) {
			t.latest = m.Start
		}
	}
	from := t.latest.Add(-trendWindow)
	for _, s := range t.series {
		i := 0
		for i < len(s.Points) && !s.Points[i].T.After(from) {
			i++
		}
		if i > 0 { // in place: the array is reused for the next hour's points
			s.Points = s.Points[:copy(s.Points, s.Points[i:])]
		}
	}
	t.cached = nil // marshalled when a page asks, not every minute
}

func (t *trend) find(zone string, q sample.Quantity) *series {
	for _, s := range t.series {
		if s.Zone == zone && s.Quantity == q {
			return s
		}
	}
	s := &series{Zone: zone, Quantity: q, Unit: q.Unit(), Points: []point{}}
	t.series = append(t.series, s)
	return s
}

// json returns the series as GET /api/trend serves them.
func (t *trend) json() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cached == nil {
		b, err := json.Marshal(struct {
			Series []*series `json:"series"`
		}{t.series})
		if err != nil { // only plain types: a bug, shown rather than hidden
			b, _ = json.Marshal(map[string]string{"error": err.Error()})
		}
		t.cached = b
	}
	return t.cached
}

// round keeps what a trend line can show.
func round(v float64) float64 { return math.Round(v*100) / 100 }

// LoadHistory fills the trend with the last hour of minutes from the
// journal at path (read-only, beside the daemon's writer), so a page
// opened just after ventd restarted still draws the hour before. A journal
// that does not exist yet is no history, not an error.
func (p *Page) LoadHistory(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	j, err := journal.OpenReadOnly(path, journal.Options{})
	if err != nil {
		return fmt.Errorf("statuspage: trend history: %w", err)
	}
	defer j.Close()
	now := p.now()
	rows, err := j.Minutes(now.Add(-trendWindow), now.Add(time.Minute), "", "")
	if err != nil {
		return fmt.Errorf("statuspage: trend history: %w", err)
	}
	ms := make([]record.Minute, len(rows))
	for i, m := range rows {
		ms[i] = record.Minute{Start: m.Start, Zone: m.Zone, Quantity: sample.Quantity(m.Quantity), Mean: m.Mean, Max: m.Max,
			Count: m.Count, CoveredSeconds: m.CoveredSeconds}
	}
	p.trend.add(ms)
	p.stream.setTrend(p.trend)
	return nil
}
