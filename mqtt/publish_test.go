package mqtt

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// sessionWithDoor is a pipe session with the booth door open: smoke
// reaches the staff area and raises its PM2.5 warning about two minutes
// in; it clears about ten minutes later.
const sessionWithDoor = `  - {at: 1m, session: {zone: booth, duration: 4m, pm25_mg_per_min: 5}}
  - {at: 1m, door: {name: booth-door, open: true, for: 4m}}
`

const staffWarning = alarm.RuleID("staff/pm25/warning")

func TestStateAndDiscovery(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	r := startRoom(t, roomOpts{broker: b.URL})
	top := r.pub.Topics()
	ha := subscribe(t, b.URL, clientOpts{}, "homeassistant/+/"+top.Node+"/+/config")
	held := r.runFor(time.Minute)
	states := subscribe(t, b.URL, clientOpts{}, top.State())
	states.waitFor("a state at most state_interval older than the held clock", func(ms []msg) bool {
		for _, m := range ms {
			var s snapshot.Snapshot
			if json.Unmarshal(m.Payload, &s) == nil && !s.Time.Before(held.Time.Add(-r.cfg.MQTT.StateInterval)) {
				return true
			}
		}
		return false
	})

	ret := retainedNow(t, b.URL, clientOpts{}, top.Base+"/#")
	if got := string(ret[top.Availability()]); got != "online" {
		t.Errorf("retained availability %q, want online", got)
	}
	// The state reads exactly as /api/state: every field known, none missing.
	dec := json.NewDecoder(bytes.NewReader(ret[top.State()]))
	dec.DisallowUnknownFields()
	var s snapshot.Snapshot
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("retained state does not decode as /api/state's snapshot: %v", err)
	}
	api, _ := json.Marshal(r.d.Snapshot())
	if keys(t, ret[top.State()]) != keys(t, api) {
		t.Errorf("state keys %s, /api/state keys %s", keys(t, ret[top.State()]), keys(t, api))
	}
	if s.Site != "Simulated OPS" || s.Room != "Simulated room" || len(s.Readings) == 0 || len(s.Fans) != 1 {
		t.Errorf("retained state: %+v", s)
	}

	disc := retainedNow(t, b.URL, clientOpts{}, "homeassistant/+/"+top.Node+"/+/config")
	cfgs := checkDiscovery(t, top, disc)
	for object, want := range map[string][3]string{ // device class, unit, component
		"booth_pm_pm25":       {"pm25", "µg/m³", "sensor"},
		"staff_co2_co2":       {"carbon_dioxide", "ppm", "sensor"},
		"staff_co2_humidity":  {"humidity", "%", "sensor"},
		"staff_pm25_stel":     {"pm25", "µg/m³", "sensor"},
		"staff_co2_twa_8h":    {"carbon_dioxide", "ppm", "sensor"},
		"booth_exhaust_duty":  {"", "%", "sensor"},
		"staff_alarm":         {"safety", "", "binary_sensor"},
		"booth_pm_fault":      {"problem", "", "binary_sensor"},
		"booth_voc_voc_index": {"", "", "sensor"},
	} {
		c, ok := cfgs[object]
		if !ok {
			t.Errorf("no discovery config for %s", object)
			continue
		}
		if c.component != want[2] || str(c.config["device_class"]) != want[0] || str(c.config["unit_of_measurement"]) != want[1] {
			t.Errorf("%s: %s device_class %q unit %q, want %s %q %q", object, c.component, c.config["device_class"], c.config["unit_of_measurement"], want[2], want[0], want[1])
		}
	}
	if _, ok := cfgs["booth_purge"]; ok {
		t.Error("a purge button with commands off")
	}
	renderTemplates(t, cfgs, ret[top.State()], &s)

	// Home Assistant restarts: it announces itself, and gets every config
	// again (live, not from the broker's retained store).
	before := len(ha.got())
	ha.publish("homeassistant/status", "online", false)
	ha.waitFor("the discovery configs again after homeassistant/status online", func(ms []msg) bool {
		again := map[string]bool{}
		for _, m := range ms[before:] {
			if !m.Retained {
				again[m.Topic] = true
			}
		}
		return len(again) == len(disc)
	})

	// Anyone allowed to write homeassistant/status can send it in a
	// flood: the room is announced at most once per haAnnounceEvery, and
	// the log has a line a minute, not one per message.
	before = len(ha.got())
	lines := strings.Count(r.log.String(), "Home Assistant started")
	for range 200 {
		ha.publish("homeassistant/status", "online", false)
	}
	time.Sleep(2 * time.Second)
	again := 0
	for _, m := range ha.got()[before:] {
		if _, ok := disc[m.Topic]; ok && !m.Retained {
			again++
		}
	}
	if again > len(disc) {
		t.Errorf("200 birth messages: %d discovery messages sent again, want at most one announcement (%d)", again, len(disc))
	}
	if n := strings.Count(r.log.String(), "Home Assistant started") - lines; n > 1 {
		t.Errorf("200 birth messages: %d log lines", n)
	}
}

