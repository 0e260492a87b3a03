package daemon

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/journal"
)

// calRequest asks the loop for an SCD4x forced recalibration.
type calRequest struct {
	sensor    string
	reference int
	who, note string
	reply     chan calReply
}

type calReply struct {
	correction int
	err        error
}

// ForcedRecalibration tells a CO2 sensor that the air it sits in now has
// referencePPM of CO2 (outdoor air: about 420 ppm; or a reference
// instrument's reading) and returns the correction the sensor applied. A
// busy smoky room never shows the sensor the fresh air its automatic
// self-calibration assumes, so this is how a technician keeps CO2 honest.
// The calibration is journaled with who did it.
//
// The sensor must have been measuring for at least 3 minutes in steady
// air. The loop stops the sensor's measurement for about a second to do
// it: the fans hold their duty meanwhile.
func (d *Daemon) ForcedRecalibration(ctx context.Context, sensor string, referencePPM int, who, note string) (int, error) {
	if who == "" {
		return 0, errors.New("forced recalibration: say who calibrates (a name or staff id)")
	}
	if referencePPM < 400 || referencePPM > 5000 {
		return 0, fmt.Errorf("forced recalibration: reference %d ppm: use the CO2 the sensor sits in, 400 to 5000 ppm (outdoor air is about 420)", referencePPM)
	}
	r := request{cal: &calRequest{sensor: sensor, reference: referencePPM, who: who, note: note, reply: make(chan calReply, 1)}}
	select {
	case d.requests <- r:
	default:
		return 0, ErrBusy
	}
	select {
	case rep := <-r.cal.reply:
		return rep.correction, rep.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (d *Daemon) calibrate(c *calRequest) {
	var s *sensor
	for _, sn := range d.sensors {
		if sn.cfg.Name == c.sensor {
			s = sn
		}
	}
	if s == nil {
		c.reply <- calReply{err: fmt.Errorf("forced recalibration: no sensor %q", c.sensor)}
		return
	}
	scd, ok := s.dev.(*scd4xDevice)
	switch {
	case !ok:
		c.reply <- calReply{err: fmt.Errorf("forced recalibration: %s is an %s; only SCD4x CO2 sensors take one", c.sensor, s.cfg.Type)}
		return
	case !s.opened || scd.dev == nil:
		c.reply <- calReply{err: fmt.Errorf("forced recalibration: %s is not running (%v); fix it first", c.sensor, s.lastErr)}
		return
	}
	corr, err := scd.recalibrate(c.reference)
	if err != nil {
		c.reply <- calReply{err: fmt.Errorf("forced recalibration of %s: %w", c.sensor, err)}
		return
	}
	now := d.clk.Now()
	d.rec.addCalibration(journal.Calibration{Time: now, Sensor: c.sensor, Serial: scd.serial(), Kind: journal.CalFRC,
		Reference: float64(c.reference), Correction: float64(corr), Who: c.who, Note: c.note})
	d.log.Info("CO2 sensor recalibrated", "sensor", c.sensor, "reference_ppm", c.reference, "correction_ppm", corr, "who", c.who)
	c.reply <- calReply{correction: corr}
}

// recalibrate runs the datasheet's sequence: stop periodic measurement,
// forced recalibration, start again.
func (s *scd4xDevice) recalibrate(reference int) (int, error) {
	if err := s.dev.Stop(); err != nil {
		return 0, err
	}
	corr, err := s.dev.ForcedRecalibration(reference)
	if serr := s.dev.Start(); serr != nil && err == nil {
		err = serr
	}
	return corr, err
}

// recordFactors journals a change of a sensor's configured correction
// (PM calibration factor, CO2 offset) since the last run: it changes how
// every later reading is corrected, so an auditor must see when.
func (d *Daemon) recordFactors(now time.Time, cfg *config.Config) {
	for _, s := range cfg.Sensors {
		if s.Type.IsSCD4x() {
			kind, v := journal.CalASCOff, "off"
			if s.ASC {
				kind, v = journal.CalASCOn, "on"
			}
			key := "sensor." + s.Name + ".asc"
			if old, ok := d.rec.metaValue(key); !ok || old != v {
				d.rec.addCalibration(journal.Calibration{Time: now, Sensor: s.Name, Kind: kind, Reference: math.NaN(), Correction: math.NaN(),
					Who: "config", Note: "automatic self-calibration " + v + " (sensors[].asc)"})
				d.rec.setMeta(key, v)
			}
		}
		for _, f := range []struct {
			key, kind string
			v         float64
			applies   bool
		}{
			{"sensor." + s.Name + ".pm_calibration", journal.CalPMFactor, s.PMCalibration, s.Type == config.SPS30},
			{"sensor." + s.Name + ".co2_offset_ppm", "co2_offset", s.CO2OffsetPPM, s.Type.IsSCD4x()},
		} {
			if !f.applies {
				continue
			}
			old, ok := d.rec.metaValue(f.key)
			if ok && old == fmt.Sprint(f.v) {
				continue
			}
			prev := math.NaN()
			fmt.Sscan(old, &prev)
			d.rec.addCalibration(journal.Calibration{Time: now, Sensor: s.Name, Kind: f.kind, Reference: prev, Correction: f.v,
				Who: "config", Note: fmt.Sprintf("%s set to %v in the configuration (was %v)", f.key, f.v, old)})
			d.rec.setMeta(f.key, fmt.Sprint(f.v))
		}
	}
}
