package sensor

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/lograte"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// device is one kind of sensor over its driver. Optional abilities are
// further small interfaces (learner, keeper, quietable, reporter,
// recalibrator, journaler) that a device implements when it has them.
type device interface {
	// open (re)initialises the sensor on bus at addr and starts it
	// measuring.
	open(bus i2c.Bus, addr uint16) error
	// poll appends new values to dst and returns it, or returns
	// sensirion.ErrNotReady when there are none. (dst is the sensor's
	// buffer, reused every period: a slice a second per sensor was much
	// of the loop's garbage.)
	poll(now time.Time, dst []value) ([]value, error)
	// halt stops measuring, leaving the sensor idle.
	halt() error
	// serial identifies the unit, once open.
	serial() string
}

// value is one quantity a poll produced.
type value struct {
	q       sample.Quantity
	v       float64
	quality sample.Quality
	err     error // why quality is not good, when the device says more
}

// Escalation, after Tasmota's for Sensirion sensors: a failed read is
// retried at once; after reopenAfter consecutive failures the sensor is
// stopped and re-initialised; after clearAfter the bus is cleared (nine
// SCL pulses) where the host can. A failure marks the data faulty at once
// (the fans go safe): escalation is only how the sensor gets back.
const (
	reopenAfter = 3
	clearAfter  = 9
)

// BusClearer is a bus that can free a slave stuck holding SDA low, by
// clocking SCL nine times and sending a STOP.
type BusClearer interface {
	ClearBus() error
}

// Sensor is one configured sensor: its device, its health and its latest
// samples. Its methods are for one goroutine (the control loop's).
type Sensor struct {
	cfg  config.Sensor
	dev  device
	can  abilities // dev's, found once
	bus  func() (i2c.Bus, error)
	log  *slog.Logger
	clk  clock.Clock
	open bool
	// watched is cfg.Type.Watched(), looked up once: the stuck detector
	// asks every period.
	watched sample.Quantity
	// slowRead is how long the last update's read took when that was
	// SlowRead or more (a hung or slow bus), else 0.
	slowRead time.Duration

	// latest is the latest sample of each quantity, in first-seen order
	// (a sensor has one to four: a scan beats hashing a map's key), and
	// quantities theirs, in the same order: find scans them in one cache
	// line rather than a line or two a sample.
	latest      []sample.Sample
	quantities  []sample.Quantity
	vals        []value // poll's buffer, reused
	failures    int     // consecutive
	errs        map[string]uint64
	errsCopy    map[string]uint64 // shared by records until errs changes
	id          *record.SensorID  // the records' (HealthTo), shared until the serial changes
	serialKey   string            // the key its serial is saved under (Keep)
	lastSuccess time.Time
	opened      time.Time // when it was last opened
	lastErr     error

	crcRate crcRate // CRC errors against polls, the last 10 minutes

	// clears bounds the bus-clear lines: one at the first clear, then at
	// most one a lograte.Every with the clears not logged since, as the
	// read-failed warning (every 60th failure) is bounded. Unbounded, a
	// sensor failing for a day logged a clear every 9 s: ~9,600 lines.
	clears lograte.Limiter

	stuck   *alarm.StuckDetector // on the type's watched reading; nil when it has none
	frozen  error                // set while the reading is frozen
	why     string               // how it was found frozen, for its alarm
	froze   time.Time            // when the frozen reading stopped changing
	found   []Freeze             // freezes found since the last TakeFreezes
	calib   *calibration         // a forced recalibration under way
	journal []record.Calibration // maintenance to journal, taken by TakeCalibrations

	// carried is set when the reading was frozen before a restart
	// (KeepFrozen): frozen until it moves, from the first reading of this
	// run, whose run of unchanged values starts at carriedRun.
	carried    bool
	carriedRun time.Time

	// held is set when the room law found the reading frozen before the
	// stuck time (MarkFrozen): frozen until heldQ's reading moves from
	// heldV.
	held  bool
	heldQ sample.Quantity
	heldV float64
}

// Freeze is a reading found frozen: it stopped changing at Since, found at
// Found once it had not changed for the stuck time. The time in between
// was recorded as measured air and must become a gap.
type Freeze struct {
	Sensor, Zone string
	Quantity     sample.Quantity // the quantity watched
	Since, Found time.Time
	// Values are the frozen readings of every quantity at Found.
	Values map[sample.Quantity]float64
}

