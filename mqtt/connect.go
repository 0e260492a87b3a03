package mqtt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/ventd/ventd/config"
)

// Delivery tuning. These are network times, on the wall clock: the broker
// lives in real time whatever clock the room runs on.
const (
	// window is how many alarm events may await the broker's PUBACK at
	// once; more go out when the oldest is acknowledged.
	window = 32
	// ackWait is how long the oldest event may await its PUBACK before the
	// connection counts as dead and is made again.
	ackWait = 30 * time.Second
	// journalWait is how long the sender waits for the journal to say
	// what lies in a gap before sending the events after it anyway: a
	// stalled disk must not hold up the alarms in memory.
	journalWait = 5 * time.Second
	// closeWait is how long a stop waits for the last events to be
	// acknowledged before it announces offline and disconnects.
	closeWait = 2 * time.Second
	// netWait bounds connecting, subscribing and each write.
	netWait = 10 * time.Second
	// stateGap is the least wall time between two state messages, so a
	// simulated room running faster than real time cannot flood the
	// broker; the state interval (on the room's clock) comes first.
	stateGap = 100 * time.Millisecond
)

// Run connects to the broker and keeps publishing until ctx ends, making
// the connection again with a growing wait whenever it fails. When ctx
// ends it delivers what it can within a couple of seconds, announces
// offline and disconnects. Cancel ctx after the daemon's Run returned, so
// the last records are published.
func (p *Publisher) Run(ctx context.Context) error {
	go p.store.run()
	defer p.store.close(2 * time.Second)
	cmds := p.newCommands()
	go cmds.serve(ctx)
	go cmds.answerBusy(ctx)

	wait := p.minWait
	var lastErr string
	// pause notes err, waits the present back-off (false: ctx ended
	// meanwhile) and doubles it.
	pause := func(err error) bool {
		p.report(func(s *Status) { s.LastError = err.Error() })
		select {
		case <-ctx.Done():
			return false
		case <-time.After(jitter(wait)):
		}
		wait = min(2*wait, p.m.ReconnectMax)
		return true
	}
	var bigSaid time.Time
	for {
		c, lost, err := p.connect(ctx, cmds)
		if ctx.Err() != nil && err != nil {
			return nil
		}
		if err != nil {
			// Said once, not at every retry: the same trouble, even when
			// its text carries a new local port each time.
			if key := strings.Map(dropDigits, err.Error()); key != lastErr {
				// "connect to", not "reach": a refused login ends here too.
				attrs := []any{"broker", p.m.Broker, "err", err, "retry_in", wait.Round(time.Millisecond)}
				if h := connectHint(p.m.Broker, err); h != "" {
					attrs = append(attrs, "hint", h)
				}
				p.log.Warn("mqtt: cannot connect to the broker; retrying, alarms wait in the outbox", attrs...)
				lastErr = key
			} else {
				p.log.Debug("mqtt: still cannot connect to the broker", "err", err)
			}
			if !pause(err) {
				return nil
			}
			continue
		}
		lastErr = ""
		p.report(func(s *Status) { s.Connected, s.Connects, s.LastError = true, s.Connects+1, "" })
		p.log.Info("mqtt: connected", "broker", p.m.Broker, "topics", p.topics.Base+"/#", "client_id", p.clientID())
		since := time.Now()
		err = p.session(ctx, c, lost)
		p.report(func(s *Status) { s.Connected, s.Confirmed = false, false })
		if ctx.Err() != nil {
			return nil
		}
		lasted := time.Since(since)
		wait = backoff(wait, p.minWait, lasted)
		if errors.Is(err, errTooLarge) {
			// ventd ended it (a packet past the limit that is not a
			// message, which limitConn cannot skip): wait as after a
			// refusal, in case the broker sends it again.
			if time.Since(bigSaid) >= time.Minute {
				bigSaid = time.Now()
				p.log.Error("mqtt: the broker sent a packet too large to read; reconnecting, alarms wait in the outbox (said once a minute)", "err", err, "retry_in", wait.Round(time.Millisecond))
			}
			if !pause(err) {
				return nil
			}
			continue
		}
		if lasted >= stableSession {
			p.log.Warn("mqtt: connection lost; reconnecting, alarms wait in the outbox", "err", err,
				"hint", "a network cut or the broker restarting; if it comes back every minute or so, another client using client id "+p.clientID()+" (a second ventd with this config?): see the broker's log")
			continue
		}
		// A broker that takes the connection and drops it at once does it
		// again at every reconnect: wait as after a refusal, so ventd does
		// not hammer it (and say what usually causes it).
		p.log.Warn("mqtt: the broker dropped the connection soon after accepting it; retrying, alarms wait in the outbox",
			"err", err, "lasted", lasted.Round(time.Millisecond), "retry_in", wait.Round(time.Millisecond),
			"hint", "see the broker's log: the broker restarting or stopping; another client using client id "+p.clientID()+" (a second ventd with this config?); or a message over the broker's size limit (mosquitto: message_size_limit, max_packet_size; ventd's state message is tens of kB)")
		if !pause(err) {
			return nil
		}
	}
}

