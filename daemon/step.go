package daemon

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// step runs one control period at now and publishes its record.
func (d *Daemon) step(now time.Time) {
	var began time.Time
	if d.onPeriod != nil { // reading the wall clock was 0.5 % of a bench's CPU
		began = time.Now()
	}
	d.cur.Time = now
	d.drainRequests()
	d.sensors.Update(d.clk.Now)
	now = d.clk.Now()
	if cals := d.sensors.TakeCalibrations(); len(cals) > 0 { // see addTransitions
		d.cur.Calibrations = append(d.cur.Calibrations, cals...)
	}
	d.cur.Time = now
	d.clockStep(now)
	// The exposure record is kept in wall-clock time, as its shifts and
	// minutes are: a reading's monotonic part would have the tracker
	// measure durations across an NTP step by one clock and bin them by
	// the other (90 s counted twice, 3 h unmeasured with no gap). On wall
	// time a step forward is a gap and a step back is refused until the
	// clock passes the record again. The loop's pacing, the law and the
	// alarms' delays keep the monotonic reading.
	d.account(now.Round(0))
	d.decide(now)
	d.checkJournal(now)
	d.evaluateAlarms(now)
	if d.beacon != nil { // the list is copied and sorted: only for a relay to read
		d.beacon.set(d.alarms.eng.Active())
	}
	if clock.Sub(now, now.Truncate(10*time.Minute)) < d.period {
		d.checkClock(now)
	}
	d.takeShifts()
	d.save(now, false)
	d.sendPartialMinutes()
	d.freezeLearning()
	d.publish(now)
	d.beats.beat(d.clk.Now())
	// A slow or hung bus's one read a period comes last, its wait
	// holding up no decision.
	d.sensors.UpdateSlow(d.clk.Now)
	if d.onPeriod != nil {
		d.onPeriod(time.Since(began))
	}
}

// publish completes the period's record with the room's state, hands it to
// every output and starts the next one.
func (d *Daemon) publish(now time.Time) {
	d.number++
	p := d.cur
	p.Number, p.Time, p.Covers = d.number, now, 1
	p.Site, p.Room, p.Sim, p.Config = d.cfg.Site, d.cfg.Room, d.sim, d.cfg
	all := d.sensors.All()
	n := 0
	for _, s := range all {
		n += s.NumSamples()
	}
	// Exact sizes: a record is built every second and kept by every
	// output, so growing its slices by doubling was most of the
	// simulation's garbage.
	p.Readings = d.slabs.readings.take(n)
	p.Sensors = d.slabs.sensors.take(len(all))[:len(all)]
	for i, s := range all {
		p.Readings = s.AppendSamples(p.Readings)
		s.HealthTo(&p.Sensors[i])
	}
	p.Fans = d.fanStates()
	d.addBooths(p)
	d.addStaff(p)
	d.shiftSummaries(p, now.Round(0))
	d.alarms.eng.SummaryTo(&p.Alarms, now)
	// Field by field, as the parts above: a record.Health built whole was
	// copied into the record in moves the processor stalls on.
	h := &p.Health
	h.Started, h.ClockSynchronized, h.JournalOK, h.JournalError = d.started, d.clockOK != nil && *d.clockOK, true, ""
	h.LoopOverruns, h.Stopping = d.overruns, d.stopping
	if err := d.journalFault(); err != nil {
		h.JournalOK, h.JournalError = false, err.Error()
	}
	if d.scenario != nil {
		p.Scenario = d.scenario()
	}
	d.latest.Store(p)
	d.hub.Publish(p)
	d.cur = d.slabs.periods.next()
}

// slabs hand out what a record is made of from arrays made for
// slabPeriods periods at a time or more (slabParts): one allocation of each kind instead of
// one a period (a record is built every second, and under simulation
// thousands a second).
type slabs struct {
	periods  slab[record.Period]
	readings slab[sample.Sample]
	sensors  slab[record.Sensor]
	exposure slab[exposure.Snapshot]
	staff    slab[record.StaffAir]
	figures  slab[float64] // the staff area's optional figures
	// The fans' and booths' parts, made again whenever one of them
	// changes: most periods while the law ramps a duty or a booth clears.
	fans     slab[record.Fan]
	booths   slab[record.Booth]
	measured slab[record.MeasuredACH]
}

const slabPeriods = 8

// slab hands out parts of one array.
type slab[T any] struct{ free []T }

// take returns an empty slice with room for n. Its capacity is n, so an
// append to it copies instead of writing into the next one.
func (s *slab[T]) take(n int) []T {
	if n > len(s.free) {
		s.free = make([]T, n*slabParts(n*int(reflect.TypeFor[T]().Size())))
	}
	out := s.free[:0:n]
	s.free = s.free[n:]
	return out
}

