package record

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/control/alarm"
)

// collector keeps what it receives; gate, when set, holds each Receive
// until the test lets it go.
type collector struct {
	mu   sync.Mutex
	got  []*Period
	gate chan struct{}
}

func (c *collector) Receive(p *Period) {
	if c.gate != nil {
		<-c.gate
	}
	c.mu.Lock()
	c.got = append(c.got, p)
	c.mu.Unlock()
}

func (c *collector) transitions() (ids []uint64, covers int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.got {
		for _, e := range p.Transitions {
			ids = append(ids, e.ID)
		}
		covers += p.covers()
	}
	return ids, covers
}

func period(n uint64) *Period {
	p := &Period{Number: n, Time: time.Unix(int64(n), 0), Covers: 1}
	if n%3 == 0 {
		p.Transitions = []alarm.Event{{ID: n}}
		p.Minutes = []Minute{{Count: int(n)}}
	}
	return p
}

func TestSlowOutputMissesNoEventAndNeverBlocksPublish(t *testing.T) {
	h := NewHub()
	fast, slow := &collector{}, &collector{gate: make(chan struct{})}
	h.Attach("fast", fast, nil)
	h.Attach("slow", slow, nil)
	const n = 10 * Backlog
	for i := uint64(1); i <= n; i++ {
		h.Publish(period(i)) // the slow output is stuck in its first Receive throughout
	}
	st := h.Stats()
	if st[1].Merged == 0 || st[1].Waiting > Backlog {
		t.Fatalf("slow output: %+v; want its backlog merged and at most %d waiting", st[1], Backlog)
	}
	close(slow.gate)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*collector{fast, slow} {
		ids, covers := c.transitions()
		if covers != n {
			t.Errorf("records cover %d periods, want %d", covers, n)
		}
		if len(ids) != n/3 {
			t.Fatalf("got %d transitions, want %d", len(ids), n/3)
		}
		for i, id := range ids {
			if id != uint64(3*(i+1)) {
				t.Fatalf("transition %d has id %d, want %d: order or once-only broken", i, id, 3*(i+1))
			}
		}
	}
	if got := slow.got[len(slow.got)-1]; got.Number != n {
		t.Errorf("slow output's last record is period %d, want the newest state (%d)", got.Number, n)
	}
	if !h.Close(time.Second) {
		t.Error("Close timed out")
	}
}

func TestMergeKeepsNewerStateAndAllEvents(t *testing.T) {
	a := &Period{Number: 1, Covers: 1, Saved: map[string]string{"x": "1", "y": "1"},
		Actions: []Action{{Kind: ActPurge}}, Gaps: []Gap{{Reason: GapSensorFault}}}
	b := &Period{Number: 2, Saved: map[string]string{"x": "2"}, Actions: []Action{{Kind: ActAcknowledge}}}
	m, dropped := Merge(a, b)
	if dropped != 0 || m.Number != 2 || m.Covers != 2 {
		t.Fatalf("merged = %+v, dropped %d", m, dropped)
	}
	if len(m.Actions) != 2 || m.Actions[0].Kind != ActPurge || m.Actions[1].Kind != ActAcknowledge || len(m.Gaps) != 1 {
		t.Errorf("events %+v %+v", m.Actions, m.Gaps)
	}
	if m.Saved["x"] != "2" || m.Saved["y"] != "1" {
		t.Errorf("saved %v: want the newer value of each key", m.Saved)
	}
	if a.Saved["x"] != "1" || len(a.Actions) != 1 || b.Number != 2 || len(b.Actions) != 1 {
		t.Error("Merge changed its arguments")
	}
}

func TestMergeBoundsMinutes(t *testing.T) {
	a := &Period{Minutes: make([]Minute, maxMergedMinutes)}
	b := &Period{Minutes: []Minute{{Count: 7}}}
	m, dropped := Merge(a, b)
	if dropped != 1 || len(m.Minutes) != maxMergedMinutes || m.Minutes[len(m.Minutes)-1].Count != 7 {
		t.Errorf("dropped %d, %d minutes kept", dropped, len(m.Minutes))
	}
}

func TestCloseDeliversWhatIsQueued(t *testing.T) {
	h := NewHub()
	c := &collector{}
	h.Attach("c", c, &AttachOpts{Backlog: -1})
	for i := uint64(1); i <= 100; i++ {
		h.Publish(period(i))
	}
	if !h.Close(10 * time.Second) {
		t.Fatal("Close timed out")
	}
	if len(c.got) != 100 {
		t.Errorf("delivered %d of 100 before closing", len(c.got))
	}
	h.Publish(period(101)) // after Close: dropped, never blocks or panics
}