// Name returns the sensor's configured name.
func (s *Sensor) Name() string { return s.cfg.Name }

// Config returns the sensor's configuration.
func (s *Sensor) Config() config.Sensor { return s.cfg }

// StaleAfter is Config().StaleAfter and Zone Config().Zone, without a copy
// of the whole configuration: the loop asks for every sample it reads,
// several times a period, and Config's copy was most of that.
func (s *Sensor) StaleAfter() time.Duration { return s.cfg.StaleAfter }

// Zone is Config().Zone; see StaleAfter.
func (s *Sensor) Zone() string { return s.cfg.Zone }

func (s *Sensor) String() string {
	return fmt.Sprintf("%s (%s on %s %s)", s.cfg.Name, s.cfg.Type, s.cfg.Bus, s.cfg.Address)
}

// openWaiter is a device whose open waits a datasheet time of its own.
type openWaiter interface{ openWait() time.Duration }

// reopener is a device that asks to be opened again after a good poll
// (a SEN5x whose restored VOC state proved bad): its values stand, and
// the next Update opens it, as an escalation would, without a failure.
type reopener interface{ wantsOpen() bool }

// SlowRead is how long one sensor's read may take before its bus counts as
// slow or hung. A working read takes milliseconds (the longest datasheet
// wait in a poll is the SGP41's 50 ms); a transfer on a bus held low waits
// for the kernel's I2C timeout, about a second on a Pi.
const SlowRead = 500 * time.Millisecond

// noteSlow records the read begun at began as slow if it took SlowRead or
// more, and reports whether it did.
func (s *Sensor) noteSlow(began time.Time) bool {
	if took := clock.Sub(s.clk.Now(), began); took >= SlowRead {
		s.slowRead = took
		return true
	}
	return false
}

// Update polls the sensor once at now, opening it first if needed and
// escalating on failure.
func (s *Sensor) Update(now time.Time) {
	s.slowRead = 0
	if s.calib != nil {
		s.stepCalibration(now)
		return
	}
	if !s.open {
		if err := s.reopen(now); err != nil {
			// An open that fails after this long waited on a hung bus,
			// less the device's own datasheet waits (an SCD4x stopping:
			// 500 ms, then a corrupt answer is quick).
			began := now
			if w, ok := s.dev.(openWaiter); ok {
				began = began.Add(w.openWait())
			}
			s.noteSlow(began)
			s.fail(now, fmt.Errorf("init: %w", err))
			return
		}
	}
	began := s.clk.Now()
	vals, err := s.dev.poll(now, s.vals[:0])
	s.crcRate.add(now, errors.Is(err, sensirion.ErrCRC))
	var first error
	if err != nil && !errors.Is(err, sensirion.ErrNotReady) && !errors.Is(err, ErrDeviceStatus) {
		s.count(err)
		first = err
		if s.noteSlow(began) {
			// A read that failed this slowly timed out on a hung bus: a
			// retry would wait as long again, holding up everything.
			s.faulted(err)
			return
		}
		// One corrupt frame must not send the fans to full: retry at once.
		// (A device that flags its own fault is not retried: its next
		// frame is as untrustworthy.)
		vals, err = s.dev.poll(now, s.vals[:0])
	}
	s.noteSlow(began)
	if cap(vals) > cap(s.vals) {
		s.vals = vals[:0]
	}
	switch {
	case errors.Is(err, sensirion.ErrNotReady) && first != nil:
		// The corrupt frame took the data-ready flag with it, so the retry
		// found nothing: the last good values stand until they go stale,
		// as one bad frame deserves, but the period failed with the first
		// error, for the escalation, the health and the alarms to see.
		s.failed(first)
		s.markStale(now)
	case errors.Is(err, sensirion.ErrNotReady):
		s.markStale(now)
		if since := clock.Sub(now, s.lastData()); since > s.silentLimit() {
			// A sensor that reset (a brown-out) comes back idle and may
			// answer "not ready" forever: no data this long is a failure,
			// so escalation stops and restarts it.
			s.fail(now, fmt.Errorf("no new measurement for %s: %w; the sensor may have reset (a power dip)", since.Round(time.Second), errSilent))
		}
	case err != nil:
		s.fail(now, err)
	default:
		if s.failures > 0 {
			s.log.Info("sensor recovered", "after_failures", s.failures)
		}
		s.failures, s.lastErr, s.lastSuccess = 0, nil, now
		for i := range vals {
			s.set(&vals[i], now) // not a copy: the poll has just written them
		}
		s.checkFrozen(now)
		if r := s.can.reopener; r != nil && r.wantsOpen() {
			s.open = false
		}
	}
}

