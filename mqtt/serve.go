package mqtt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/ventd/ventd/mqtt/command"
	"github.com/ventd/ventd/record"
)

// inbound is a command as it arrived, with the connection to answer on.
type inbound struct {
	c paho.Client
	m paho.Message
}

// commandWait bounds how long a command waits on the control loop, which
// answers within a period.
const commandWait = 30 * time.Second

// repeats is how many answered command ids are remembered, so a repeat
// (QoS 1 delivers at least once) is answered again, not run again.
const repeats = 64

// serveCommands runs each command in turn and answers it on the reply
// topic, until ctx ends.
func (p *Publisher) serveCommands(ctx context.Context, in <-chan inbound) {
	answered := map[string]command.Reply{}
	var order []string
	for {
		var cmd inbound
		select {
		case <-ctx.Done():
			return
		case cmd = <-in:
		}
		r, repeat := p.serve(ctx, cmd.m, answered)
		if r == (command.Reply{}) {
			continue // nothing to answer
		}
		if !repeat && r.ID != "" {
			if len(order) == repeats {
				delete(answered, order[0])
				order = order[1:]
			}
			answered[r.ID], order = r, append(order, r.ID)
		}
		b, _ := json.Marshal(r)
		cmd.c.Publish(p.topics.Reply(), 1, false, b)
	}
}

// serve runs one command and returns its answer. A command that is not
// strictly what ParseCommand takes changes nothing.
func (p *Publisher) serve(ctx context.Context, m paho.Message, answered map[string]command.Reply) (command.Reply, bool) {
	if len(m.Payload()) == 0 {
		// Someone clearing a retained message on the command topic.
		return command.Reply{}, true
	}
	c, err := command.Parse(m.Payload())
	if m.Retained() {
		// A retained command would run again at every connect.
		err := errors.New("retained command refused: publish commands without the retain flag, and clear this one (an empty retained message on the command topic)")
		p.log.Warn("mqtt: command refused", "topic", m.Topic(), "err", err)
		return command.Reply{ID: c.ID, Command: c.Name, Error: err.Error()}, false
	}
	if err != nil {
		p.log.Warn("mqtt: command refused", "topic", m.Topic(), "bytes", len(m.Payload()), "err", err)
		return command.Reply{ID: c.ID, Command: c.Name, Error: err.Error()}, false
	}
	if r, ok := answered[c.ID]; ok && c.ID != "" {
		p.log.Info("mqtt: command repeated; answered again, not run again", "id", c.ID, "command", c.Name)
		return r, true
	}
	by := record.Actor{Name: c.Who, Via: "mqtt", From: m.Topic()}
	ctx, cancel := context.WithTimeout(ctx, commandWait)
	defer cancel()
	var res string
	switch c.Name {
	case command.Purge:
		res, err = p.room.Purge(ctx, c.Zone, by, c.Reason)
	case command.CancelPurge:
		res, err = p.room.CancelPurge(ctx, c.Zone, by)
	case command.Ack:
		res, err = p.room.Acknowledge(ctx, c.AlarmID, by, c.Note)
	}
	r := command.Reply{ID: c.ID, Command: c.Name, OK: err == nil, Result: res}
	if err != nil {
		r.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			r.Error = fmt.Sprintf("the control loop did not answer within %s; see ventd's log", commandWait)
		}
	}
	p.log.Info("mqtt: command", "command", c.Name, "zone", c.Zone, "alarm_id", c.AlarmID, "by", by.String(), "ok", r.OK, "result", res, "err", r.Error)
	return r, false
}
