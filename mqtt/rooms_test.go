package mqtt

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// Three rooms of one site on one broker: each its own topics, client id
// and Home Assistant device, none disturbing another.
func TestThreeRoomsOnOneBroker(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	names := []string{"Room 1", "Room 2", "Room 3"}
	var rooms []*room
	for _, n := range names {
		rooms = append(rooms, startRoom(t, roomOpts{broker: b.URL, name: n}))
	}
	all := subscribe(t, b.URL, clientOpts{}, "ventd/+/+/state", "homeassistant/+/+/+/config")
	for _, r := range rooms {
		r.runFor(20 * time.Second)
	}
	bases := map[string]bool{}
	for i, r := range rooms {
		top := r.pub.Topics()
		want := "ventd/simulated-ops/room-" + string(rune('1'+i))
		if top.Base != want || bases[top.Base] {
			t.Fatalf("room %q has base topic %s, want %s", names[i], top.Base, want)
		}
		bases[top.Base] = true
		all.waitFor(names[i]+"'s state and device", func(ms []msg) bool {
			state, device := false, false
			for _, m := range ms {
				var s snapshot.Snapshot
				if m.Topic == top.State() && json.Unmarshal(m.Payload, &s) == nil {
					state = s.Room == names[i]
				}
				if strings.Contains(m.Topic, "/"+top.Node+"/") {
					var c struct{ Device struct{ Name string } }
					device = device || json.Unmarshal(m.Payload, &c) == nil && c.Device.Name == names[i]+" (Simulated OPS)"
				}
			}
			return state && device
		})
	}
	// Each keeps its one connection: a shared client id would throw the
	// others off, over and over.
	for i, r := range rooms {
		r.runFor(5 * time.Second)
		if st := r.pub.Status(); st.Connects != 1 || !st.Connected {
			t.Errorf("%s: %+v, want one connection kept", names[i], st)
		}
	}
	ret := retainedNow(t, b.URL, clientOpts{}, "ventd/+/+/availability")
	if len(ret) != 3 {
		t.Errorf("availability of %d rooms retained: %v", len(ret), ret)
	}
	// A clean stop of one room says so; the others stay online.
	rooms[0].stop()
	ret = retainedNow(t, b.URL, clientOpts{}, "ventd/+/+/availability")
	for i, r := range rooms {
		want := map[bool]string{true: "offline", false: "online"}[i == 0]
		if got := string(ret[r.pub.Topics().Availability()]); got != want {
			t.Errorf("%s is %q, want %q", names[i], got, want)
		}
	}
	nodes := map[string]bool{}
	for _, m := range all.got() {
		if parts := strings.Split(m.Topic, "/"); parts[0] == "homeassistant" {
			nodes[parts[2]] = true
		}
	}
	if len(nodes) != 3 {
		t.Errorf("Home Assistant devices %v, want 3", nodes)
	}
}