func (s *Sensor) reopen(now time.Time) error {
	b, err := s.bus()
	if err != nil {
		return err
	}
	if err := s.dev.open(b, uint16(s.cfg.Address)); err != nil {
		return err
	}
	s.open, s.opened = true, now
	s.log.Info("sensor started", "type", s.cfg.Type, "serial", s.dev.serial())
	return nil
}

// set makes v, read at now, the latest sample of its quantity. A quantity
// seen before is updated in place: its sensor and zone names stay as they
// are, and copying the whole sample over them cost a write barrier per
// string while the collector marks, for every quantity every second.
func (s *Sensor) set(v *value, now time.Time) {
	if i := s.find(v.q); i >= 0 {
		smp := &s.latest[i]
		smp.Value, smp.Time, smp.Quality, smp.Err = v.v, now, v.quality, v.err
		return
	}
	s.latest = append(s.latest, sample.Sample{Sensor: s.cfg.Name, Zone: s.cfg.Zone, Quantity: v.q,
		Value: v.v, Time: now, Quality: v.quality, Err: v.err})
	s.quantities = append(s.quantities, v.q)
}

// find returns where the latest sample of q is, -1 if there is none.
func (s *Sensor) find(q sample.Quantity) int {
	for i, have := range s.quantities {
		if have == q {
			return i
		}
	}
	return -1
}

// markStale downgrades samples older than the sensor's stale time.
func (s *Sensor) markStale(now time.Time) {
	for i := range s.latest {
		smp := &s.latest[i]
		if smp.Quality == sample.Good && clock.Sub(now, smp.Time) > s.cfg.StaleAfter {
			smp.Quality = sample.Stale
			smp.Err = fmt.Errorf("no new reading for %s", now.Sub(smp.Time).Round(time.Second))
		}
	}
}

// lastData is when the sensor last gave data, or was last opened if later.
func (s *Sensor) lastData() time.Time {
	if s.opened.After(s.lastSuccess) {
		return s.opened
	}
	return s.lastSuccess
}

// silentLimit is how long a sensor may give no data before that counts as
// a failure: three stale times, and at least 30 s, past an SPS30's 10 s
// fan cleaning and an SCD41's 30 s low-power interval.
func (s *Sensor) silentLimit() time.Duration {
	return max(3*s.cfg.StaleAfter, 30*time.Second)
}

// errSilent marks a sensor that stopped giving data without an error.
var errSilent = errors.New("the sensor gives no data")

// fail marks every sample faulty: a sensor that cannot be read is unknown
// air, and the fans must go to their safe duty now, not when data ages out.
func (s *Sensor) fail(now time.Time, err error) {
	s.count(err)
	s.faulted(err)
}

// faulted is fail for an error already counted.
func (s *Sensor) faulted(err error) {
	s.failed(err)
	for i := range s.latest {
		s.latest[i].Quality, s.latest[i].Err = sample.Fault, err
	}
	// The stuck watch goes on: a failed read says nothing about whether
	// the reading moved, the next good one does. Reset here, a frozen
	// sensor with a read failing every few minutes was never found.
}

// failed counts a failed period (err already counted by kind), logs it and
// escalates: reopen, then clear the bus. A device that reports its own
// fault is not escalated: the bus works, and restarting it every few
// seconds would not mend a blocked fan or a failed laser.
func (s *Sensor) failed(err error) {
	if errors.Is(err, ErrDeviceStatus) {
		// Said once, and one failure however long it lasts: the count is
		// the bus's escalation, which a later bus error starts afresh.
		if !errors.Is(s.lastErr, ErrDeviceStatus) || s.failures == 0 {
			s.log.Warn("sensor reports a fault of its own; fans go to their safe duty until its status is clear",
				"err", err, "hint", Hint(err))
		}
		s.failures, s.lastErr = 1, err
		return
	}
	s.failures++
	if s.failures == 1 || s.failures%60 == 0 {
		s.log.Warn("sensor read failed; fans go to their safe duty until it recovers",
			"err", err, "consecutive", s.failures, "hint", Hint(err))
	}
	s.lastErr = err
	switch {
	case s.slowRead > 0:
		// A read that timed out on a hung bus: stopping and re-opening
		// the sensor would wait on the bus several times over (an SPS30's
		// open, with its wake-up sequence, four timeouts). The reads go
		// on, a quick one once the bus answers again, and the escalation
		// with it.
		if s.failures%clearAfter == 0 {
			s.clearBus()
		}
	case s.failures%clearAfter == 0:
		// A NACK is not a stuck bus: the device did not pull SDA low in
		// the acknowledge bit, so SDA was free (a slave holding it low
		// would have read as an acknowledge). The sensor is gone or
		// refusing, and nine pulses every 9 s on a bus other sensors
		// share would mend nothing: only the reopen below.
		if Kind(err) != KindNACK {
			s.clearBus()
		}
		fallthrough
	case s.failures%reopenAfter == 0 && s.open:
		// Stop and re-initialise on the next period.
		s.dev.halt()
		s.open = false
	}
}