// eventLists returns Period's event lists (its slice fields that are not
// state) by field index.
func eventLists() map[int]reflect.StructField {
	state := map[string]bool{"Readings": true, "Sensors": true, "Fans": true, "Exposure": true, "Scenario": true, "Booths": true}
	typ := reflect.TypeOf(Period{})
	out := map[int]reflect.StructField{}
	for i := range typ.NumField() {
		if f := typ.Field(i); f.Type.Kind() == reflect.Slice && !state[f.Name] {
			out[i] = f
		}
	}
	return out
}

// TestMergeKeepsEveryEventList guards the event lists a Period will gain:
// each one must be concatenated by Merge and counted by HasEvents, or a
// slow output would lose that kind of event.
func TestMergeKeepsEveryEventList(t *testing.T) {
	for i, f := range eventLists() {
		one := func() *Period {
			p := &Period{}
			v := reflect.ValueOf(p).Elem().Field(i)
			v.Set(reflect.MakeSlice(f.Type, 1, 1))
			return p
		}
		older, newer := one(), one()
		if !older.HasEvents() {
			t.Errorf("HasEvents is false for a period with one %s", f.Name)
		}
		m, _ := Merge(older, newer)
		if n := reflect.ValueOf(m).Elem().Field(i).Len(); n != 2 {
			t.Errorf("Merge kept %d of 2 %s", n, f.Name)
		}
	}
}

// TestUrgentKinds guards the journal's rule for writing at once, which the
// loop also follows to take fresh shift summaries: each event list a Period
// has, and any it gains, must be decided here.
func TestUrgentKinds(t *testing.T) {
	urgent := map[string]bool{"Minutes": true, "Transitions": true, "Actions": true, "Calibrations": true,
		"ConfigChanges": true, "Gaps": true, "Shifts": true}
	later := map[string]bool{"Clock": true, "Ventilation": true} // written with the minute's batch
	for i, f := range eventLists() {
		if !urgent[f.Name] && !later[f.Name] {
			t.Errorf("Period.%s: decide whether the journal writes it at once (Urgent) or with the minute's batch", f.Name)
			continue
		}
		p := &Period{}
		reflect.ValueOf(p).Elem().Field(i).Set(reflect.MakeSlice(f.Type, 1, 1))
		if p.Urgent() != urgent[f.Name] {
			t.Errorf("Urgent() = %v for a period with one %s, want %v", p.Urgent(), f.Name, urgent[f.Name])
		}
	}
	if (&Period{Saved: map[string]string{"k": "v"}}).Urgent() {
		t.Error("Urgent() for saved state alone; it waits for the minute's batch")
	}
	if (&Period{}).Urgent() {
		t.Error("Urgent() for a period of state alone")
	}
}

// Records with state alone, published while an output is stuck with a
// full backlog, merge into the last one queued as eager merging would: the
// newest state and time, the older record's events, every period covered;
// and the output's lag counts from the newest, as before.
func TestStateOnlyRecordsMergeIntoTheLastQueued(t *testing.T) {
	h := NewHub()
	c := &collector{gate: make(chan struct{})}
	h.Attach("slow", c, &AttachOpts{Backlog: 1})
	at := func(n uint64) *Period { return &Period{Number: n, Time: time.Unix(int64(n), 0), Covers: 1} }
	h.Publish(at(1)) // taken by Receive, which waits at the gate
	for h.Stats()[0].Waiting != 0 {
		time.Sleep(time.Millisecond)
	}
	second := at(2)
	second.Transitions = []alarm.Event{{ID: 7}}
	h.Publish(second)
	last := at(10)
	for n := uint64(3); n < 10; n++ {
		h.Publish(at(n))
	}
	h.Publish(last)
	st := h.Stats()[0]
	if st.Waiting != 1 || st.Merged != 8 || !st.Since.Equal(last.Time) {
		t.Fatalf("stats %+v; want one record waiting, 8 merged, since %v", st, last.Time)
	}
	if behind, _ := h.Lag("slow", time.Unix(15, 0)); behind != 5*time.Second {
		t.Fatalf("lag %v, want 5s (from the newest record merged)", behind)
	}
	close(c.gate)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) != 2 {
		t.Fatalf("%d records delivered, want 2", len(c.got))
	}
	m := c.got[1]
	if m.Number != 10 || !m.Time.Equal(last.Time) || m.Covers != 9 || len(m.Transitions) != 1 || m.Transitions[0].ID != 7 {
		t.Fatalf("merged record %+v; want record 10's state, covering 9 periods, with record 2's transition", m)
	}
	if m == last || last.Covers != 1 || second.Covers != 1 {
		t.Fatal("a published record was changed by the merge")
	}
}

