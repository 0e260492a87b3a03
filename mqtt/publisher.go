package mqtt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
)

// Room is what commands act on: *daemon.Daemon. Each call waits for the
// control loop (within a period) and answers in words or refuses with an
// error that says why.
type Room interface {
	Purge(ctx context.Context, zone string, by record.Actor, reason string) (string, error)
	CancelPurge(ctx context.Context, zone string, by record.Actor) (string, error)
	Acknowledge(ctx context.Context, alarmID uint64, by record.Actor, note string) (string, error)
}

// Options configure a Publisher.
type Options struct {
	// Config is the room's configuration; its MQTT section must be set.
	Config *config.Config
	// Room takes the commands; needed when Config.MQTT.Commands is on.
	Room Room
	// Journal is the path of the daemon's journal (journal.db), opened by
	// the daemon first: the outbox lives there. Empty: alarm events wait
	// in memory only, and a restart forgets what was not delivered.
	Journal string
	// Version is ventd's, for Home Assistant's device page.
	Version string
	Log     *slog.Logger
	// Getenv reads the password variable (default os.Getenv).
	Getenv func(string) string
	// ReconnectMin is the first wait before reconnecting (default 1s);
	// the wait doubles up to Config.MQTT.ReconnectMax.
	ReconnectMin time.Duration
}

// Publisher is the output that publishes the room to an MQTT broker. It
// implements record.Output: Receive only takes note, in memory, and a
// goroutine of its own (Run) talks to the broker, so the control loop never
// waits on MQTT.
type Publisher struct {
	cfg      *config.Config
	m        *config.MQTT
	room     Room
	topics   Topics
	log      *slog.Logger
	info     discoveryInfo
	password string
	minWait  time.Duration

	view  snapshot.View
	store *store
	ob    *outbox     // the sender's alone
	rd    journalRead // the sender's alone
	// echo is the present connection's delivery check (the connection's
	// handlers hold their own reference; tests read it), and echoWait how
	// long a message may take to come back (see echoWait()).
	echo     atomic.Pointer[deliveryCheck]
	echoWait time.Duration

	mu   sync.Mutex
	live []event // taken from records, not yet in the outbox
	// liveDropped counts events dropped from live before the sender took
	// them (read back from the journal).
	liveDropped int
	alarms      map[string][]byte // the retained alarm topics as they should be
	alarmSig    string
	alarmsNew   bool
	stateNew    bool
	stateAt     time.Time // record time the state was last found changed
	stateSig    string
	latest      *record.Period
	// rediscover asks for discovery, availability, alarms and state to
	// be sent again: at each connect, and when Home Assistant starts.
	rediscover bool
	// leftAlarms are retained alarm topics the broker held at connect,
	// for the sender to clear those no alarm of ventd's has; at most
	// maxLeftAlarms, leftOver counting those past it.
	leftAlarms []string
	leftOver   int
	// haAnnounced and haLogged are when Home Assistant's birth message last
	// made ventd announce the room, and was last logged; haSkipped counts
	// the birth messages since that were not acted on or not logged.
	haAnnounced, haLogged time.Time
	haSkipped             int
	status                Status
	wake                  chan struct{}

	// What the last run published, read at start, for clearing what is
	// gone.
	oldDiscovery []string
	staleAlarms  map[string]bool
}

// retainedAlarm takes a retained alarm the broker holds, found at connect.
// The journal names the alarm topics the last run left, for clearing them
// once their alarms ended; the broker can hold others it does not know
// of: a state directory wiped or a new SD card, another install of the
// room that ran before. They read as alarms active now to whoever
// subscribes, and each of ventd's own starts again at id 1.
func (p *Publisher) retainedAlarm(topic string, payload []byte) {
	if len(payload) == 0 {
		return
	}
	p.mu.Lock()
	if len(p.leftAlarms) < maxLeftAlarms {
		p.leftAlarms = append(p.leftAlarms, topic)
	} else {
		p.leftOver++
	}
	p.alarmsNew = true
	p.mu.Unlock()
	p.signal()
}

// maxLeftAlarms bounds the retained alarm topics taken at one connect: a
// room has a few dozen rules, and a client allowed to write the room's
// topics could retain millions, each held in memory and cleared.
const maxLeftAlarms = 1000

