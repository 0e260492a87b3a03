package mqtt

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/mqtt/command"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench/mosquitto"
	simroom "github.com/ventd/ventd/testbench/room"
)

func TestCommands(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	top := NewTopics("ventd", "homeassistant", config.Sim().Site, config.Sim().Room)
	ops := subscribe(t, b.URL, clientOpts{}, top.Reply(), top.Discovery("button", "booth_purge"))
	// A command left retained on the broker would run at every connect:
	// it is refused when it comes with the retain flag.
	ops.publish(top.Command(), `{"id": "r1", "command": "purge", "who": "Sam Lee"}`, true)
	r := startRoom(t, roomOpts{broker: b.URL, mqtt: func(m *config.MQTT) { m.Commands = true }})
	if r.pub.Topics() != top {
		t.Fatalf("topics %+v, want %+v", r.pub.Topics(), top)
	}
	r.runFor(30 * time.Second)
	ms := ops.waitFor("the purge button", func(ms []msg) bool {
		return slices.ContainsFunc(ms, func(m msg) bool { return m.Topic == top.Discovery("button", "booth_purge") })
	})
	var button map[string]any
	for _, m := range ms {
		if m.Topic == top.Discovery("button", "booth_purge") {
			json.Unmarshal(m.Payload, &button)
		}
	}
	if button["command_topic"] != top.Command() {
		t.Errorf("purge button: %v", button)
	} else if _, err := command.Parse([]byte(str(button["payload_press"]))); err != nil {
		t.Errorf("the purge button's payload is refused: %v", err)
	}
	reply := func(id string) command.Reply {
		t.Helper()
		var out command.Reply
		ops.waitFor("the reply to "+id, func(ms []msg) bool {
			for _, m := range ms {
				var r command.Reply
				if m.Topic == top.Reply() && json.Unmarshal(m.Payload, &r) == nil && (r.ID == id || id == "" && r.ID == "" && r.Error != "") {
					out = r
					return true
				}
			}
			return false
		})
		return out
	}

	// Refused: changes nothing, answered with what is wrong.
	ops.publish(top.Command(), `{"id": "bad1", "command": "purge", "who": "Sam Lee", "zone": "booth", "force": true}`, false)
	if r := reply("bad1"); r.OK || !strings.Contains(r.Error, `unknown field "force"`) {
		t.Errorf("an unknown field: %+v", r)
	}
	ops.publish(top.Command(), `{"command": "purge", "zone": "booth"}`, false)
	if r := reply(""); r.OK || !strings.Contains(r.Error, `"who" is required`) {
		t.Errorf("no who: %+v", r)
	}
	if r := reply("r1"); r.OK || !strings.Contains(r.Error, "retained command refused") {
		t.Errorf("a retained command: %+v", r)
	}
	ops.publish(top.Command(), "", true) // cleared: nothing to answer
	if p := r.runFor(5 * time.Second); p.Fans[0].Mode == control.ModePurge {
		t.Fatal("a refused command started a purge")
	}

	// Accepted: a smoky booth purges.
	r.rig.Room.StartSession("booth", simroom.TypicalSession(4, 10*time.Minute))
	r.until("a smoky booth", func(p *record.Period) bool { return reading(p, "booth-pm", sample.PM25) > 80 })
	ops.publish(top.Command(), `{"id": "p1", "command": "purge", "zone": "booth", "who": "Sam Lee", "reason": "overdose response"}`, false)
	r.untilPaced("the purge served", 10*time.Millisecond, func(p *record.Period) bool { return p.Fans[0].Mode == control.ModePurge })
	if rep := reply("p1"); !rep.OK || !strings.Contains(rep.Result, "booth: purging") || rep.Command != "purge" {
		t.Errorf("purge: %+v", rep)
	}

	// Acknowledge an alarm with the person's name.
	if err := r.rig.SensorFault("staff-co2", "disconnect", true); err != nil {
		t.Fatal(err)
	}
	stale := alarm.SensorRule("staff-co2", alarm.FaultStale)
	r.until("the stale fault", transition(stale, alarm.Raised))
	fault := r.eventOf(stale, alarm.Raised)
	ops.publish(top.Command(), `{"id": "a1", "command": "ack", "alarm_id": `+itoa(fault.AlarmID)+`, "who": "Alex Doe", "note": "sensor unplugged for cleaning"}`, false)
	r.until("the acknowledgement", transition(stale, alarm.Acknowledged))
	if rep := reply("a1"); !rep.OK || !strings.Contains(rep.Result, "acknowledged 1 alarm") {
		t.Errorf("ack: %+v", rep)
	}
	// The same id again (a QoS 1 repeat): answered, not run again.
	before := len(ops.got())
	ops.publish(top.Command(), `{"id": "a1", "command": "ack", "alarm_id": `+itoa(fault.AlarmID)+`, "who": "Alex Doe", "note": "sensor unplugged for cleaning"}`, false)
	ops.waitFor("the repeat's answer", func(ms []msg) bool { return len(ms) > before })
	r.runFor(2 * time.Second)

	// The journal has who did what: the refused commands never reached it.
	j, err := journal.OpenReadOnly(filepath.Join(r.dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var acts []journal.Action
	deadline := time.Now().Add(wallWait)
	for len(acts) < 2 && time.Now().Before(deadline) {
		if acts, err = j.Actions(time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(acts) != 2 || acts[0].Kind != string(record.ActPurge) || acts[0].Who != "Sam Lee" || acts[0].Via != "mqtt" || acts[0].Note != "overdose response" ||
		acts[1].Kind != string(record.ActAcknowledge) || acts[1].Who != "Alex Doe" || acts[1].Peer != top.Command() {
		t.Errorf("journal actions: %+v", acts)
	}
	acks, err := j.Acks(time.Time{}, time.Time{})
	if err != nil || len(acks) != 1 || acks[0].Who != "Alex Doe" || acks[0].Note != "sensor unplugged for cleaning" || acks[0].AlarmID != fault.AlarmID {
		t.Errorf("journal acks: %+v, %v", acks, err)
	}
}

func reading(p *record.Period, sensor string, q sample.Quantity) float64 {
	for _, s := range p.Readings {
		if s.Sensor == sensor && s.Quantity == q && s.Quality == sample.Good {
			return s.Value
		}
	}
	return 0
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }
