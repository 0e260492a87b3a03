package mqtt

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/mqtt/command"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// A refused command is answered with its id wherever the id sits in the
// object. Node-RED flows, Python's json.dumps(sort_keys=True) and Go's
// maps write keys in alphabetical order, "id" after "alarm_id" and
// "command": a sender that waits for the answer to its id must get the
// refusal, not a reply without an id it cannot tell from another's.
func TestRefusalEchoesTheIDWhereverItIs(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	top := NewTopics("ventd", "homeassistant", config.Sim().Site, config.Sim().Room)
	ops := subscribe(t, b.URL, clientOpts{}, top.Reply(), top.Availability())
	r := startRoom(t, roomOpts{broker: b.URL, mqtt: func(m *config.MQTT) { m.Commands = true }})
	r.runFor(5 * time.Second)
	// ventd subscribes to the command topic before it says it is online.
	ops.waitFor("ventd online", func(ms []msg) bool {
		return slices.ContainsFunc(ms, func(m msg) bool { return m.Topic == top.Availability() && string(m.Payload) == "online" })
	})

	cases := []struct{ id, payload, want string }{
		{"n1", `{"alarm_id": "42", "command": "ack", "id": "n1", "who": "Sam Lee"}`, `field "alarm_id": want a number`},
		{"n2", `{"command": "purge", "force": true, "id": "n2", "who": "Sam Lee"}`, `unknown field "force"`},
		{"n3", `{"command": "Purge", "id": "n3", "who": "Sam Lee"}`, `unknown command "Purge"`},
		{"n4", `{"command": "purge", "id": "n4", "who": "Sam Lee", "zone": "booth 1"}`, `is not a zone name`},
		// Refused whole, before the scan: still answered with the id. A
		// note written as \u escapes (Python's json.dumps) passes 1 KB.
		{"n5", `{"id": "n5", "command": "ack", "all": true, "who": "Sam Lee", "note": "` + strings.Repeat("n", 1000) + `"}`, `bytes: at most 1024`},
		{"n6", "{\"command\": \"ack\", \"all\": true, \"id\": \"n6\", \"who\": \"Sam Lee\", \"note\": \"caf\xe9\"}", `not valid UTF-8`},
	}
	for _, c := range cases {
		ops.publish(top.Command(), c.payload, false)
	}
	for _, c := range cases {
		var got command.Reply
		ops.waitFor("the refusal of "+c.id, func(ms []msg) bool {
			for _, m := range ms {
				var rep command.Reply
				if m.Topic == top.Reply() && json.Unmarshal(m.Payload, &rep) == nil && strings.Contains(rep.Error, c.want) {
					got = rep
					return true
				}
			}
			return false
		})
		if got.ID != c.id || got.OK {
			t.Errorf("%s: answered %+v, want the refusal with id %q", c.payload, got, c.id)
		}
	}
}
