package daemon

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench/room"
)

func TestRequestBudgetCountsWhatGoesOver(t *testing.T) {
	var b requestBudget
	now := t0
	page := record.Actor{Name: "Sam", Via: "page"}
	for i := 0; i < requestBurst; i++ {
		if !b.allow("page", now) {
			t.Fatalf("request %d of a burst of %d refused", i+1, requestBurst)
		}
	}
	if b.allow("page", now) {
		t.Fatal("a request past the burst was allowed at the same instant")
	}
	if !b.allow("mqtt", now) {
		t.Fatal("one way in's burst spent another's allowance")
	}
	for i := 0; i < 1000; i++ {
		if !b.allow("button", now) {
			t.Fatal("the purge button has no allowance: a person pressing it is bound by their hand")
		}
	}
	if msg := b.refusal("page", now); !strings.Contains(msg, "try again in 1m0s") || !strings.Contains(msg, "by page") {
		t.Errorf("refusal: %q", msg)
	}
	if !b.allow("page", now.Add(requestRefill)) {
		t.Error("no request allowed a refill later")
	}
	b.over(record.Action{Time: now, Kind: record.ActAcknowledge, By: page, Err: "over"})
	b.over(record.Action{Time: now, Kind: record.ActPurge, Target: "booth", By: page, Result: "purging"})
	got := b.summaries(now, false)
	if len(got) != 1 || got[0].Kind != record.ActOverAllowance || got[0].Target != "page" ||
		!strings.Contains(got[0].Err, "1 refused, not run, 1 purge request(s) run") || !strings.Contains(got[0].Err, "the last: purge booth by Sam via page") {
		t.Fatalf("first summary: %+v", got)
	}
	b.over(record.Action{Time: now.Add(time.Second), Kind: record.ActAcknowledge, By: page, Err: "over"})
	if got := b.summaries(now.Add(30*time.Second), false); got != nil {
		t.Errorf("a second summary within %s: %+v", summaryEvery, got)
	}
	if got := b.summaries(now.Add(-time.Hour), false); len(got) != 1 || !strings.Contains(got[0].Err, "1 refused") {
		t.Errorf("the clock set back an hour: %+v, want the one left counted at once", got)
	}
	b.over(record.Action{Time: now.Add(time.Second), Kind: record.ActAcknowledge, By: page, Err: "over"})
	if got := b.summaries(now.Add(-time.Hour+30*time.Second), true); len(got) != 1 || !strings.Contains(got[0].Err, "1 refused") {
		t.Errorf("stopping: %+v, want the one left counted", got)
	}
	if got := b.summaries(now.Add(time.Hour), true); got != nil {
		t.Errorf("nothing over the allowance, yet %+v", got)
	}
}

// A client asking in a loop (here acknowledging when nothing awaits it)
// fills neither the journal nor the log: past the allowance its requests
// are refused at once and counted, a purge still runs, and every request
// asked is in the journal, one by one or in a count.
func TestRequestsOverTheJournalsAllowance(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(10 * time.Minute)
	loop := record.Actor{Name: "automation", Via: "mqtt", From: "ventd/room/command"}
	const asked = 45
	var over int
	for i := 0; i < asked; i++ {
		var err error
		h.call(func() { _, err = h.d.Acknowledge(t.Context(), 0, loop, "") })
		switch {
		case err == nil:
			t.Fatal("acknowledged with nothing to acknowledge")
		case strings.Contains(err.Error(), fmt.Sprintf("more than %d requests by mqtt", requestBurst)):
			if !errors.Is(err, ErrOverAllowance) {
				t.Fatalf("request %d: %v does not say it is over the allowance (errors.Is)", i, err)
			}
			over++
		case !strings.Contains(err.Error(), "no active alarm"):
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if over < asked-requestBurst-2 {
		t.Fatalf("%d of %d refused over the allowance; want at least %d", over, asked, asked-requestBurst-2)
	}
	// Over the allowance, a purge still runs.
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 5*time.Minute))
	h.run(2 * time.Minute)
	var res string
	var err error
	h.call(func() { res, err = h.d.Purge(t.Context(), "booth", loop, "loop") })
	if err != nil || !strings.Contains(res, "purging") {
		t.Fatalf("purge over the allowance: %q, %v", res, err)
	}
	if s := h.run(time.Second); s.Fans[0].Mode != "purge" {
		t.Fatalf("purge over the allowance did not run: fan %+v", s.Fans[0])
	}
	// Another way in is not held by this one's loop.
	h.call(func() { _, err = h.d.CancelPurge(t.Context(), "booth", tester) })
	if err != nil {
		t.Fatalf("cancel from another way in: %v", err)
	}
	h.run(30 * time.Second)
	h.d.shutdown()
	acts, err := journalIn(t, h.dir).Actions(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	count := regexp.MustCompile(`(\d+) (refused|purge request)`)
	var oneByOne, counted, summaries int
	for _, a := range acts {
		switch {
		case a.Via == "mqtt" && a.Kind != string(record.ActOverAllowance):
			oneByOne++
		case a.Kind == string(record.ActOverAllowance):
			summaries++
			if a.Target != "mqtt" || a.Who != "automation" {
				t.Errorf("summary %+v: want target mqtt, who automation", a)
			}
			for _, m := range count.FindAllStringSubmatch(a.Error+a.Result, -1) {
				n, _ := strconv.Atoi(m[1])
				counted += n
			}
		}
	}
	if oneByOne+counted != asked+1 {
		t.Errorf("journal: %d mqtt requests one by one and %d counted in %d summaries; %d were asked", oneByOne, counted, summaries, asked+1)
	}
	if oneByOne > requestBurst+2 || summaries < 1 {
		t.Errorf("journal: %d mqtt requests one by one (allowance %d) and %d summaries", oneByOne, requestBurst, summaries)
	}
}