// stableSession is how long a connection must last for its loss to be
// taken as an outage (reconnect at once) rather than the broker refusing
// something of ventd's at every connect (back off).
const stableSession = 30 * time.Second

// backoff is the wait before the next connect after a connection that
// lasted lasted, when the wait before it was wait: back to min after one
// that stayed up stableSession, whatever ended it, since the trouble that
// grew the wait (an outage, a refusal) is over; otherwise unchanged, so a
// broker that drops ventd at every connect is not hammered. Kept, the
// wait grown by an outage hours before cost up to reconnect_max on the
// next lost connection.
func backoff(wait, min, lasted time.Duration) time.Duration {
	if lasted >= stableSession {
		return min
	}
	return wait
}

func dropDigits(r rune) rune {
	if r >= '0' && r <= '9' {
		return -1
	}
	return r
}

// jitter spreads reconnects of many rooms after a broker restart.
func jitter(d time.Duration) time.Duration {
	return d*4/5 + time.Duration(rand.Int64N(int64(d)*2/5+1))
}

func (p *Publisher) clientID() string {
	if p.m.ClientID != "" {
		return p.m.ClientID
	}
	return ClientID(p.cfg.Site, p.cfg.Room)
}

// connect makes one connection: the last will set, clean session (the
// outbox, not the broker's session, is what survives), no automatic
// reconnect (paho's own queueing around reconnects loses and repeats
// messages: paho.mqtt.golang #195, #596).
func (p *Publisher) connect(ctx context.Context, cmds *commands) (paho.Client, <-chan error, error) {
	tlsCfg, err := tlsConfig(p.m)
	if err != nil {
		return nil, nil, err
	}
	lost := make(chan error, 1)
	o := paho.NewClientOptions().AddBroker(p.m.Broker).SetClientID(p.clientID()).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).
		SetKeepAlive(p.m.KeepAlive).SetPingTimeout(netWait).SetConnectTimeout(netWait).SetWriteTimeout(netWait).
		SetWill(p.topics.Availability(), "offline", 1, true).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			select {
			case lost <- err:
			default:
			}
		})
	if tlsCfg != nil {
		o.SetTLSConfig(tlsCfg)
	}
	// This connection's delivery check: the handlers below and the
	// session share it.
	echo := newDeliveryCheck(p.topics, p.echoWait, p.signal)
	if !p.m.ConfirmDelivery {
		// Turned off: nothing is subscribed to or waited for, and a
		// message of ventd's own that arrives all the same (a wildcard
		// grant) is still known for one and not taken for a command.
		for _, t := range echo.topics() {
			echo.refuse(t)
		}
	}
	p.echo.Store(echo)
	o.SetCustomOpenConnectionFn(openConn(func(d dropped) {
		// ventd's own state past maxIncoming coming back is no stranger's
		// message to warn of.
		if !echo.backSized(d.topic, d.bytes, d.retained) {
			cmds.dropped(d)
		}
	}))
	if p.m.Username != "" {
		o.SetUsername(p.m.Username)
		o.SetPassword(p.password)
	}
	c := paho.NewClient(o)
	tok := c.Connect()
	if err := wait(ctx, tok, netWait); err != nil {
		c.Disconnect(0)
		switch {
		case errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword):
			return nil, nil, fmt.Errorf("the broker refused the login of user %q (password from %s): %w", p.m.Username, passwordSource(p.m), err)
		case errors.Is(err, packets.ErrorRefusedNotAuthorised):
			// Said for a wrong login and for a client id the broker does
			// not allow (mosquitto's clientid_prefixes) alike.
			return nil, nil, fmt.Errorf("the broker refused the login of user %q (password from %s), or its client id %q: %w", p.m.Username, passwordSource(p.m), p.clientID(), err)
		case errors.Is(err, packets.ErrorRefusedIDRejected):
			return nil, nil, fmt.Errorf("the broker refused client id %q (set mqtt.client_id to one it allows): %w", p.clientID(), err)
		case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET):
			// A TLS listener closes a plain MQTT hello, and the other way.
			want := "mqtts:// if the port is a TLS one (8883)"
			if config.BrokerTLS(p.m.Broker) {
				want = "mqtt:// if the port is a plain one (1883)"
			}
			return nil, nil, fmt.Errorf("the broker closed the connection during the handshake (use %s, or see the broker's log): %w", want, err)
		}
		return nil, nil, err
	}
	subs := map[string]byte{}
	if p.m.ConfirmDelivery {
		for _, t := range echo.topics() {
			subs[t] = 1
		}
	}
	if p.m.Discovery {
		subs[p.topics.HAStatus()] = 1
	}
	if p.m.Commands {
		subs[p.topics.Command()] = 1
	}
	if p.m.ConfirmDelivery {
		// The retained alarms the broker holds, to clear those ventd has
		// not: only a new subscription gets a retained message with its
		// flag set. Not where ventd only writes (the check off).
		subs[p.topics.Alarms()] = 1
	}
	// Every subscription in one: ventd's own topics are there unless the
	// delivery check is off.
	if len(subs) == 0 {
		return c, lost, nil
	}
	tok = c.SubscribeMultiple(subs, func(c paho.Client, m paho.Message) {
		if echo.back(m.Topic(), m.Payload(), m.Retained()) {
			return
		}
		if p.topics.isAlarm(m.Topic()) {
			if m.Retained() {
				p.retainedAlarm(m.Topic(), m.Payload())
			}
			return
		}
		if m.Topic() == p.topics.HAStatus() {
			if string(m.Payload()) == "online" {
				p.homeAssistantOnline()
			}
			return
		}
		cmds.take(ctx, c, m)
	})
	if err := wait(ctx, tok, netWait); err != nil {
		c.Disconnect(0)
		return nil, nil, fmt.Errorf("subscribe to %v: %w", subs, err)
	}
	p.checkGranted(tok, echo)
	return c, lost, nil
}