// Status is how the publisher is doing, for health checks and tests.
type Status struct {
	Connected bool
	// Delivered is the sequence number up to which every alarm event
	// reached the broker (or is known lost before the journal).
	Delivered uint64
	// Waiting counts alarm events not yet acknowledged by the broker.
	Waiting int
	// Connects counts connections made.
	Connects int
	// LastError is the last connection error, "" while connected.
	LastError string
	// Confirmed is true while connected and ventd's own messages on its
	// availability, state and events come back from the broker: one has
	// on this connection, and none has failed to since. A broker with
	// MQTT 3.1.1 acknowledges messages it then drops (ACL, size limit),
	// so Connected and the PUBACKs do not show it.
	Confirmed bool
	// Unconfirmed counts the messages on those topics that did not come
	// back from the broker since ventd started.
	Unconfirmed int
	// Unchecked is true when the delivery check is off
	// (mqtt.confirm_delivery: false): Confirmed then says nothing.
	Unchecked bool
}

// memLimit bounds the alarm events waiting in memory; past it the oldest
// are read back from the journal in their turn (days of alarms in a busy
// room).
const memLimit = 4096

// New checks the options, reads the password and TLS files, and opens the
// outbox in the journal. It does not connect: Run does.
func New(o Options) (*Publisher, error) {
	if o.Config == nil || o.Config.MQTT == nil {
		return nil, errors.New("mqtt: no mqtt section in the configuration")
	}
	m := o.Config.MQTT
	if err := config.CheckBroker(m.Broker); err != nil {
		return nil, fmt.Errorf("mqtt: broker: %w", err)
	}
	if m.Commands && o.Room == nil {
		return nil, errors.New("mqtt: commands are on but nothing takes them (Options.Room)")
	}
	// The config checks this when it has an mqtt section; -mqtt URL adds
	// one to a config that had none, and must not publish to ventd/// .
	for _, k := range []struct{ key, v string }{{"site", o.Config.Site}, {"room", o.Config.Room}} {
		if config.TopicLevel(k.v) == "" {
			return nil, fmt.Errorf("mqtt: %s %q has no letter or digit to name the MQTT topics by; add one to %s in the config", k.key, k.v, k.key)
		}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = time.Second
	}
	pw, err := password(m, o.Getenv)
	if err != nil {
		return nil, fmt.Errorf("mqtt: %w", err)
	}
	if _, err := tlsConfig(m); err != nil {
		return nil, fmt.Errorf("mqtt: %w", err)
	}
	p := &Publisher{cfg: o.Config, m: m, room: o.Room, log: o.Log, password: pw, minWait: o.ReconnectMin,
		topics: NewTopics(m.TopicPrefix, m.DiscoveryPrefix, o.Config.Site, o.Config.Room),
		info:   discoveryInfo{site: o.Config.Site, room: o.Config.Room, version: o.Version, commands: m.Commands},
		alarms: map[string][]byte{}, staleAlarms: map[string]bool{}, wake: make(chan struct{}, 1),
		echoWait: echoWait(m.KeepAlive)}
	if p.info.version == "" {
		p.info.version = "(devel)"
	}
	var j *journal.Journal
	floor := uint64(0)
	if o.Journal != "" {
		j, err = journal.OpenShared(o.Journal, journal.Options{})
		var alarmsLeft []string
		if err == nil {
			floor, p.oldDiscovery, alarmsLeft, err = loadState(j)
		}
		if err != nil {
			if j != nil {
				j.Close()
				j = nil
			}
			p.log.Error("mqtt: no outbox in the journal: alarm events wait in memory only until it can be opened (retried every 10 s), and a restart meanwhile loses those not yet delivered", "err", err)
		}
		for _, t := range alarmsLeft {
			p.staleAlarms[t] = true
		}
	}
	p.ob = newOutbox(floor, memLimit)
	if j == nil {
		p.ob.unread = false // nothing to read back
	}
	p.store = newStore(j, o.Journal, p.log)
	p.status.Delivered = floor
	return p, nil
}

// Topics returns the publisher's topics.
func (p *Publisher) Topics() Topics { return p.topics }

// String returns "mqtt(broker, base topic)".
func (p *Publisher) String() string { return "mqtt(" + p.m.Broker + ", " + p.topics.Base + ")" }

// Status returns how delivery stands.
func (p *Publisher) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.status
	s.Unchecked = !p.m.ConfirmDelivery
	// Events the sender has not taken yet wait too: while the broker is
	// away it takes none, and that is when a dashboard must see them.
	s.Waiting += len(p.live) + p.liveDropped
	return s
}