// clearBus frees a bus held low by a confused slave, where the host can.
func (s *Sensor) clearBus() {
	b, err := s.bus()
	if err != nil {
		return
	}
	c, ok := b.(BusClearer)
	if !ok {
		return
	}
	now := s.clk.Now()
	if err := c.ClearBus(); err != nil {
		if skipped, ok := s.clears.Allow("failed", now); ok {
			s.log.Warn("I2C bus clear failed", "bus", s.cfg.Bus, "err", err, "not_logged_since", skipped)
		}
		return
	}
	if skipped, ok := s.clears.Allow("cleared", now); ok {
		s.log.Info("I2C bus cleared (nine SCL pulses) after repeated failures", "bus", s.cfg.Bus,
			"consecutive", s.failures, "clears_not_logged_since", skipped)
	}
}

// crcRate counts polls and those that failed their CRC over the last 10
// minutes, a minute a slot. The retry carries an odd corrupt frame, so the
// data stay good and nothing fails in a row; a cable going bad (one frame
// in three corrupt) showed only as a counter. Over 5 % of the polls in 10
// minutes, 20 at least, it is the CRC fault.
type crcRate struct {
	slots [10]struct {
		minute     int64
		polls, crc int
	}
	// crcs counts the CRC failures ever added: below 20 the rate cannot
	// be high, and the alarms ask every period of a sensor's life.
	crcs int
}

func (r *crcRate) add(now time.Time, crc bool) {
	m := now.Unix() / 60
	n := int64(len(r.slots))
	s := &r.slots[(m%n+n)%n]
	if s.minute != m {
		s.minute, s.polls, s.crc = m, 0, 0
	}
	s.polls++
	if crc {
		s.crc++
		r.crcs++
	}
}

func (r *crcRate) high(now time.Time) bool {
	if r.crcs < 20 {
		return false
	}
	m := now.Unix() / 60
	polls, crc := 0, 0
	for _, s := range r.slots {
		if m-s.minute < int64(len(r.slots)) && s.minute <= m {
			polls, crc = polls+s.polls, crc+s.crc
		}
	}
	return crc >= 20 && crc*20 > polls
}

func (s *Sensor) count(err error) {
	s.errs[Kind(err)]++
	s.errsCopy = nil
}