// An output's queue merges its backlog in place, appending to the lists
// it made itself: what it delivers must be what Merge gives, record by
// record, with no published record changed, whatever lists the records
// carry, with state-only records between them, and past the bound on
// minutes.
func TestQueueMergesAsMerge(t *testing.T) {
	lists := eventLists()
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 400
	recs := make([]*Period, n)
	for i := range recs {
		p := &Period{Number: uint64(i + 1), Time: time.Unix(int64(i), 0), Covers: 1, Site: fmt.Sprint("site ", i)}
		if i%5 != 4 { // every fifth record state alone
			for fi, f := range lists {
				if i > 8 && rng.IntN(3) > 0 { // all of them in the first records, which the later ones merge into
					continue
				}
				k := 1 + rng.IntN(3)
				switch {
				case i <= 8: // the next record's fits in the room after it
					k = 1
				case f.Name == "Minutes":
					k = rng.IntN(maxMergedMinutes / 30) // past the bound
				}
				// With room after it that no output may use: the test
				// checks that its elements there stay as they are.
				v := reflect.MakeSlice(f.Type, k+2, k+2)
				for j := range k + 2 { // tell the elements apart
					e := v.Index(j)
					for fj := range e.NumField() {
						if e.Field(fj).Kind() == reflect.String {
							e.Field(fj).SetString(fmt.Sprint(i, "/", j))
							break
						}
					}
				}
				reflect.ValueOf(p).Elem().Field(fi).Set(v.Slice(0, k))
			}
			if i <= 8 || rng.IntN(4) == 0 {
				p.Saved = map[string]string{fmt.Sprint("k", rng.IntN(3)): fmt.Sprint(i)}
			}
		}
		recs[i] = p
	}
	// What each published record holds, up to its lists' capacity, copied.
	whole := func(p *Period) []any {
		var out []any
		v := reflect.ValueOf(p).Elem()
		for fi := range v.NumField() {
			f := v.Field(fi)
			switch {
			case f.Kind() == reflect.Slice && !f.IsNil():
				f = reflect.AppendSlice(reflect.MakeSlice(f.Type(), 0, f.Cap()), f.Slice(0, f.Cap()))
			case f.Kind() == reflect.Map && !f.IsNil():
				m := reflect.MakeMap(f.Type())
				for it := f.MapRange(); it.Next(); {
					m.SetMapIndex(it.Key(), it.Value())
				}
				f = m
			}
			out = append(out, f.Interface())
		}
		return out
	}
	copies := make([][]any, n)
	for i, p := range recs {
		copies[i] = whole(p)
	}

	for _, backlog := range []int{1, 3} {
		// Two outputs behind: each merges the same published records.
		h := NewHub()
		gate := make(chan struct{})
		outs := []*collector{{gate: gate}, {gate: gate}}
		for i, c := range outs {
			h.Attach(fmt.Sprint("slow", i), c, &AttachOpts{Backlog: backlog})
		}
		h.Publish(recs[0]) // taken by Receive, which waits at the gate
		for h.Stats()[0].Waiting+h.Stats()[1].Waiting != 0 {
			time.Sleep(time.Millisecond)
		}
		for _, p := range recs[1:] {
			h.Publish(p)
		}
		close(gate)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := h.Idle(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		h.Close(time.Second)

		// The first backlog records queue as they are; the rest merge
		// into the last of them.
		want := append([]*Period{recs[0]}, recs[1:backlog]...)
		m := recs[backlog]
		var dropped uint64
		for _, p := range recs[backlog+1:] {
			var d int
			m, d = Merge(m, p)
			dropped += uint64(d)
		}
		want = append(want, m)
		for k, c := range outs {
			if len(c.got) != len(want) {
				t.Fatalf("backlog %d: %d records delivered, want %d", backlog, len(c.got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(c.got[i], want[i]) {
					t.Fatalf("backlog %d, output %d: record %d delivered is not Merge's", backlog, k, i)
				}
			}
			if dropped == 0 || h.Stats()[k].Dropped != dropped {
				t.Errorf("backlog %d: %d minutes dropped, Merge drops %d (want some)", backlog, h.Stats()[k].Dropped, dropped)
			}
		}
		for i, p := range recs {
			if !reflect.DeepEqual(whole(p), copies[i]) {
				t.Fatalf("backlog %d: published record %d changed", backlog, i)
			}
		}
	}
}
