package mqtt

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// msg is one message a test client received.
type msg struct {
	Topic    string
	Payload  []byte
	Retained bool
	At       time.Time // wall clock
}

// client is a test MQTT client keeping what it receives.
type client struct {
	t    testing.TB
	c    paho.Client
	mu   sync.Mutex
	msgs []msg
	wake chan struct{}
}

type clientOpts struct {
	id         string
	persistent bool // clean session off, QoS 1: what a pager bridge does
	tls        *tls.Config
	user, pass string
}

// subscribe connects a client to url and subscribes it to filters.
func subscribe(t testing.TB, url string, o clientOpts, filters ...string) *client {
	t.Helper()
	c := &client{t: t, wake: make(chan struct{}, 1)}
	if o.id == "" {
		o.id = fmt.Sprintf("test-%d", time.Now().UnixNano())
	}
	po := paho.NewClientOptions().AddBroker(url).SetClientID(o.id).SetCleanSession(!o.persistent).
		SetAutoReconnect(true).SetMaxReconnectInterval(200 * time.Millisecond).SetConnectRetry(true).
		SetConnectRetryInterval(200 * time.Millisecond).SetResumeSubs(true).SetOrderMatters(true).
		SetDefaultPublishHandler(c.receive)
	if o.tls != nil {
		po.SetTLSConfig(o.tls)
	}
	if o.user != "" {
		po.SetUsername(o.user).SetPassword(o.pass)
	}
	ready := make(chan struct{})
	var once sync.Once
	po.SetOnConnectHandler(func(pc paho.Client) {
		subs := map[string]byte{}
		for _, f := range filters {
			subs[f] = 1
		}
		tok := pc.SubscribeMultiple(subs, c.receive)
		go func() {
			if tok.Wait() && tok.Error() == nil {
				once.Do(func() { close(ready) })
			}
		}()
	})
	c.c = paho.NewClient(po)
	if tok := c.c.Connect(); !tok.WaitTimeout(wallWait) || tok.Error() != nil {
		t.Fatalf("test client: connect to %s: %v", url, tok.Error())
	}
	if len(filters) > 0 {
		select {
		case <-ready:
		case <-time.After(wallWait):
			t.Fatalf("test client: no SUBACK for %v", filters)
		}
	}
	t.Cleanup(func() { c.c.Disconnect(0) })
	return c
}

func (c *client) receive(_ paho.Client, m paho.Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, msg{Topic: m.Topic(), Payload: append([]byte(nil), m.Payload()...), Retained: m.Retained(), At: time.Now()})
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// got returns a copy of what the client received.
func (c *client) got() []msg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]msg(nil), c.msgs...)
}

// waitFor waits until ok holds for what was received.
func (c *client) waitFor(what string, ok func([]msg) bool) []msg {
	c.t.Helper()
	deadline := time.After(wallWait)
	for {
		if m := c.got(); ok(m) {
			return m
		}
		select {
		case <-c.wake:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("waited %s for %s; received %d messages: %s", wallWait, what, len(c.got()), summary(c.got()))
		}
	}
}

func summary(ms []msg) string {
	var b strings.Builder
	for i, m := range ms {
		if i == 40 {
			fmt.Fprintf(&b, "\n  ... %d more", len(ms)-40)
			break
		}
		p := string(m.Payload)
		if len(p) > 120 {
			p = p[:120] + "..."
		}
		fmt.Fprintf(&b, "\n  %s retained=%t %s", m.Topic, m.Retained, p)
	}
	return b.String()
}

func (c *client) publish(topic string, payload string, retained bool) {
	c.t.Helper()
	if tok := c.c.Publish(topic, 1, retained, payload); !tok.WaitTimeout(wallWait) || tok.Error() != nil {
		c.t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

// retainedNow returns the retained messages matching filter, as a new
// subscriber gets them: the broker sends them on subscribing, so they
// arrive before a marker the test publishes after the SUBACK. No waiting
// on time.
func retainedNow(t testing.TB, url string, o clientOpts, filter string) map[string][]byte {
	t.Helper()
	marker := fmt.Sprintf("ventd-test/marker/%d", time.Now().UnixNano())
	c := subscribe(t, url, o, filter, marker)
	c.publish(marker, "marker", false)
	ms := c.waitFor("the marker after the retained messages", func(ms []msg) bool {
		return slices.ContainsFunc(ms, func(m msg) bool { return m.Topic == marker })
	})
	c.c.Disconnect(0)
	out := map[string][]byte{}
	for _, m := range ms {
		if m.Retained && len(m.Payload) > 0 {
			out[m.Topic] = m.Payload
		}
	}
	return out
}