// slabParts is how many parts of size bytes a slab's array is made for:
// slabPeriods, or more when the allocation the runtime makes of it has
// room to spare. The runtime gives an array of up to 32 KiB the smallest
// of its size classes that holds it, a larger one whole pages, and what is
// left over is allocated all the same: eight periods' 15 readings of the
// 1-booth room, 12480 bytes, took 13568, and its 5 sensors' health, 7360
// bytes, 8192, a tenth more than they used. The first count from
// slabPeriods (half of it for a large room's arrays, which take pages)
// that wastes no more than 1 % is taken, else the one that wastes least,
// up to 32 KiB: 13 periods' readings in 20480 bytes, 20 periods' health in
// 18432.
func slabParts(size int) int {
	if size <= 0 {
		return slabPeriods
	}
	lo, hi := slabPeriods, max(slabPeriods, largeSlab/size)
	if slabPeriods*size > largeSlab {
		lo = slabPeriods / 2 // a large room's records: pages
	}
	best, bestWaste := slabPeriods, 1.0
	for k := lo; k <= hi; k++ {
		used := k * size
		got := allocSize(used)
		waste := float64(got-used) / float64(got)
		if waste <= 0.01 {
			return k
		}
		if waste < bestWaste {
			best, bestWaste = k, waste
		}
	}
	return best
}

// headerFrom is the size from which the runtime gives an array with
// pointers a header: as many bytes as a pointer has bits, times its
// size (512 bytes on 64-bit, 128 on 32-bit).
const headerFrom = strconv.IntSize * strconv.IntSize / 8

// largeSlab is the largest of the runtime's small size classes.
const largeSlab = 32 << 10

// sizeClasses are the runtime's small size classes
// (internal/runtime/gc/sizeclasses.go). Were a Go release to change them,
// slabParts would only waste more.
var sizeClasses = [...]int{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
	10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// allocSize is how many bytes the runtime takes for an array of n bytes
// that holds pointers, as nearly every slab's does: a small one over
// headerFrom bytes carries an 8-byte header in its size class
// (runtime.roundupsize).
func allocSize(n int) int {
	const header, page = 8, 8 << 10
	withHeader := n
	if n > headerFrom {
		withHeader += header
	}
	if withHeader > largeSlab {
		return (n + page - 1) / page * page
	}
	i, _ := slices.BinarySearch(sizeClasses[:], withHeader)
	return sizeClasses[i]
}

// next returns a new zero T.
func (s *slab[T]) next() *T { return &s.take(1)[:1][0] }

// freezeLearning stops the VOC index from learning in zones where a fan
// is boosting or purging (smoke is an event, not the room's usual air), and
// tells the SPS30s whether their zone is quiet enough for a fan cleaning.
func (d *Daemon) freezeLearning() {
	for _, s := range d.sensors.All() {
		busy, zone := false, s.Zone()
		for _, f := range d.fans {
			if f.last.Mode != control.ModeNormal && contains(f.cfg.Zones, zone) {
				busy = true
			}
		}
		s.SetBusy(busy)
	}
}

// A journal counts as not keeping records when a write has hung (an SD
// card stalling, a frozen file system) though nothing has failed yet: it
// is two minutes of records behind (it writes once a minute) and has not
// taken a record for ten seconds of real time (so a busy disk under a fast
// simulation is not taken for a stalled one).
const (
	journalBehind = 2 * time.Minute
	journalWaited = 10 * time.Second
)

// journalFault is why the journal is not keeping records; nil while it is,
// and when no journal was asked for. It is found once a period (the alarm
// and the record's health ask), so the two agree.
func (d *Daemon) journalFault() error {
	if d.recorder == nil {
		return nil
	}
	if d.faultOf == d.cur {
		return d.fault
	}
	d.faultOf, d.fault = d.cur, d.recorder.Fault()
	if d.fault != nil {
		return d.fault
	}
	if behind, waited := d.hub.Lag("journal", d.cur.Time); behind > journalBehind && waited > journalWaited {
		d.fault = fmt.Errorf("journal writes stalled: %s behind (the disk is not answering); records are held in memory", behind.Round(time.Second))
	}
	return d.fault
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// clockStep notices the wall clock stepped between two periods (NTP
// correcting a Pi that booted on a stale time, an operator's date -s): the
// wall clock moved by more or less than the monotonic one. The step is
// logged and journaled with its size, so an auditor reading a gap or a
// refused hour in the exposure record finds why.
func (d *Daemon) clockStep(now time.Time) {
	last := d.lastNow
	d.lastNow = now
	d.stepped = 0
	if last.IsZero() {
		return
	}
	step := clock.Sub(now.Round(0), last.Round(0)) - clock.Sub(now, last) // zero without a monotonic reading (simulated time)
	if step.Abs() < 2*time.Second {
		return
	}
	d.stepped = step
	synced := d.clockOK != nil && *d.clockOK
	note := fmt.Sprintf("the wall clock was stepped by %+v between two periods", step.Round(time.Millisecond))
	d.log.Warn("the system clock was stepped; a step forward is a gap in the exposure record, a step back is unmeasured until the clock passes the record again",
		"by", step.Round(time.Millisecond), "hint", "a Pi has no battery clock: it boots on the time it last saved until network time corrects it")
	d.cur.Clock = append(d.cur.Clock, record.ClockStatus{Time: now.Round(0), Synchronized: synced, Source: "ventd", Note: note})
}