// checkGranted says when the broker refused a subscription (SUBACK 0x80:
// its ACL does not let ventd read the topic). paho takes a refusal for
// success, and commands, or Home Assistant's restarts, would then never
// arrive with nothing in the log. ventd publishes all the same. Its own
// topics refused are said in one line, and left out of the delivery
// check, which cannot confirm them.
func (p *Publisher) checkGranted(tok paho.Token, echo *deliveryCheck) {
	st, ok := tok.(*paho.SubscribeToken)
	if !ok {
		return
	}
	var own []string
	for _, topic := range slices.Sorted(maps.Keys(st.Result())) {
		if st.Result()[topic] < 0x80 {
			continue
		}
		if _, mine := echo.find(topic); mine {
			echo.refuse(topic)
			own = append(own, topic)
			continue
		}
		what := "commands (purge, acknowledge) will not reach ventd"
		switch topic {
		case p.topics.HAStatus():
			what = "ventd will not hear Home Assistant restart (it announces the room at each connect all the same)"
		case p.topics.Alarms():
			what = "ventd cannot see alarms left retained on the broker by an earlier install (a wiped state directory), and so cannot clear them"
		}
		p.log.Error("mqtt: the broker refused the subscription: "+what, "topic", topic,
			"hint", "let user "+strconv.Quote(p.m.Username)+" read "+topic+" in the broker's ACL (mosquitto: acl_file, 'topic read "+topic+"')")
	}
	if len(own) > 0 {
		p.log.Warn("mqtt: the broker does not let ventd read its own messages back: ventd cannot confirm they reach subscribers (ventd_mqtt_delivery_confirmed stays 0)",
			"topics", strings.Join(own, " "),
			"hint", "let "+p.aclWho()+" read "+p.topics.Base+"/# in the broker's ACL (mosquitto: acl_file, 'topic readwrite "+p.topics.Base+"/#'), "+
				"or, if ventd is to only write, turn the check off: mqtt.confirm_delivery: false")
	}
}

