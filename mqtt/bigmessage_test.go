package mqtt

import (
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
// ventd -sim from 27 MB to 418 MB resident, past a Pi Zero 2 W's memory;
// retained, it came back at every connect. A message past what ventd
// takes ends the connection before its body is read, and the log says
// what to clear; commands are served again once it is cleared.
func TestAHugeMessageIsRefusedUnread(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	top := NewTopics("ventd", "homeassistant", config.Sim().Site, config.Sim().Room)
	ops := subscribe(t, b.URL, clientOpts{}, top.Reply())
	const size = 32 << 20
	ops.publish(top.HAStatus(), strings.Repeat("o", size), true)

	r := &commandRig{t: t, b: b, room: newFakeRoom(), log: &testbench.LogBuffer{}, ops: ops}
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Commands, m.ReconnectMax = b.URL, true, time.Second
	cfg.MQTT = &m
	var err error
	if r.pub, err = New(Options{Config: cfg, Room: r.room, Log: slog.New(slog.NewTextHandler(r.log, nil))}); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	r.start()
	deadline := time.Now().Add(wallWait)
	for !strings.Contains(r.log.String(), "clear it") {
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > size/2 {
		t.Errorf("ventd allocated %d MB for a %d MB message it has no use for", grew>>20, size>>20)
	}
	if log := r.log.String(); !strings.Contains(log, top.HAStatus()) || !strings.Contains(log, "clear it") {
		t.Errorf("the log does not say what to clear:\n%.2000s", log)
	}
	ops.publish(top.HAStatus(), "", true) // cleared, as the log asks
	// Served again from the next connection on: a command sent while
	// ventd is away is not kept for it (a clean session).
	connects := r.pub.Status().Connects
	for r.pub.Status().Connects <= connects || !r.pub.Status().Connected {
		if time.Now().After(deadline) {
			t.Fatalf("the publisher never connected again:\n%.3000s", r.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.send(purge("after"))
	if rep := r.waitReplies("a command after the clearing", 1)[0]; rep.ID != "after" || !rep.OK {
		t.Errorf("after the clearing: %+v", rep)
	}
}
