package room_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/room"
)

var t0 = time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)

func newRoom(tb testing.TB, cfg room.Config) *room.Room {
	tb.Helper()
	r, err := room.New(cfg, t0)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// boothsRoom is the room the simulator builds for
// testbench/rooms/booths-N.yaml.
func boothsRoom(tb testing.TB, n int) room.Config {
	tb.Helper()
	cfg, err := config.Load(fmt.Sprintf("../rooms/booths-%d.yaml", n))
	if err != nil {
		tb.Fatal(err)
	}
	return testbench.RoomConfig(cfg)
}

// day plays a working day into a room as the daemon and a scenario would:
// in each booth a pipe session every 10-35 min while the shift lasts, the
// booth's fan at full duty through the session and a 2 min run-on, then
// easing down 10 % a minute to 25 %, now and then a door opened after a
// session, staff coming and going, the outdoor air changing, a fan
// stalling; every zone's air read each poll, the zones a little apart in
// time as sensors read one after another. Two days built with the same
// arguments do exactly the same to their rooms.
type day struct {
	r       *room.Room
	fans    []*room.Fan
	sources []air.Source
	rng     *rand.Rand

	poll    time.Duration // how often the zones are read and the duties set
	stagger time.Duration // between one zone's reading and the next's
	shift   time.Duration // sessions start only before this

	booths []boothPlan
	t      time.Duration // time into the day
}

type boothPlan struct {
	name       string
	next       time.Duration // next session starts
	end        time.Duration // the running session ends; run-on follows
	doorAt     time.Duration // a door opens then, if after end
	doorClose  time.Duration
	duty       float64
	doorIsOpen bool
}

const runOn = 2 * time.Minute

func newDay(r *room.Room, poll, stagger, shift time.Duration, seed uint64) *day {
	d := &day{r: r, poll: poll, stagger: stagger, shift: shift, rng: rand.New(rand.NewPCG(seed, 1))}
	for _, z := range r.Config().Zones {
		d.sources = append(d.sources, r.Zone(z.Name))
		if z.Kind == room.Booth {
			d.booths = append(d.booths, boothPlan{name: z.Name, duty: 1,
				next: time.Duration(2+d.rng.IntN(14)) * time.Minute})
		}
	}
	for _, f := range r.Config().Fans {
		d.fans = append(d.fans, r.Fan(f.Name))
	}
	r.SetOccupants("staff", 2)
	return d
}

// run plays the day for length, calling read after each zone's reading.
func (d *day) run(length time.Duration, read func(at time.Duration, zone int, s air.State)) {
	start := d.r.Now()
	for ; d.t < length; d.t += d.poll {
		d.r.AdvanceTo(start.Add(d.t))
		d.events()
		for i, src := range d.sources {
			at := d.t + time.Duration(i)*d.stagger
			s := src.Air(start.Add(at))
			if read != nil {
				read(at, i, s)
			}
		}
	}
}

// events applies what happens at d.t: the room is there already.
func (d *day) events() {
	switch d.t {
	case 3 * time.Hour:
		d.r.SetOccupants("staff", 3)
	case 4 * time.Hour:
		d.r.SetOutdoor(air.State{PM1: 30, PM25: 40, PM4: 44, PM10: 52, CO2: 450, VOC: 60, NOx: 25})
	case 4*time.Hour + 30*time.Minute:
		d.r.SetOutdoor(d.r.Config().Outdoor)
	case 5 * time.Hour:
		d.r.SetOccupants("staff", 2)
	case 6 * time.Hour:
		d.r.SetFanStalled(d.r.Config().Fans[0].Name, true)
	case 6*time.Hour + 10*time.Minute:
		d.r.SetFanStalled(d.r.Config().Fans[0].Name, false)
	}
	for i := range d.booths {
		b := &d.booths[i]
		if d.t >= b.next && d.t < d.shift {
			length := time.Duration(2+d.rng.IntN(4)) * time.Minute
			pm := 1 + 4*d.rng.Float64()
			d.r.StartSession(b.name, room.TypicalSession(pm, length))
			b.end = d.t + length
			b.next = b.end + time.Duration(8+d.rng.IntN(23))*time.Minute
			if d.rng.IntN(100) < 15 {
				b.doorAt = b.end + time.Duration(d.rng.IntN(3))*time.Minute
				b.doorClose = b.doorAt + time.Duration(30+30*d.rng.IntN(4))*time.Second
			}
		}
		if !b.doorIsOpen && d.t >= b.doorAt && d.t < b.doorClose {
			d.r.SetDoor(b.name+"-door", true)
			b.doorIsOpen = true
		}
		if b.doorIsOpen && d.t >= b.doorClose {
			d.r.SetDoor(b.name+"-door", false)
			b.doorIsOpen = false
		}
		duty := max(0.25, b.duty-0.1*d.poll.Minutes())
		if d.t < b.end+runOn {
			duty = 1
		}
		if duty != b.duty {
			b.duty = duty
			if err := d.fans[i].SetDuty(duty); err != nil {
				panic(err)
			}
		}
	}
}