// keys lists a JSON object's top-level keys, sorted.
func keys(t *testing.T, b []byte) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), ",")
}

func str(v any) string { s, _ := v.(string); return s }

type parsedEntity struct {
	component string
	config    map[string]any
}

// checkDiscovery parses every config and checks what every entity needs:
// a unique id, the room's device, availability on the room's topic.
func checkDiscovery(t *testing.T, top Topics, disc map[string][]byte) map[string]parsedEntity {
	t.Helper()
	out := map[string]parsedEntity{}
	for topic, payload := range disc {
		parts := strings.Split(topic, "/")
		var c map[string]any
		if err := json.Unmarshal(payload, &c); err != nil {
			t.Errorf("%s: %v", topic, err)
			continue
		}
		object := parts[3]
		out[object] = parsedEntity{component: parts[1], config: c}
		dev, _ := c["device"].(map[string]any)
		ids, _ := dev["identifiers"].([]any)
		av, _ := c["availability"].([]any)
		avTopic := ""
		if len(av) == 1 {
			avTopic = str(av[0].(map[string]any)["topic"])
		}
		if str(c["unique_id"]) != top.Node+"_"+object || len(ids) != 1 || ids[0] != top.Node || str(dev["name"]) == "" ||
			str(dev["sw_version"]) == "" || avTopic != top.Availability() || str(c["name"]) == "" {
			t.Errorf("%s: incomplete config %s", topic, payload)
		}
		if parts[1] != "button" && (str(c["state_topic"]) != top.State() || str(c["value_template"]) == "") {
			t.Errorf("%s: no state topic or template: %s", topic, payload)
		}
	}
	return out
}

func TestDiscoveryRemovesARemovedSensor(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	dir := t.TempDir()
	r := startRoom(t, roomOpts{broker: b.URL, dir: dir})
	top := r.pub.Topics()
	filter := "homeassistant/+/" + top.Node + "/+/config"
	r.runFor(10 * time.Second)
	r.waitStatus("connected", func(s Status) bool { return s.Connected })
	ha := subscribe(t, b.URL, clientOpts{}, filter)
	ha.waitFor("booth-voc's entities", func(ms []msg) bool {
		for _, m := range ms {
			if strings.Contains(m.Topic, "/booth_voc_voc_index/") {
				return true
			}
		}
		return false
	})
	r.stop()

	// The same room without its VOC sensor.
	r = startRoom(t, roomOpts{broker: b.URL, dir: dir, start: t0.Add(time.Hour), config: func(c *config.Config) {
		c.Sensors = slices.DeleteFunc(c.Sensors, func(s config.Sensor) bool { return s.Name == "booth-voc" })
	}})
	r.runFor(10 * time.Second)
	// Every one of its entities, not the first: they are cleared one
	// after another, and retainedNow below must not race the last.
	ha.waitFor("booth-voc's entities removed (empty retained configs)", func(ms []msg) bool {
		had, cleared := map[string]bool{}, map[string]bool{}
		for _, m := range ms {
			if strings.Contains(m.Topic, "/booth_voc_") {
				had[m.Topic] = true
				cleared[m.Topic] = len(m.Payload) == 0
			}
		}
		for topic := range had {
			if !cleared[topic] {
				return false
			}
		}
		return len(had) > 0
	})
	disc := retainedNow(t, b.URL, clientOpts{}, filter)
	for topic := range disc {
		if strings.Contains(topic, "booth_voc") {
			t.Errorf("%s still retained", topic)
		}
	}
	if _, ok := disc[top.Discovery("sensor", "booth_pm_pm25")]; !ok {
		t.Error("the other entities went too")
	}
}

