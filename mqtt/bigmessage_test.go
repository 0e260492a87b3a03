package mqtt

import (
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// Any client that may write homeassistant/status (most Home Assistant
// sites let every client) or the command topic could send ventd a message
// of any size the broker takes: mosquitto's default is 256 MB. paho read
// each whole into memory before ventd saw it: one 200 MB publish took
// ventd -sim from 27 MB to 418 MB resident, past a Pi Zero 2 W's memory.
// A message past what ventd takes has its body dropped unread, and ventd
// stays connected: ending the connection instead let one message take
// ventd off the broker, and a retained one keep it off for good (it came
// back at every connect). The log names the topic to clear; a command too
// large is answered as such.
func TestAHugeMessageIsDroppedUnread(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	top := NewTopics("ventd", "homeassistant", config.Sim().Site, config.Sim().Room)
	ops := subscribe(t, b.URL, clientOpts{}, top.Reply())
	const size = 32 << 20
	ops.publish(top.HAStatus(), strings.Repeat("o", size), true)

	r := &commandRig{t: t, b: b, room: newFakeRoom(), log: &testbench.LogBuffer{}, ops: ops}
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Commands, m.Discovery, m.ReconnectMax = b.URL, true, true, time.Second
	cfg.MQTT = &m
	var err error
	if r.pub, err = New(Options{Config: cfg, Room: r.room, Log: slog.New(slog.NewTextHandler(r.log, nil))}); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	r.start()
	big := `{"command": "purge", "zone": "booth", "who": "Sam Lee", "id": "big", "note": "` + strings.Repeat("x", 70<<10) + `"}`
	r.send(big)
	r.send(purge("after"))
	reps := r.waitReplies("the answers to a command too large and one after it", 2)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > size/2 {
		t.Errorf("ventd allocated %d MB for a %d MB message it has no use for", grew>>20, size>>20)
	}
	if rep := reps[0]; rep.OK || !strings.Contains(rep.Error, fmt.Sprintf("command of %d bytes, over the %d ventd reads", len(big), maxIncoming)) {
		t.Errorf("a command too large: %+v", rep)
	}
	if rep := reps[1]; rep.ID != "after" || !rep.OK {
		t.Errorf("the command after it: %+v", rep)
	}
	if ran := r.room.ran(); len(ran) != 1 {
		t.Errorf("ran %q, want the purge after the large command alone", ran)
	}
	if st := r.pub.Status(); !st.Connected || st.Connects != 1 {
		t.Errorf("status %+v: want connected once, all along", st)
	}
	log := r.log.String()
	if !strings.Contains(log, "dropped unread") || !strings.Contains(log, "topic="+top.HAStatus()+" bytes=33554432 retained=true") ||
		!strings.Contains(log, "clear it") {
		t.Errorf("the log does not name the topic to clear:\n%.3000s", log)
	}
}
