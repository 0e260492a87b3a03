package mqtt

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/mqtt/command"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// fakeRoom takes commands as the daemon does, one at a time, and holds
// each until the test lets it through (as a control loop answers within a
// period).
type fakeRoom struct {
	mu    sync.Mutex
	calls []string
	gate  chan struct{} // closed: commands pass
	busy  int           // this many next commands find the loop busy
	over  int           // this many next are refused over the journal's allowance
}

func newFakeRoom() *fakeRoom {
	f := &fakeRoom{gate: make(chan struct{})}
	close(f.gate)
	return f
}

// hold makes commands wait until release.
func (f *fakeRoom) hold() {
	f.mu.Lock()
	f.gate = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakeRoom) release() {
	f.mu.Lock()
	close(f.gate)
	f.mu.Unlock()
}

func (f *fakeRoom) do(ctx context.Context, what string) (string, error) {
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	select {
	case <-gate:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busy > 0 {
		f.busy--
		return "", daemon.ErrBusy
	}
	if f.over > 0 {
		f.over--
		return "", fmt.Errorf("refused, not run: more than 30 requests by mqtt at once: %w", record.ErrOverAllowance)
	}
	f.calls = append(f.calls, what)
	return what + ": done", nil
}

func (f *fakeRoom) ran() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeRoom) Purge(ctx context.Context, zone string, by record.Actor, _ string) (string, error) {
	if zone == "boot" { // a typo the loop refuses, as the daemon does
		return "", fmt.Errorf("no zone %q; zones: booth", zone)
	}
	return f.do(ctx, "purge "+zone+" by "+by.Name)
}

func (f *fakeRoom) CancelPurge(ctx context.Context, zone string, by record.Actor) (string, error) {
	return f.do(ctx, "cancel_purge "+zone+" by "+by.Name)
}

func (f *fakeRoom) Acknowledge(ctx context.Context, id uint64, by record.Actor, _ string) (string, error) {
	return f.do(ctx, fmt.Sprintf("ack %d by %s", id, by.Name))
}

// commandRig is a publisher taking commands for a fake room, and a client
// that sends them and reads the replies.
type commandRig struct {
	t    *testing.T
	b    *mosquitto.Broker
	room *fakeRoom
	pub  *Publisher
	log  *testbench.LogBuffer
	ops  *client
}

