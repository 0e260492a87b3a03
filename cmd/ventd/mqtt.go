package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/ventd/ventd/buildinfo"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/mqtt"
)

// mochi's packets package builds its own test cases (TPacketData: maps
// of packets and their encodings, about 360 KB) when the program starts,
// in a file that is not a test, and nothing but its tests reads them.
// ventd links the package for the embedded broker of -mqtt-broker, so
// every ventd carried them: a sixth to a quarter of its live heap at real
// time, and half as much again in the collector's headroom. Dropped here,
// the collector frees them.
func init() { packets.TPacketData = nil }

// mqttFlags are ventd's MQTT command line.
type mqttFlags struct {
	// broker overrides the config's mqtt.broker (and turns MQTT on with
	// the defaults when the config has no mqtt section).
	broker string
	// serve is an address to serve an embedded broker on, for a try with
	// nothing installed.
	serve string
}

func (m *mqttFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.broker, "mqtt", "", "publish to the MQTT broker at `URL` (mqtt://host:1883, mqtts://host:8883), overriding the config's mqtt.broker")
	fs.StringVar(&m.serve, "mqtt-broker", "", "serve an embedded MQTT broker on `address` (127.0.0.1:1883) and publish to it: for a try with no broker installed, not for a site")
}

func (m *mqttFlags) check() error {
	if m.broker != "" {
		if err := config.CheckBroker(m.broker); err != nil {
			return fmt.Errorf("-mqtt: %w", err)
		}
	}
	if m.serve != "" {
		if _, _, err := net.SplitHostPort(m.serve); err != nil {
			return fmt.Errorf("-mqtt-broker %q: want host:port, like 127.0.0.1:1883", m.serve)
		}
	}
	return nil
}

// mqttOutput is the MQTT publisher and, with -mqtt-broker, the broker
// ventd serves itself.
type mqttOutput struct {
	pub    *mqtt.Publisher
	broker *mochi.Server
	log    *slog.Logger
}

// newMQTT sets up publishing when the config has an mqtt section or the
// command line asks for it, attached to d; nil when MQTT is off.
func newMQTT(f *flags, cfg *config.Config, d *daemon.Daemon, stateDir string, log *slog.Logger) (*mqttOutput, error) {
	if cfg.MQTT == nil && f.mqtt.broker == "" && f.mqtt.serve == "" {
		return nil, nil
	}
	// The publisher gets its own copy: the daemon's configuration (and
	// its hash in the journal) stays the file's.
	pc := *cfg
	m := config.DefaultMQTT()
	if cfg.MQTT != nil {
		m = *cfg.MQTT
	}
	pc.MQTT = &m
	out := &mqttOutput{log: log}
	if f.mqtt.serve != "" {
		addr, err := out.serveBroker(f.mqtt.serve)
		if err != nil {
			return nil, err
		}
		m.Broker = "mqtt://" + addr
	}
	if f.mqtt.broker != "" {
		m.Broker = f.mqtt.broker
	}
	pub, err := mqtt.New(mqtt.Options{Config: &pc, Room: d, Journal: filepath.Join(stateDir, "journal.db"), Version: buildinfo.Get().Version, Log: log})
	if err != nil {
		if out.broker != nil {
			out.broker.Close()
		}
		return nil, err
	}
	out.pub = pub
	d.Attach("mqtt", pub, nil)
	log.Info("MQTT", "broker", m.Broker, "topics", pub.Topics().Base+"/#", "commands", m.Commands, "home_assistant", m.Discovery, "confirm_delivery", m.ConfirmDelivery)
	return out, nil
}

// status is the publisher's state for /metrics.
func (o *mqttOutput) status() metrics.MQTTStatus {
	s := o.pub.Status()
	return metrics.MQTTStatus{Connected: s.Connected, Connects: s.Connects, Waiting: s.Waiting, Delivered: s.Delivered,
		Confirmed: s.Confirmed, Unconfirmed: s.Unconfirmed, Unchecked: s.Unchecked}
}

// serveBroker listens on addr with an embedded broker that lets anyone in,
// and returns the address to reach it.
func (o *mqttOutput) serveBroker(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("-mqtt-broker: %w (is a broker already running there? then use -mqtt mqtt://%s)", err, addr)
	}
	// mochi logs every start and stop step at info; ventd's log keeps its
	// warnings.
	quiet := slog.New(warnOnly{o.log.Handler()}).With("part", "embedded MQTT broker")
	s := mochi.New(&mochi.Options{Logger: quiet})
	// (err is the function's: a hook or listener that fails must not
	// leave a broker that was never listening.)
	if err = s.AddHook(new(allowAll), nil); err == nil {
		err = s.AddListener(listeners.NewNet("ventd", ln))
	}
	if err != nil {
		ln.Close()
		return "", fmt.Errorf("-mqtt-broker: %w", err)
	}
	o.broker = s
	reach := ln.Addr().(*net.TCPAddr)
	if reach.IP.IsUnspecified() {
		reach = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: reach.Port}
	}
	o.log.Warn("serving an embedded MQTT broker for a try: anyone who reaches it may read and publish; use the site's broker (mosquitto) for a room in use",
		"addr", ln.Addr().String())
	return reach.String(), nil
}

// start runs the broker and the publisher; the returned stop, called once
// the loop has stopped, lets the publisher deliver the last records,
// announce offline and disconnect.
func (o *mqttOutput) start() (stop func()) {
	if o == nil {
		return func() {}
	}
	if o.broker != nil {
		go func() {
			if err := o.broker.Serve(); err != nil {
				o.log.Error("embedded MQTT broker", "err", err)
			}
		}()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); o.pub.Run(ctx) }()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			o.log.Warn("MQTT did not stop within 5 s")
		}
		if o.broker != nil {
			o.broker.Close()
		}
	}
}

// allowAll lets every client connect, read and publish: the embedded
// broker is for a try on one machine. (mochi's own auth hooks would pull
// in a second YAML library.)
type allowAll struct{ mochi.HookBase }

func (allowAll) ID() string { return "allow-all" }

func (allowAll) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck
}

func (allowAll) OnConnectAuthenticate(*mochi.Client, packets.Packet) bool { return true }

func (allowAll) OnACLCheck(*mochi.Client, string, bool) bool { return true }

// warnOnly passes on warnings and errors only.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(as []slog.Attr) slog.Handler { return warnOnly{h.Handler.WithAttrs(as)} }

func (h warnOnly) WithGroup(name string) slog.Handler { return warnOnly{h.Handler.WithGroup(name)} }