func TestAlarmFromASessionIsRetainedAndAnEvent(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	r := startRoom(t, roomOpts{broker: b.URL, scenario: sessionWithDoor})
	top := r.pub.Topics()
	r.runFor(10 * time.Second)
	r.waitStatus("connected", func(s Status) bool { return s.Connected })
	sub := subscribe(t, b.URL, clientOpts{}, top.Events(), top.Base+"/alarm/#")

	r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
	raised := r.eventOf(staffWarning, alarm.Raised)
	ms := sub.waitFor("the raise event", hasEvent(raised.ID))
	ev := eventIn(t, ms, raised.ID)
	if ev.Kind != "raised" || ev.Rule != string(staffWarning) || ev.Level != "warning" || ev.Subject != "staff" || ev.Site != "Simulated OPS" ||
		ev.AlarmID != raised.AlarmID || !ev.Time.Equal(stamp(raised.Time)) || float64(ev.Value) != float64(raised.Value) {
		t.Errorf("event %+v\nfor %+v", ev, raised)
	}
	t.Logf("raise: record published → event at the subscriber: %s (wall)", at(ms, top.Events(), raised.ID).Sub(r.publishedAt(raised.ID)))
	ret := retainedNow(t, b.URL, clientOpts{}, top.Base+"/alarm/#")
	var a Alarm
	if err := json.Unmarshal(ret[top.Alarm(staffWarning)], &a); err != nil || a.ID != raised.AlarmID || a.Level != alarm.LevelWarning || a.Site != "Simulated OPS" || a.Acked || !a.Condition {
		t.Fatalf("retained alarm %s: %+v, %v (retained: %v)", top.Alarm(staffWarning), a, err, ret)
	}

	r.until("the warning's clear", transition(staffWarning, alarm.Cleared))
	cleared := r.eventOf(staffWarning, alarm.Cleared)
	ms = sub.waitFor("the clear event", hasEvent(cleared.ID))
	if ev := eventIn(t, ms, cleared.ID); ev.Kind != "cleared" || cleared.ID != raised.ID+1 {
		t.Errorf("clear event %+v after raise %d", ev, raised.ID)
	}
	sub.waitFor("the retained alarm emptied", func(ms []msg) bool {
		for _, m := range ms {
			if m.Topic == top.Alarm(staffWarning) && len(m.Payload) == 0 {
				return true
			}
		}
		return false
	})
	if ret := retainedNow(t, b.URL, clientOpts{}, top.Base+"/alarm/#"); len(ret) != 0 {
		t.Errorf("retained alarms after the clear: %v", ret)
	}
}

func hasEvent(seq uint64) func([]msg) bool {
	return func(ms []msg) bool {
		for _, m := range ms {
			var e Event
			if strings.HasSuffix(m.Topic, "/events") && json.Unmarshal(m.Payload, &e) == nil && e.Seq == seq {
				return true
			}
		}
		return false
	}
}

func eventIn(t *testing.T, ms []msg, seq uint64) Event {
	t.Helper()
	for _, m := range ms {
		var e Event
		if strings.HasSuffix(m.Topic, "/events") && json.Unmarshal(m.Payload, &e) == nil && e.Seq == seq {
			return e
		}
	}
	t.Fatalf("no event %d", seq)
	return Event{}
}

func at(ms []msg, topic string, seq uint64) time.Time {
	for _, m := range ms {
		var e Event
		if m.Topic == topic && json.Unmarshal(m.Payload, &e) == nil && e.Seq == seq {
			return m.At
		}
	}
	return time.Time{}
}

// events returns the sequence numbers received on topic, in order.
func events(ms []msg, topic string) []uint64 {
	var out []uint64
	for _, m := range ms {
		var e Event
		if m.Topic == topic && json.Unmarshal(m.Payload, &e) == nil {
			out = append(out, e.Seq)
		}
	}
	return out
}