// checkFrozen runs the stuck detector on the watched reading: a reading
// identical for the stuck time (5 min at most for an SPS30: see
// config.SensorType.StillAtMost) is a frozen sensor, since real sensors
// always jitter. The raw value feeds it, so it sees the value move again.
func (s *Sensor) checkFrozen(now time.Time) {
	if s.held {
		if i := s.find(s.heldQ); i >= 0 && s.latest[i].Quality == sample.Good && s.latest[i].Value != s.heldV {
			s.held = false
		}
	}
	if s.stuck == nil {
		if !s.held && s.frozen != nil { // found by the law (MarkFrozen), and moving again
			s.log.Info("sensor reading moves again", "frozen_for", now.Sub(s.froze).Round(time.Second))
			s.frozen = nil
		}
		return
	}
	i := s.find(s.watched)
	if i < 0 || !(s.latest[i].Quality == sample.Good || s.latest[i].AboveRange()) {
		// A reading above the range is watched too: a working sensor's
		// moves there as much as anywhere, and one frozen in dense smoke
		// would otherwise hold the booth's smoke alarm on for good.
		return
	}
	smp := &s.latest[i] // not a copy: set has just written it, field by field
	stuck := s.stuck.Update(now, smp.Value)
	if sc := s.can.selfChecked; sc != nil && smp.Value == 0 && sc.checksItself() {
		// Particle-free air: an SPS30 whose offset is a little negative
		// reads exactly 0 every second, clamped at the bottom of its
		// range, for as long as the air stays clean. Its status register
		// speaks for its fan and laser; the still zero says nothing.
		s.stuck.Reset()
		stuck, s.carried = false, false
	}
	if s.held {
		// The room law's verdict holds until the reading moves, a still
		// 0 too: the law saw the staff area's air rise past it.
		stuck = true
	}
	if s.carried {
		// Frozen before the restart: the stuck detector starts its
		// watch again, but a reading that has not moved since the start
		// is still the frozen one.
		if s.carriedRun.IsZero() {
			s.carriedRun = s.stuck.Since()
		}
		if s.stuck.Since().Equal(s.carriedRun) {
			stuck = true
		} else {
			s.carried = false
		}
	}
	switch {
	case stuck && s.frozen == nil:
		s.froze = s.stuck.Since()
		s.frozen = fmt.Errorf("reading unchanged since %s: the sensor looks frozen", s.froze.Format("15:04:05 MST"))
		s.why = "reading unchanged since " + s.froze.Format("15:04:05 MST")
		vals := map[sample.Quantity]float64{}
		for _, v := range s.latest {
			vals[v.Quantity] = v.Value
		}
		s.found = append(s.found, Freeze{Sensor: s.cfg.Name, Zone: s.cfg.Zone, Quantity: smp.Quantity, Since: s.froze, Found: now, Values: vals})
		s.log.Warn("sensor reading frozen; treated as unknown air until it changes", "since", s.froze,
			"hint", "power-cycle the sensor or check its fan (SPS30) and cable")
	case !stuck && s.frozen != nil:
		s.log.Info("sensor reading moves again", "frozen_for", now.Sub(s.froze).Round(time.Second))
		s.frozen = nil
	}
}

// KeepFrozen says the sensor's reading was frozen before a restart (its
// fault alarm, restored, still held at the stop), since the time given: a
// restart does not power the sensor off, so its reading counts as frozen,
// unknown air, until it moves, not as good air for the stuck time the
// detector needs to find it again. It does nothing for a sensor without a
// stuck check.
func (s *Sensor) KeepFrozen(since time.Time) {
	if s.stuck == nil {
		return
	}
	s.carried, s.carriedRun = true, time.Time{}
	s.froze = since
	s.frozen = fmt.Errorf("reading frozen since %s before ventd restarted; unknown air until it changes", since.Format("15:04:05 MST"))
	s.why = "reading frozen since " + since.Format("15:04:05 MST") + " (before ventd restarted)"
}

// TakeFreezes returns the frozen readings found since the last call.
func (s *Sensor) TakeFreezes() []Freeze {
	f := s.found
	s.found = nil
	return f
}

// Samples returns the latest sample of every quantity, in first-seen
// order, each as far as it can be trusted.
func (s *Sensor) Samples() []sample.Sample {
	return s.AppendSamples(make([]sample.Sample, 0, len(s.latest)))
}

// AppendSamples appends what Samples returns to dst, so the loop can
// gather every sensor's samples into one record without a copy each.
func (s *Sensor) AppendSamples(dst []sample.Sample) []sample.Sample {
	if s.frozen == nil && s.calib == nil {
		// trusted leaves every sample as it is: one copy, not one a
		// sample (every period builds its record from these).
		return append(dst, s.latest...)
	}
	for _, smp := range s.latest {
		dst = append(dst, s.trusted(smp))
	}
	return dst
}

// NumSamples is how many samples Samples returns.
func (s *Sensor) NumSamples() int { return len(s.latest) }

// trusted downgrades a good sample of a frozen or recalibrating sensor: a
// reading that has not changed at all for the stuck time is not a
// measurement, and a frozen booth sensor could hide smoke. A frozen
// reading above the range is no longer smoke either: unknown air.
func (s *Sensor) trusted(smp sample.Sample) sample.Sample {
	switch {
	case s.frozen != nil && (smp.Quality == sample.Good || smp.AboveRange()):
		smp.Quality, smp.Err = sample.Fault, s.frozen
	case smp.Quality != sample.Good:
	case s.calib != nil:
		smp.Quality, smp.Err = sample.Warmup, errRecalibrating
	}
	return smp
}

var (
	errRecalibrating = errors.New("forced recalibration under way")
	errNoReading     = errors.New("no reading yet")
)

