package mqtt

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// BenchmarkEventsQoS1 measures alarm events per second through the outbox
// to a local mosquitto: each published at QoS 1 and settled only on its
// PUBACK, the delivered position kept in a journal, a pager subscribed at
// QoS 1 on the other side.
func BenchmarkEventsQoS1(b *testing.B) {
	br := mosquitto.Start(b, mosquitto.Options{UnlimitedQueue: true})
	dir := b.TempDir()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Discovery = br.URL, false
	cfg.MQTT = &m
	p, err := New(Options{Config: cfg, Journal: j.Path(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	pager := subscribe(b, br.URL, clientOpts{}, p.Topics().Events())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for !p.Status().Connected {
		time.Sleep(time.Millisecond)
	}
	now := time.Now()
	ev := func(seq uint64) alarm.Event {
		return alarm.Event{ID: seq, AlarmID: seq, RuleID: staffWarning, Kind: alarm.Raised, Time: now, Level: alarm.LevelWarning,
			Subject: "staff", Quantity: sample.PM25, Value: 40, Threshold: 35, Message: "staff: PM2.5 40 µg/m³ above 35"}
	}
	// The journal has every event, as the daemon's recorder writes each
	// at once: what overflows memory is read back from it.
	var batch journal.Batch
	for s := 1; s <= b.N; s++ {
		e := ev(uint64(s))
		batch.Events = append(batch.Events, journal.Event{ID: e.ID, AlarmID: e.AlarmID, Rule: string(e.RuleID), Kind: string(e.Kind),
			Level: e.Level.String(), Subject: e.Subject, Quantity: string(e.Quantity), Time: e.Time, Value: 40, Threshold: 35, Message: e.Message})
	}
	if _, err := j.Write(batch); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	// A record per ten events: a busy period's worth, as a room emits them.
	for i := 1; i <= b.N; i += 10 {
		r := &record.Period{Number: uint64(i), Time: now, Site: cfg.Site, Room: cfg.Room}
		for s := i; s < i+10 && s <= b.N; s++ {
			r.Transitions = append(r.Transitions, ev(uint64(s)))
		}
		p.Receive(r)
	}
	for p.Status().Delivered < uint64(b.N) {
		time.Sleep(100 * time.Microsecond)
	}
	acked := time.Since(start)
	for i := 0; i < 100 && len(pager.got()) < b.N; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if len(pager.got()) < b.N {
		b.Fatalf("the pager got %d of %d:\n%s", len(pager.got()), b.N, br.Log())
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acked_events/s")
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "received_events/s")
}

// BenchmarkAlarmToSubscriber runs a session that smokes out the staff
// area, on simulated time paced at 60× real time (a 1 s period every
// 16.7 ms of wall time), and reports: how long after the staff PM2.5
// crossed its warning level the warning was raised (simulated seconds:
// the on-delay), how long the raise took from its period's record to a
// subscriber (wall), and the loop's period meanwhile (wall, as the loop
// published its records: median, 99th percentile, worst), with MQTT and,
// as the baseline, without.
func BenchmarkAlarmToSubscriber(b *testing.B) {
	const speed = 60
	br := mosquitto.Start(b, mosquitto.Options{})
	for _, withMQTT := range []bool{true, false} {
		name := map[bool]string{true: "mqtt", false: "no_mqtt"}[withMQTT]
		b.Run(name, func(b *testing.B) {
			var lat, simDelay []float64
			var periods []time.Duration
			for range b.N {
				o := roomOpts{speed: speed, scenario: `  - {at: 20s, session: {zone: booth, duration: 4m, pm25_mg_per_min: 5}}
  - {at: 20s, door: {name: booth-door, open: true, for: 4m}}
`}
				if withMQTT {
					o.broker = br.URL
				}
				r := startRoom(b, o)
				var sub *client
				if withMQTT {
					r.runFor(time.Second)
					r.waitStatus("connected", func(s Status) bool { return s.Connected })
					sub = subscribe(b, br.URL, clientOpts{}, r.pub.Topics().Events())
				}
				r.mu.Lock()
				r.ticks = nil // the loop's period from here: not the wait for the connection
				r.mu.Unlock()
				crossed := time.Time{}
				p := r.until("the warning raised", func(p *record.Period) bool {
					if crossed.IsZero() && reading(p, "staff-pm", sample.PM25) > 35 {
						crossed = p.Time
					}
					return transition(staffWarning, alarm.Raised)(p)
				})
				simDelay = append(simDelay, p.Time.Sub(crossed).Seconds())
				if withMQTT {
					raised := r.eventOf(staffWarning, alarm.Raised)
					ms := sub.waitFor("the raise", hasEvent(raised.ID))
					lat = append(lat, float64(at(ms, r.pub.Topics().Events(), raised.ID).Sub(r.publishedAt(raised.ID)).Microseconds())/1000)
				}
				r.mu.Lock()
				for i := 1; i < len(r.ticks); i++ {
					periods = append(periods, r.ticks[i].Sub(r.ticks[i-1]))
				}
				r.mu.Unlock()
				r.stop()
			}
			slices.Sort(lat)
			slices.Sort(periods)
			if len(lat) > 0 {
				b.ReportMetric(lat[len(lat)/2], "ms_record_to_subscriber")
			}
			b.ReportMetric(slices.Max(simDelay), "sim_s_crossing_to_raise")
			b.ReportMetric(float64(periods[len(periods)/2].Microseconds())/1000, "ms_period_p50")
			b.ReportMetric(float64(periods[len(periods)*99/100].Microseconds())/1000, "ms_period_p99")
			b.ReportMetric(float64(periods[len(periods)-1].Microseconds())/1000, "ms_period_max")
		})
	}
}