// The retained copy on an alarm's topic changes only when the alarm does:
// its live message says the value now and would send a pager a fresh
// notification each time any other alarm came or went.
func TestAlarmPayloadIsTheAlarmNotItsValue(t *testing.T) {
	setup := alarm.DefaultSetup()
	setup.StaffZones = []string{"staff"}
	e, err := alarm.NewEngine(alarm.DefaultRules(setup))
	if err != nil {
		t.Fatal(err)
	}
	at := t0
	if _, err := e.Evaluate(at, staffWarning, 40, true); err != nil { // the run starts; it raises after its on-delay
		t.Fatal(err)
	}
	var raised alarm.Alarm
	for i, v := range []float64{40, 41, 42} {
		at = at.Add(time.Minute)
		if _, err := e.Evaluate(at, staffWarning, v, true); err != nil {
			t.Fatal(err)
		}
		act := e.Active()
		if len(act) != 1 {
			t.Fatalf("%.0f µg/m³: active %+v", v, act)
		}
		p := alarmPayload(act[0], "site", "room")
		if i == 0 {
			raised = act[0]
			continue
		}
		if act[0].Message == raised.Message {
			t.Fatalf("the live message did not follow the value: %q", act[0].Message)
		}
		if first := alarmPayload(raised, "site", "room"); string(p) != string(first) {
			t.Errorf("the payload changed with the value alone:\n%s\n%s", first, p)
		}
		if strings.Contains(string(p), "raised_message") || !strings.Contains(string(p), `(now 40 µg/m³)`) {
			t.Errorf("payload %s: want the message it raised with, once", p)
		}
	}
}

// Alarms left retained on the broker by an install ventd's journal does
// not know of (a wiped state directory, a new SD card) read as active to
// every subscriber: ventd clears them at connect, and keeps its own.
func TestAlarmsLeftOnTheBrokerByAnotherInstallAreCleared(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	cfg, m := config.Sim(), config.DefaultMQTT()
	top := NewTopics(m.TopicPrefix, m.DiscoveryPrefix, cfg.Site, cfg.Room)
	// What an earlier install left: a warning the journal never saw (on
	// a topic ventd raises later), and a fault of a sensor long gone.
	old := subscribe(t, b.URL, clientOpts{})
	old.publish(top.Alarm(staffWarning), `{"id":1,"rule":"staff/pm25/warning","level":"warning"}`, true)
	old.publish(top.Alarm("sensor/gone-sensor/stale"), `{"id":7,"rule":"sensor/gone-sensor/stale","level":"fault"}`, true)
	if ret := retainedNow(t, b.URL, clientOpts{}, top.Alarms()); len(ret) != 2 {
		t.Fatalf("retained before ventd connects: %v", ret)
	}
	r := startRoom(t, roomOpts{broker: b.URL, scenario: sessionWithDoor})
	if r.pub.Topics() != top {
		t.Fatalf("topics %+v, want %+v", r.pub.Topics(), top)
	}
	r.runFor(10 * time.Second)
	r.waitStatus("connected", func(s Status) bool { return s.Connected })
	sub := subscribe(t, b.URL, clientOpts{}, top.Alarms())
	sub.waitFor("the left alarms emptied", func(ms []msg) bool {
		ret := retainedNow(t, b.URL, clientOpts{}, top.Alarms())
		return len(ret) == 0
	})
	// ventd's own alarm is retained as before, and stays.
	r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
	raised := r.eventOf(staffWarning, alarm.Raised)
	sub.waitFor("ventd's own warning retained", func(ms []msg) bool {
		var a Alarm
		return json.Unmarshal(retainedNow(t, b.URL, clientOpts{}, top.Alarms())[top.Alarm(staffWarning)], &a) == nil && a.ID == raised.AlarmID
	})
	r.runFor(5 * time.Second)
	var a Alarm
	if err := json.Unmarshal(retainedNow(t, b.URL, clientOpts{}, top.Alarms())[top.Alarm(staffWarning)], &a); err != nil || a.ID != raised.AlarmID {
		t.Errorf("ventd's own warning after it was retained: %+v, %v", a, err)
	}
}

// A client allowed to write the room's topics could retain millions of
// alarm topics: ventd takes at most maxLeftAlarms at one connect and
// counts the rest, and an empty retained message is no alarm.
func TestAlarmsLeftOnTheBrokerAreBounded(t *testing.T) {
	p := &Publisher{}
	p.retainedAlarm("ventd/s/r/alarm/x", nil)
	for i := range maxLeftAlarms + 5 {
		p.retainedAlarm("ventd/s/r/alarm/"+strconv.Itoa(i), []byte("{}"))
	}
	if tk := p.take(); len(tk.leftAlarms) != maxLeftAlarms || tk.leftOver != 5 {
		t.Errorf("took %d, over %d; want %d and 5", len(tk.leftAlarms), tk.leftOver, maxLeftAlarms)
	}
	if tk := p.take(); len(tk.leftAlarms) != 0 || tk.leftOver != 0 {
		t.Errorf("taken again: %d, over %d", len(tk.leftAlarms), tk.leftOver)
	}
}