func startCommandRig(t *testing.T) *commandRig {
	t.Helper()
	r := &commandRig{t: t, b: mosquitto.Start(t, mosquitto.Options{UnlimitedQueue: true}), room: newFakeRoom(), log: &testbench.LogBuffer{}}
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Commands, m.Discovery, m.ReconnectMax = r.b.URL, true, false, time.Second
	cfg.MQTT = &m
	var err error
	r.pub, err = New(Options{Config: cfg, Room: r.room, Version: "test", ReconnectMin: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	r.ops = subscribe(t, r.b.URL, clientOpts{}, r.pub.Topics().Reply())
	r.start()
	return r
}

// start runs the publisher until the test ends, and waits for it to be
// connected (and so subscribed to the command topic).
func (r *commandRig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.pub.Run(ctx) }()
	r.t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(wallWait)
	for !r.pub.Status().Connected {
		if time.Now().After(deadline) {
			r.t.Fatalf("the publisher never connected:\n%s", r.log)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *commandRig) send(payload string) {
	r.t.Helper()
	r.ops.publish(r.pub.Topics().Command(), payload, false)
}

// replies returns the replies received so far, in order.
func (r *commandRig) replies() []command.Reply {
	var out []command.Reply
	for _, m := range r.ops.got() {
		var rep command.Reply
		if m.Topic == r.pub.Topics().Reply() {
			if err := json.Unmarshal(m.Payload, &rep); err != nil {
				r.t.Fatalf("reply %q: %v", m.Payload, err)
			}
			out = append(out, rep)
		}
	}
	return out
}

// waitReplies waits until there are n replies, and returns them.
func (r *commandRig) waitReplies(what string, n int) []command.Reply {
	r.t.Helper()
	r.ops.waitFor(what, func([]msg) bool { return len(r.replies()) >= n })
	reps := r.replies()
	if len(reps) > n {
		r.t.Fatalf("%s: %d replies, want %d: %+v", what, len(reps), n, reps[n:])
	}
	return reps
}

func purge(id string) string {
	return fmt.Sprintf(`{"command": "purge", "zone": "booth", "who": "Sam Lee", "id": %q}`, id)
}

// A script's burst (more than a handful of commands at once) is run in
// full; a flood past the queue is answered busy at once, every command
// with its own id, in a log line or two; and a command after the flood
// is served.
func TestEveryCommandOfABurstOrAFloodIsAnswered(t *testing.T) {
	r := startCommandRig(t)

	// A burst of 20 while the control loop holds the first: all run, in
	// order, each answered.
	r.room.hold()
	for i := range 20 {
		r.send(purge(fmt.Sprintf("burst-%d", i)))
	}
	r.room.release()
	reps := r.waitReplies("the burst's replies", 20)
	for i, rep := range reps {
		if want := fmt.Sprintf("burst-%d", i); rep.ID != want || !rep.OK || rep.Result != "purge booth by Sam Lee: done" {
			t.Errorf("reply %d: %+v, want %s done", i, rep, want)
		}
	}
	if n := len(r.room.ran()); n != 20 {
		t.Errorf("%d commands ran, want 20", n)
	}

	// A flood: what fits in the queue runs, the rest is answered busy at
	// once, not run.
	const flood = 5000
	r.room.hold()
	for i := range flood {
		r.send(purge(fmt.Sprintf("f%d", i)))
	}
	busy := func() int {
		n := 0
		for _, rep := range r.replies()[20:] {
			if strings.HasPrefix(rep.Error, "busy:") {
				n++
			}
		}
		return n
	}
	r.ops.waitFor("the busy answers, while the loop holds", func([]msg) bool { return busy() >= flood-commandQueue-1 })
	r.room.release()
	reps = r.waitReplies("an answer to every command of the flood", 20+flood)[20:]
	seen := map[string]bool{}
	ok := 0
	for _, rep := range reps {
		if seen[rep.ID] || !strings.HasPrefix(rep.ID, "f") || rep.Command != command.Purge {
			t.Fatalf("reply %+v: a repeated or unknown id, or not the command's name", rep)
		}
		seen[rep.ID] = true
		switch {
		case rep.OK:
			ok++
		case rep.Error != fmt.Sprintf("busy: %d purges waiting; not run: send it again in a few seconds", urgentQueue): // purges have their own queue
			t.Fatalf("reply %+v: neither done nor busy", rep)
		}
	}
	if ran := len(r.room.ran()) - 20; ok != ran || ok < commandQueue || ok > commandQueue+1 {
		t.Errorf("%d answered done and %d ran; want the queue's %d (and the one running)", ok, ran, commandQueue)
	}
	if lines := strings.Count(r.log.String(), "too many commands waiting"); lines < 1 || lines > 3 {
		t.Errorf("%d log lines about the busy commands, want a line and a count:\n%s", lines, r.log)
	}
	if !strings.Contains(r.log.String(), `last_id=f`) || !strings.Contains(r.log.String(), `last_who="Sam Lee" last_command=purge`) {
		t.Errorf("the busy log line does not name the command:\n%s", r.log)
	}

	// After the flood, a command is served (sent again while busy, as the
	// answer asks).
	before := len(r.replies())
	for {
		r.send(`{"command": "cancel_purge", "zone": "booth", "who": "Alex Doe", "id": "real"}`)
		reps := r.waitReplies("the answer to the command after the flood", before+1)
		rep := reps[before]
		before++
		if strings.HasPrefix(rep.Error, "busy:") {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if rep.ID != "real" || !rep.OK || rep.Result != "cancel_purge booth by Alex Doe: done" {
			t.Errorf("the command after the flood: %+v", rep)
		}
		break
	}
}

// The same id and the same command is a repeat: answered again, not run.
// The same id on another command is refused, not answered with the other
// command's reply.
func TestAReusedIDIsARepeatOnlyForTheSameCommand(t *testing.T) {
	r := startCommandRig(t)
	r.send(purge("d1"))
	r.send(purge("d1"))
	reps := r.waitReplies("the purge and its repeat", 2)
	if reps[0] != reps[1] || !reps[0].OK || reps[0].ID != "d1" {
		t.Errorf("a repeat: %+v, then %+v", reps[0], reps[1])
	}
	cases := []struct{ payload, command string }{
		{`{"command": "cancel_purge", "zone": "booth", "who": "dup", "id": "d1"}`, command.CancelPurge},
		{`{"command": "purge", "zone": "booth-2", "who": "Sam Lee", "id": "d1"}`, command.Purge},
		{`{"command": "purge", "zone": "booth", "who": "Sam Lee", "reason": "another", "id": "d1"}`, command.Purge},
		{`{"command": "ack", "all": true, "who": "Sam Lee", "id": "d1"}`, command.Ack},
	}
	for i, c := range cases {
		r.send(c.payload)
		rep := r.waitReplies(c.payload, 3+i)[2+i]
		if rep.OK || rep.ID != "d1" || rep.Command != c.command ||
			rep.Error != `id "d1" was already used for a command asking something else (purge); not run: give each command its own id` {
			t.Errorf("%s: %+v", c.payload, rep)
		}
	}
	if ran := r.room.ran(); len(ran) != 1 {
		t.Errorf("ran %q, want the first purge alone", ran)
	}

	// A command refused before it ran does not take its id: sent again,
	// corrected, it runs.
	r.send(`{"command": "purge", "zone": "booth", "who": "Sam Lee", "force": true, "id": "d2"}`)
	r.send(purge("d2"))
	reps = r.waitReplies("a refused command, then corrected", 8)
	if reps[6].OK || !strings.Contains(reps[6].Error, `unknown field "force"`) || !reps[7].OK || reps[7].ID != "d2" {
		t.Errorf("refused, then corrected: %+v, then %+v", reps[6], reps[7])
	}
}

// A command that found the control loop busy, or that the loop refused
// (a zone typo), did not run: the sender is told why, and the same id,
// sent again (as it was, or corrected), runs. Remembered under its id,
// the repeat would get the refusal back and the purge would never run.
func TestACommandNotRunRunsWhenSentAgain(t *testing.T) {
	r := startCommandRig(t)
	r.room.mu.Lock()
	r.room.busy = 1
	r.room.mu.Unlock()
	r.send(purge("b1"))
	first := r.waitReplies("the busy answer", 1)[0]
	if first.OK || first.ID != "b1" || !strings.Contains(first.Error, "try again") {
		t.Fatalf("the loop busy: %+v, want an error saying to try again", first)
	}
	r.send(purge("b1"))
	again := r.waitReplies("the purge sent again", 2)[1]
	if !again.OK || again.ID != "b1" || again.Result != "purge booth by Sam Lee: done" {
		t.Errorf("sent again: %+v, want it run", again)
	}
	if ran := r.room.ran(); len(ran) != 1 {
		t.Errorf("ran %q, want the purge once", ran)
	}

	// The loop refuses a mistake (a zone typo): sent again corrected,
	// with its id, it runs.
	r.send(`{"command": "purge", "zone": "boot", "who": "Sam Lee", "id": "z1"}`)
	if typo := r.waitReplies("the typo's refusal", 3)[2]; typo.OK || !strings.Contains(typo.Error, `no zone "boot"`) {
		t.Fatalf("a zone typo: %+v", typo)
	}
	r.send(purge("z1"))
	if fixed := r.waitReplies("the corrected purge", 4)[3]; !fixed.OK || fixed.ID != "z1" {
		t.Errorf("corrected, with the same id: %+v, want it run", fixed)
	}
}

// An empty message on the command topic (not the clearing of a retained
// command) is answered with what a command looks like, and logged; a
// flood of them in a line or two.
func TestAnEmptyCommandIsAnswered(t *testing.T) {
	r := startCommandRig(t)
	r.send("")
	rep := r.waitReplies("the answer to an empty message", 1)[0]
	if rep.OK || rep.ID != "" || rep.Command != "" || rep.Error != emptyAnswer {
		t.Errorf("empty: %+v", rep)
	}
	if !strings.Contains(r.log.String(), "empty message on the command topic") {
		t.Errorf("no log line:\n%s", r.log)
	}
	for range 50 {
		r.send("")
	}
	r.waitReplies("the answers to 50 more", 51)
	if n := strings.Count(r.log.String(), "empty message on the command topic"); n > 2 {
		t.Errorf("%d log lines for 51 empty messages:\n%s", n, r.log)
	}
	if len(r.room.ran()) != 0 {
		t.Errorf("ran %q", r.room.ran())
	}
}

// A retained command is refused at connect, with how to clear it; the
// clearing (which the broker forwards without the retain flag) is not
// answered.
func TestClearingARetainedCommandIsNotAnswered(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	top := NewTopics("ventd", "homeassistant", config.Sim().Site, config.Sim().Room)
	ops := subscribe(t, b.URL, clientOpts{}, top.Reply())
	ops.publish(top.Command(), purge("kept"), true)
	r := &commandRig{t: t, b: b, room: newFakeRoom(), log: &testbench.LogBuffer{}, ops: ops}
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Commands, m.Discovery = b.URL, true, false
	cfg.MQTT = &m
	var err error
	if r.pub, err = New(Options{Config: cfg, Room: r.room, Log: slog.New(slog.NewTextHandler(r.log, nil))}); err != nil {
		t.Fatal(err)
	}
	r.start()
	rep := r.waitReplies("the retained command's refusal", 1)[0]
	if rep.OK || rep.ID != "kept" || !strings.Contains(rep.Error, "retained command refused") {
		t.Fatalf("retained: %+v", rep)
	}
	ops.publish(top.Command(), "", true) // cleared, as the answer asks
	r.send(purge("after"))
	reps := r.waitReplies("the command after the clearing", 2)
	if reps[1].ID != "after" || !reps[1].OK {
		t.Errorf("after the clearing: %+v", reps[1])
	}
	// A second empty message is no clearing: answered.
	r.send("")
	if rep := r.waitReplies("an empty message", 3)[2]; rep.Error != emptyAnswer {
		t.Errorf("empty: %+v", rep)
	}
}

// The throttle writes the first at once, then one line for the rest of
// the interval, naming the last.
func TestThrottleCountsAFlood(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	th := &throttle{every: 50 * time.Millisecond, log: func(n int, last []any) {
		mu.Lock()
		lines = append(lines, fmt.Sprint(n, last))
		mu.Unlock()
	}}
	for i := range 100 {
		th.note("id", i)
	}
	deadline := time.Now().Add(wallWait)
	for {
		mu.Lock()
		got := append([]string(nil), lines...)
		mu.Unlock()
		if len(got) == 2 {
			if got[0] != "1 [id 0]" || got[1] != "99 [id 99]" {
				t.Errorf("lines %q", got)
			}
			break
		}
		if len(got) > 2 || time.Now().After(deadline) {
			t.Fatalf("lines %q", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A client asking in a loop past the journal's allowance gets every
// refusal as its reply, and the log a line and a count, not a line each.
func TestCommandsOverTheAllowanceAreLoggedAsACount(t *testing.T) {
	r := startCommandRig(t)
	const n = 50
	r.room.mu.Lock()
	r.room.over = n
	r.room.mu.Unlock()
	for i := range n {
		r.send(fmt.Sprintf(`{"command": "ack", "all": true, "who": "automation", "id": "a%d"}`, i))
	}
	for _, rep := range r.waitReplies("every refusal answered", n) {
		if rep.OK || !strings.Contains(rep.Error, "more than 30 requests by mqtt") {
			t.Fatalf("reply %+v: want the refusal over the allowance", rep)
		}
	}
	if lines := strings.Count(r.log.String(), "mqtt: command refused"); lines < 1 || lines > 2 {
		t.Errorf("%d log lines about the refused commands, want a line and a count:\n%s", lines, r.log)
	}
	if lines := strings.Count(r.log.String(), `msg="mqtt: command"`); lines != 0 {
		t.Errorf("%d lines logged one by one for commands over the allowance:\n%s", lines, r.log)
	}
}

// A purge ("overdose response") goes ahead of the commands waiting, and
// is not answered busy because of them: an automation acknowledging in a
// loop had it wait a period for each of 64 (a minute), or refused. A
// cancel_purge sent before a purge that went ahead of it is not run
// after it (it would end the purge sent later); one sent after runs.
func TestAPurgeGoesAheadOfWaitingCommands(t *testing.T) {
	r := startCommandRig(t)
	ack := func(id string) string {
		return fmt.Sprintf(`{"command": "ack", "all": true, "who": "automation", "id": %q}`, id)
	}
	// taken waits for the busy answer to id, sent last into a full queue:
	// ventd takes messages in order, so it took every one before.
	taken := func(id string) {
		r.ops.waitFor("the busy answer to "+id, func([]msg) bool {
			return slices.ContainsFunc(r.replies(), func(rep command.Reply) bool { return rep.ID == id && strings.HasPrefix(rep.Error, "busy:") })
		})
	}
	r.room.hold()
	const acks = commandQueue + 10 // the queue full, and some answered busy
	for i := range acks {
		r.send(ack(fmt.Sprintf("a%d", i)))
	}
	r.send(purge("urgent"))
	r.send(ack("last"))
	taken("last")
	r.room.release()
	reps := r.waitReplies("an answer to every command", acks+2)
	i := slices.IndexFunc(reps, func(rep command.Reply) bool { return rep.ID == "urgent" })
	if i < 0 || !reps[i].OK {
		t.Fatalf("the purge behind %d acks: %+v", acks, reps)
	}
	// At most the ack already at the loop when it came runs before it.
	if at := slices.Index(r.room.ran(), "purge booth by Sam Lee"); at < 0 || at > 1 {
		t.Errorf("the purge ran %dth, after %d acks: %q", at+1, at, r.room.ran())
	}

	r.room.hold()
	before := len(r.room.ran())
	r.send(ack("x"))
	r.send(`{"command": "cancel_purge", "zone": "booth", "who": "Alex Doe", "id": "c1"}`)
	r.send(purge("p2"))
	r.send(`{"command": "cancel_purge", "who": "Alex Doe", "id": "c2"}`)
	for i := range commandQueue {
		r.send(ack(fmt.Sprintf("f%d", i)))
	}
	taken(fmt.Sprintf("f%d", commandQueue-1))
	r.room.release()
	reps = r.waitReplies("the cancels' answers", acks+2+4+commandQueue)[acks+2:]
	byID := map[string]command.Reply{}
	for _, rep := range reps {
		byID[rep.ID] = rep
	}
	if c1 := byID["c1"]; c1.OK || !strings.Contains(c1.Error, `a purge of "booth" sent after this cancel_purge ran before it`) {
		t.Errorf("the cancel_purge overtaken by a purge: %+v", c1)
	}
	if !byID["p2"].OK || !byID["c2"].OK || !byID["x"].OK {
		t.Errorf("answers %+v", byID)
	}
	ran := r.room.ran()[before:]
	p, c := slices.Index(ran, "purge booth by Sam Lee"), slices.Index(ran, "cancel_purge  by Alex Doe")
	if p < 0 || p > 1 || c < p || slices.Contains(ran, "cancel_purge booth by Alex Doe") {
		t.Errorf("ran %q, want the purge first (or after the ack at the loop), the cancel sent after it later, not the one before", ran)
	}
}

// A client repeating one id in a loop gets every answer, and the log a
// line and a count, not a line each (2000 repeats wrote 1960 lines).
func TestRepeatsAreLoggedAsACount(t *testing.T) {
	r := startCommandRig(t)
	const n = 300
	for range n {
		r.send(purge("p1"))
	}
	for _, rep := range r.waitReplies("every repeat answered", n) {
		if !rep.OK || rep.ID != "p1" {
			t.Fatalf("reply %+v: want the purge's answer", rep)
		}
	}
	if ran := r.room.ran(); len(ran) != 1 {
		t.Errorf("ran %q, want the purge once", ran)
	}
	if lines := strings.Count(r.log.String(), "command repeated"); lines < 1 || lines > 2 {
		t.Errorf("%d log lines about the repeats, want a line and a count:\n%.3000s", lines, r.log)
	}
}

// Copies of a purge that come while it waits for a slow control loop (a
// client resending every second, or a script in a loop) are answered
// with the purge's answer once it has run, never "busy: not run": the
// purge is about to run. They used to fill the purges' queue; the
// machine's load alone then answered some busy (seen in CI).
func TestCopiesOfAWaitingPurgeAreAnsweredAsItIs(t *testing.T) {
	r := startCommandRig(t)
	r.room.hold()
	const n = 3 * urgentQueue
	for range n {
		r.send(purge("p1"))
	}
	time.Sleep(time.Second) // most copies arrive while the first waits; any later one is a plain repeat
	r.room.release()
	for _, rep := range r.waitReplies("every copy answered", n) {
		if !rep.OK || rep.ID != "p1" {
			t.Fatalf("reply %+v: want the purge's answer", rep)
		}
	}
	if ran := r.room.ran(); len(ran) != 1 {
		t.Errorf("ran %q, want the purge once", ran)
	}
}

// The broker resends (DUP) a purge ventd took and answered already, and
// the client's own copies of it (same id, new messages) come while that
// resend waits its turn. The resend is not answered again; each copy is,
// as the repeat it is, and the purge ran once.
func TestCopiesBehindABrokersResendAreAnswered(t *testing.T) {
	room := newFakeRoom()
	s, topic := offlineCommands(t, room, io.Discard)
	c := &replyCatcher{}
	ctx := context.Background()
	first := fakeMsg{topic: topic, payload: purge("p1"), id: 5, qos: 1}
	if rep, ok := s.run(ctx, inbound{c: c, m: first}); !ok || !rep.OK {
		t.Fatalf("first copy: %+v, %t; want it run", rep, ok)
	}
	// Taken as take does: the resend first, then two copies behind it.
	resent := first
	resent.dup = true
	msgs := []fakeMsg{resent, {topic: topic, payload: purge("p1"), id: 6, qos: 1}, {topic: topic, payload: purge("p1"), id: 7, qos: 1}}
	var head inbound
	for i, m := range msgs {
		cmd, err := command.Parse(m.Payload())
		if err != nil {
			t.Fatal(err)
		}
		in := inbound{c: c, m: m, seq: uint64(i + 2), id: cmd.ID, asked: canonical(cmd)}
		copied := s.copyOfWaiting(&in)
		if copied != (i > 0) {
			t.Fatalf("message %d: counted as a copy %t", i, copied)
		}
		if i == 0 {
			head = in
		}
	}
	if rep, ok := s.run(ctx, head); ok {
		t.Errorf("the broker's resend answered %+v; it was answered when first taken", rep)
	}
	s.answerCopies(ctx, head)
	got := c.replies(t)
	if len(got) != 2 {
		t.Fatalf("%d answers to the two copies: %+v", len(got), got)
	}
	for _, rep := range got {
		if !rep.OK || rep.ID != "p1" {
			t.Errorf("copy answered %+v: want the purge's answer", rep)
		}
	}
	if ran := room.ran(); len(ran) != 1 {
		t.Errorf("ran %q, want the purge once", ran)
	}
}

// replyCatcher is a connection that keeps what ventd publishes on it;
// the commands use nothing else of it.
type replyCatcher struct {
	paho.Client
	mu   sync.Mutex
	sent [][]byte
}

func (c *replyCatcher) Publish(topic string, qos byte, retained bool, payload any) paho.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, payload.([]byte))
	return nil
}

func (c *replyCatcher) replies(t *testing.T) []command.Reply {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []command.Reply
	for _, b := range c.sent {
		var r command.Reply
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("reply %q: %v", b, err)
		}
		out = append(out, r)
	}
	return out
}

// fakeMsg is a message as paho hands it over.
type fakeMsg struct {
	topic     string
	payload   string
	id        uint16
	qos       byte
	dup, keep bool
}

func (m fakeMsg) Duplicate() bool   { return m.dup }
func (m fakeMsg) Qos() byte         { return m.qos }
func (m fakeMsg) Retained() bool    { return m.keep }
func (m fakeMsg) Topic() string     { return m.topic }
func (m fakeMsg) MessageID() uint16 { return m.id }
func (m fakeMsg) Payload() []byte   { return []byte(m.payload) }
func (m fakeMsg) Ack()              {}

// A resend by the broker (DUP) of a command without an id is not run
// again: a late "ack all" would acknowledge the alarms raised since the
// first copy. A new message reusing the packet id, or the same command in
// a new message, runs.
func TestAResendOfACommandWithoutAnIDRunsOnce(t *testing.T) {
	room := newFakeRoom()
	log := &testbench.LogBuffer{}
	s, topic := offlineCommands(t, room, log)
	ack := `{"command": "ack", "all": true, "who": "Dup test"}`
	defer func(w time.Duration) { sameWithoutID = w }(sameWithoutID)
	sameWithoutID = 0 // the DUP flag alone here; the window is the next test's
	for i, c := range []struct {
		m   fakeMsg
		run bool
	}{
		{fakeMsg{topic: topic, payload: ack, id: 7, qos: 1}, true},
		{fakeMsg{topic: topic, payload: ack, id: 7, qos: 1, dup: true}, false},
		{fakeMsg{topic: topic, payload: purge(""), id: 7, qos: 1, dup: true}, true},
		{fakeMsg{topic: topic, payload: ack, id: 8, qos: 1}, true},
		{fakeMsg{topic: topic, payload: ack, qos: 0}, true},
	} {
		before := len(room.ran())
		rep, answered := s.run(context.Background(), inbound{m: c.m})
		if ran := len(room.ran()) > before; ran != c.run || answered != c.run {
			t.Errorf("message %d %+v: ran %t, answered %t (%+v); want %t", i, c.m, ran, answered, rep, c.run)
		}
	}
	if !strings.Contains(log.String(), "a resend (DUP) of a message already taken") {
		t.Errorf("the resend is not logged:\n%s", log)
	}
}

// A copy of an "ack all" or cancel_purge without an id, as a client's
// resend reaches ventd (a new message), is refused within sameWithoutID;
// with an id, or from someone else, or later, it runs.
func TestTheSameAckAllWithoutAnIDIsNotRunTwice(t *testing.T) {
	room := newFakeRoom()
	s, topic := offlineCommands(t, room, io.Discard)
	for i, c := range []struct {
		payload string
		run     bool
	}{
		{`{"command": "ack", "all": true, "who": "Sam"}`, true},
		{`{"command": "ack", "all": true, "who": "Sam"}`, false}, // the resent copy
		{`{"command": "ack", "all": true, "who": "Ana"}`, true},  // someone else
		{`{"command": "ack", "alarm_id": 3, "who": "Sam"}`, true},
		{`{"command": "ack", "alarm_id": 3, "who": "Sam"}`, true}, // harmless twice
		{`{"command": "cancel_purge", "who": "Sam"}`, true},
		{`{"command": "cancel_purge", "who": "Sam"}`, false},
		{`{"command": "ack", "all": true, "who": "Sam", "id": "a1"}`, true},
		{`{"command": "ack", "all": true, "who": "Sam", "id": "a2"}`, true},
	} {
		before := len(room.ran())
		rep, answered := s.run(context.Background(), inbound{m: fakeMsg{topic: topic, payload: c.payload, qos: 1}})
		if ran := len(room.ran()) > before; ran != c.run || !answered {
			t.Errorf("command %d %s: ran %t, answered %t (%+v); want ran %t", i, c.payload, ran, answered, rep, c.run)
		}
		if !c.run && !strings.Contains(rep.Error, "without an id ran") {
			t.Errorf("command %d: the refusal does not say why: %q", i, rep.Error)
		}
	}
	sameWithoutID = 0 // as if the window had passed
	defer func() { sameWithoutID = 10 * time.Second }()
	before := len(room.ran())
	if s.run(context.Background(), inbound{m: fakeMsg{topic: topic, payload: `{"command": "ack", "all": true, "who": "Sam"}`, qos: 1}}); len(room.ran()) == before {
		t.Error("ack all not run again after the window")
	}
}

// offlineCommands is the command server of a publisher with commands on,
// for room, logging to log, never connected: run takes messages by hand.
// It returns the command topic too.
func offlineCommands(t *testing.T, room *fakeRoom, log io.Writer) (*commands, string) {
	t.Helper()
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Commands = "mqtt://127.0.0.1:1", true
	cfg.MQTT = &m
	pub, err := New(Options{Config: cfg, Room: room, Log: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return pub.newCommands(), pub.Topics().Command()
}