// Receive implements record.Output: it notes the period's alarm events,
// the alarms to retain and whether the state is due, and wakes Run. It
// never touches the network or the disk.
func (p *Publisher) Receive(r *record.Period) {
	p.view.Receive(r)
	evs := make([]event, 0, len(r.Transitions))
	for _, e := range r.Transitions {
		evs = append(evs, liveEvent(e, p.cfg.Site, p.cfg.Room))
	}
	sig := alarmSignature(r.Alarms.Alarms)
	p.mu.Lock()
	p.live = append(p.live, evs...)
	if n := len(p.live) - memLimit; n > 0 {
		// Disconnected for long: the sender is not taking events. The
		// journal has them; the outbox reads them back in their turn.
		p.live = p.live[:memLimit:memLimit]
		p.liveDropped += n
	}
	if sig != p.alarmSig {
		p.alarmSig, p.alarmsNew = sig, true
		p.alarms = make(map[string][]byte, len(r.Alarms.Alarms))
		for _, a := range r.Alarms.Alarms {
			p.alarms[p.topics.Alarm(a.RuleID)] = alarmPayload(a, p.cfg.Site, p.cfg.Room)
		}
	}
	if r.Time.Sub(p.stateAt) >= p.m.StateInterval || r.Time.Before(p.stateAt) {
		if s := stateSignature(r); s != p.stateSig {
			p.stateSig, p.stateNew = s, true
		}
		p.stateAt = r.Time
	}
	p.latest = r
	p.mu.Unlock()
	p.signal()
}

func (p *Publisher) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// alarmSignature changes when an active alarm starts, ends or changes in
// what its retained message says.
func alarmSignature(as []alarm.Alarm) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "%d %t %t %t %s %d;", a.ID, a.Condition, a.Held, a.Acked, a.AckedBy, a.AckedAt.UnixNano())
	}
	return b.String()
}

// stateSignature changes when anything a dashboard shows changes, ages and
// times aside: a retained state that only grew older is not sent again.
func stateSignature(r *record.Period) string {
	var b strings.Builder
	for _, s := range r.Readings {
		fmt.Fprintf(&b, "%s/%s=%.2f/%d;", s.Sensor, s.Quantity, s.Value, s.Quality)
	}
	for _, f := range r.Fans {
		fmt.Fprintf(&b, "%s=%.3f/%s/%v/%.0f/%s;", f.Name, f.Duty, f.Mode, f.RPM != nil, f.SecondsToEntry, f.Error)
		if f.RPM != nil {
			fmt.Fprintf(&b, "%.0f;", *f.RPM)
		}
	}
	for _, e := range r.Exposure {
		fmt.Fprintf(&b, "%s/%s=%.3g/%.3g;", e.Zone, e.Quantity, float64(e.STEL), e.TWA8h)
	}
	for _, s := range r.Sensors {
		fmt.Fprintf(&b, "%s=%t/%t/%s;", s.Name, s.Up, s.Frozen, s.Error)
	}
	fmt.Fprintf(&b, "%s|%t|%t|%d", alarmSignature(r.Alarms.Alarms), r.Health.JournalOK, r.Health.ClockSynchronized, len(r.Scenario))
	for _, s := range r.Scenario {
		b.WriteString(s)
	}
	return b.String()
}

// taken is what Receive noted since the sender last looked.
type taken struct {
	alarms              map[string][]byte
	alarmsNew, stateNew bool
	rediscover          bool
	leftAlarms          []string
	leftOver            int
	latest              *record.Period
	dropped             int
}

// take moves what Receive noted to the sender: new events into the
// outbox, and what needs sending. Discovery waits for the first record.
func (p *Publisher) take() taken {
	p.mu.Lock()
	live := p.live
	p.live = nil
	dropped := p.liveDropped
	p.liveDropped = 0
	t := taken{alarms: p.alarms, alarmsNew: p.alarmsNew, stateNew: p.stateNew, latest: p.latest,
		rediscover: p.rediscover && p.latest != nil, leftAlarms: p.leftAlarms, leftOver: p.leftOver}
	p.leftAlarms, p.leftOver = nil, 0
	p.alarmsNew, p.stateNew = false, false
	if t.rediscover {
		p.rediscover = false
	}
	p.mu.Unlock()
	if len(live) > 0 {
		dropped += p.ob.add(live...)
	}
	if dropped > 0 {
		p.ob.unread = true
	}
	t.dropped = dropped
	return t
}

// report updates the status after the sender acted.
func (p *Publisher) report(fn func(s *Status)) {
	p.mu.Lock()
	fn(&p.status)
	p.status.Delivered, p.status.Waiting = p.ob.floor, p.ob.waiting()
	p.mu.Unlock()
}