// Sample returns the latest sample of q as far as it can be trusted, or a
// fault sample when the sensor has none (not read yet, or never worked):
// absence is never clean air.
func (s *Sensor) Sample(q sample.Quantity) sample.Sample {
	if i := s.find(q); i >= 0 {
		if s.frozen == nil && s.calib == nil {
			// trusted leaves it as it is (see AppendSamples): one copy
			// of the sample, not three (the loop asks several times a
			// period for each).
			return s.latest[i]
		}
		return s.trusted(s.latest[i])
	}
	return s.noSample(q)
}

// SampleTo sets *dst to what Sample(q) returns, for the loop, which asks
// for several samples of every zone each period and reads a few fields of
// each: a Sample returned was copied on out of the call's results in
// overlapping 16-byte moves, which the processor cannot forward from the
// stores that had just written them.
func (s *Sensor) SampleTo(dst *sample.Sample, q sample.Quantity) {
	switch i := s.find(q); {
	case i < 0:
		s.noSampleTo(dst, q)
	case s.frozen == nil && s.calib == nil:
		*dst = s.latest[i] // as Sample
	default:
		*dst = s.trusted(s.latest[i])
	}
}

// noSample is the sample of q when the sensor has none: a fault.
func (s *Sensor) noSample(q sample.Quantity) sample.Sample {
	var smp sample.Sample
	s.noSampleTo(&smp, q)
	return smp
}

// noSampleTo sets *dst to noSample(q) field by field: the loop asks every
// sensor of a zone for each quantity its rules watch, most of which the
// sensor does not measure, and a Sample returned and copied into *dst was
// stored in 8-byte moves and loaded again in 16-byte ones, which the
// processor cannot forward.
func (s *Sensor) noSampleTo(dst *sample.Sample, q sample.Quantity) {
	err := s.lastErr
	if err == nil {
		err = errNoReading
	}
	dst.Sensor, dst.Zone, dst.Quantity, dst.Value = s.cfg.Name, s.cfg.Zone, q, 0
	dst.Time, dst.Quality, dst.Err = time.Time{}, sample.Fault, err
}

// Faults are the sensor's health conditions, for the fault alarms.
type Faults struct {
	Stale      bool // no good reading for longer than staleAfter
	CRC        bool // failing, last with a CRC error
	OutOfRange bool // a quantity outside what a working sensor reports (not heavy smoke above its range)
	Frozen     bool
	FrozenWhy  string // how the reading was found frozen, for the alarm's message
	Device     bool   // the sensor reports a fault of its own (an SPS30's fan or laser)
	CRCErrors  uint64 // CRC errors counted since start
}

// Faults reports the sensor's health at now; staleAfter is the site's
// alarm setting (the sensor's own stale time applies when longer).
func (s *Sensor) Faults(now time.Time, staleAfter time.Duration) Faults {
	f := Faults{
		Stale: !s.lastSuccess.IsZero() && clock.Sub(now, s.lastSuccess) > max(s.cfg.StaleAfter, staleAfter) ||
			s.lastSuccess.IsZero() && s.failures > 0,
		CRC:       s.failures > 0 && errors.Is(s.lastErr, sensirion.ErrCRC) || s.crcRate.high(now),
		Frozen:    s.frozen != nil,
		Device:    s.failures > 0 && errors.Is(s.lastErr, ErrDeviceStatus),
		CRCErrors: s.errs[KindCRC],
	}
	if f.Frozen {
		f.FrozenWhy = s.why
	}
	if s.failures > 0 && errors.Is(s.lastErr, sensirion.ErrOutOfRange) {
		// A value no sensor can give (a NaN, a negative concentration)
		// fails the whole frame in the driver.
		f.OutOfRange = true
	}
	for i := range s.latest {
		switch smp := &s.latest[i]; { // not a copy: asked of every sensor every period
		case smp.Quality == sample.OutOfRange && !smp.AboveRange():
			f.OutOfRange = true
		case smp.Quality == sample.Fault && (errors.Is(smp.Err, ErrDeviceStatus) || errors.Is(smp.Err, errUnknown)):
			// One part of the device failing (a SEN55's gas sensor, its
			// humidity sensor): the rest still reads, but that part's
			// air is unknown and someone must hear of it.
			f.Device = true
		}
	}
	return f
}

// Health is the sensor's part of the period's record.
func (s *Sensor) Health() record.Sensor {
	var out record.Sensor
	s.HealthTo(&out)
	return out
}