// haAnnounceEvery bounds how often Home Assistant's birth message makes
// ventd announce the room again: it comes once per restart of Home
// Assistant, but any client allowed to write homeassistant/status can
// send it thousands of times, and each announcement is dozens of messages.
const haAnnounceEvery = 10 * time.Second

// homeAssistantOnline takes Home Assistant's birth message: the room is
// announced again (discovery, then state), at most once per
// haAnnounceEvery, and the log says so at most once a minute.
func (p *Publisher) homeAssistantOnline() {
	now := time.Now()
	p.mu.Lock()
	due := now.Sub(p.haAnnounced) >= haAnnounceEvery
	if due {
		p.haAnnounced, p.rediscover = now, true
	} else {
		p.haSkipped++
	}
	skipped := p.haSkipped
	logIt := now.Sub(p.haLogged) >= time.Minute
	if logIt {
		p.haLogged, p.haSkipped = now, 0
	}
	p.mu.Unlock()
	if logIt {
		p.log.Info("mqtt: Home Assistant started; announcing the room again", "birth_messages_not_acted_on", skipped)
	}
	if due {
		p.signal()
	}
}

// wait waits for tok at most d, or until ctx ends.
func wait(ctx context.Context, tok paho.Token, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-tok.Done():
		return tok.Error()
	case <-t.C:
		return fmt.Errorf("no answer from the broker within %s", d)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// goOffline announces a clean stop and disconnects.
func (p *Publisher) goOffline(c paho.Client) error {
	tok := c.Publish(p.topics.Availability(), 1, true, "offline")
	acked := tok.WaitTimeout(time.Second) && tok.Error() == nil
	c.Disconnect(250)
	if acked {
		p.log.Info("mqtt: disconnected; announced offline")
	} else {
		// Sent before the disconnect on the same connection, it still
		// counts when a slow broker reads it; over a broken connection the
		// broker gets no disconnect and sends the last will (offline).
		p.log.Warn("mqtt: disconnected; the broker did not acknowledge 'offline' within 1 s (a slow broker still reads it; after a broken connection the last will says it)", "err", tok.Error())
	}
	return nil
}

// connectHint says what to do about a broker that cannot be reached,
// where the error alone misleads. ventd is built without cgo, so it
// resolves names with Go's own resolver, which reads /etc/hosts and asks
// DNS but never multicast DNS: homeassistant.local, which ping finds
// through the system's mDNS, is "no such host" to ventd.
func connectHint(broker string, err error) string {
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		return ""
	}
	host := dnsErr.Name
	if u, perr := url.Parse(broker); perr == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	if strings.HasSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), ".local") {
		return "ventd does not resolve .local names (multicast DNS): give the broker's IP address in mqtt.broker, or add the name to /etc/hosts"
	}
	return "check the broker's name in mqtt.broker (or give its IP address)"
}