// HealthTo sets *out to what Health returns, for the loop, which builds
// every period's record in place: a record.Sensor returned and then copied
// into the record was read back in overlapping 16-byte moves from the
// stores that had just made it, which the processor cannot forward.
func (s *Sensor) HealthTo(out *record.Sensor) {
	if ser := s.dev.serial(); s.id == nil || s.id.Serial != ser {
		// Made again only when the serial changes (read once the unit
		// opens, or another unit answers after a reopen): the records
		// before keep theirs, and the ones after share the new one.
		bus := s.cfg.Bus
		if s.cfg.Mux != nil {
			bus = fmt.Sprintf("%s/mux%s.%d", s.cfg.Bus, s.cfg.Mux.Address, s.cfg.Mux.Channel)
		}
		s.id = &record.SensorID{Name: s.cfg.Name, Type: s.cfg.Type, Zone: s.cfg.Zone, Bus: bus, Address: s.cfg.Address.String(), Serial: ser}
	}
	out.SensorID = s.id
	out.Up, out.LastSuccess, out.Frozen = s.open && s.failures == 0, s.lastSuccess, s.frozen != nil
	out.Status = nil
	if r := s.can.reporter; r != nil {
		out.Status = r.status()
	}
	if s.errsCopy == nil {
		// Records are immutable once published, so each change of the
		// counts gets a fresh copy; unchanged counts share it.
		s.errsCopy = make(map[string]uint64, len(s.errs))
		for k, v := range s.errs {
			s.errsCopy[k] = v
		}
	}
	out.Errors = s.errsCopy
	switch {
	case s.lastErr != nil:
		out.Error = s.lastErr.Error()
	case s.frozen != nil:
		out.Error = s.frozen.Error()
	case s.slowRead > 0:
		out.Error = fmt.Sprintf("a read took %s: its I2C bus is slow, so its sensors are read one a period", s.slowRead.Round(time.Millisecond))
	default:
		out.Error = ""
	}
}

// Serial returns the unit's serial number, empty until it is open.
func (s *Sensor) Serial() string { return s.dev.serial() }

// Close stops the sensor measuring, leaving it idle.
func (s *Sensor) Close() {
	if s.open {
		s.dev.halt()
		s.open = false
	}
}

// checkRange marks values a sensor cannot measure: they are not air data.
func checkRange(q sample.Quantity, v, lo, hi float64) value {
	quality := sample.Good
	if math.IsNaN(v) || v < lo || v > hi {
		quality = sample.OutOfRange
	}
	return value{q: q, v: v, quality: quality}
}

// saturation is how far above its specified range a particle reading can
// go and still be smoke rather than a broken sensor: an SPS30 specified
// to 1000 µg/m³ reports a few thousand in dense smoke, and a corrupt or
// failing one anything up to 3.4e38.
const saturation = 10

// checkPM is checkRange for a particle mass concentration specified up to
// hi: a reading above hi but within saturation × hi is heavy smoke, marked
// ErrAboveRange, not a sensor fault. Heavy sessions in a small booth reach
// it every day; calling it a fault would page a facilities manager to
// replace a sensor that works.
func checkPM(q sample.Quantity, v, hi float64) value {
	var out value
	out.setPM(q, v, hi)
	return out
}

// setPM sets *out to checkPM(q, v, hi), for a poll that fills its values
// in place: a value returned was stored from the call's registers in
// 8-byte moves and copied on in 16-byte ones, which the processor cannot
// forward.
func (out *value) setPM(q sample.Quantity, v, hi float64) {
	out.q, out.v, out.quality, out.err = q, v, sample.Good, nil
	switch {
	case v > hi && v <= saturation*hi:
		out.quality, out.err = sample.OutOfRange, aboveRange(q, v, hi)
	case math.IsNaN(v) || v < 0 || v > hi: // checkRange's, from 0
		out.quality = sample.OutOfRange
	}
}

// aboveRange is the error of a reading v of q above the range's top hi
// (checkPM). Made apart from checkPM, which then builds its value in
// registers: with the formatting inline it built every reading on the
// stack and copied it out in moves the processor stalled on.
func aboveRange(q sample.Quantity, v, hi float64) error {
	return fmt.Errorf("%w: reads %.0f %s, specified to %.0f; the air holds at least that", sample.ErrAboveRange, v, q.Unit(), hi)
}
