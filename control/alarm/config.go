package alarm

import (
	"fmt"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// Room says which parts a room has that rules depend on beyond its
// configuration.
type Room struct {
	// TachFans are the fans with a tachometer: only they can be seen to
	// stall.
	TachFans []string
	// Journal is set when records are kept: a journal fault rule.
	Journal bool
}

// ConfigSetup is the one place the configuration becomes the alarm rules'
// setup: the zones, sensors and fans by name, the thresholds, the exposure
// limits, the booth pressure level and the site's alarm timing. A key the
// site wrote is used as written, including 0.
func ConfigSetup(cfg *config.Config, room Room) Setup {
	s := DefaultSetup()
	for _, z := range cfg.Zones {
		// Staff zones only: smoke in a booth is expected (its fan, not an
		// alarm, answers it), and outdoor air is nobody's workplace, so a
		// smoky day outside is the law's to account for, not a staff
		// alarm. Sensors in every zone still get their fault rules below:
		// the law reads the outdoor sensor too, so a dead one needs
		// fixing like any other.
		if z.Kind == config.Staff {
			s.StaffZones = append(s.StaffZones, z.Name)
		}
	}
	s.SensorPlaces, s.SensorLoss = map[string]string{}, map[string]string{}
	for _, sn := range cfg.Sensors {
		s.Sensors = append(s.Sensors, sn.Name)
		place := fmt.Sprintf("I2C bus %s at %s", sn.Bus, sn.Address)
		if m := sn.Mux; m != nil {
			place += fmt.Sprintf(" behind mux %s channel %d", m.Address, m.Channel)
		}
		s.SensorPlaces[sn.Name] = place
		// A staff sensor's loss sends no fan to its safe duty: the
		// control reads the staff area's PM2.5 alone, and a blind staff
		// area raises every fan to the staff-blind duty. A booth's and
		// the outdoor air's keep the default text.
		if z := cfg.Zone(sn.Zone); z != nil && z.Kind == config.Staff {
			if sn.Type.Measures(sample.PM25) {
				s.SensorLoss[sn.Name] = LossStaffPM(cfg.Control.StaffBlindDutyPercent)
			} else {
				s.SensorLoss[sn.Name] = LossStaffCO2
			}
		}
		// The config refuses a pressure sensor outside a booth; asked
		// again here so a config built in code cannot put a booth's
		// containment rule on the staff area or the outdoor air.
		if z := cfg.Zone(sn.Zone); sn.Type.IsPressure() && z != nil && z.Kind == config.Booth {
			s.PressureBooths = append(s.PressureBooths, sn.Zone)
		}
	}
	s.TachPins = map[string]string{}
	for _, f := range cfg.Fans {
		s.Outputs = append(s.Outputs, f.Name)
		if f.Tach != nil {
			s.TachPins[f.Name] = f.Tach.Pin
		}
	}
	s.Fans, s.Journal = room.TachFans, room.Journal
	t, ac, lim := cfg.Thresholds, cfg.Alarms, cfg.Exposure.Limits
	s.PM25 = Band{Warning: t.PM25.Warning, Alarm: t.PM25.Alarm}
	s.CO2 = Band{Warning: t.CO2.Warning, Alarm: t.CO2.Alarm}
	s.VOCIndex = Band{Warning: t.VOCIndex.Warning, Alarm: t.VOCIndex.Alarm}
	s.Exposure = map[sample.Quantity]ExposureLimits{
		sample.CO2:  {TWA: lim.CO2.TWA, STEL: lim.CO2.STEL},
		sample.PM25: {TWA: lim.PM25.TWA, STEL: lim.PM25.STEL},
	}
	s.BoothPressure = ac.BoothPressurePa
	if ac.BoothAirflowPercent > 0 {
		for _, z := range cfg.ZonesOf(config.Booth) {
			if len(cfg.FansFor(z.Name)) > 0 { // no fan: nothing is rated
				s.AirflowBooths = append(s.AirflowBooths, z.Name)
			}
		}
		s.AirflowPercent = ac.BoothAirflowPercent
	}
	// Sensors apart: a booth aired by a fan, with a staff PM2.5 sensor to
	// compare it with.
	staffPM := ""
	for _, sn := range cfg.Sensors {
		if z := cfg.Zone(sn.Zone); z != nil && z.Kind == config.Staff && sn.Type.Measures(sample.PM25) && staffPM == "" {
			staffPM = z.Name
		}
	}
	for _, z := range cfg.ZonesOf(config.Booth) {
		if staffPM != "" && len(cfg.FansFor(z.Name)) > 0 {
			s.ApartBooths = append(s.ApartBooths, z.Name)
		}
	}
	if len(s.ApartBooths) >= 2 {
		s.ApartStaff = staffPM
	}
	s.Warning.OnDelay, s.Warning.OffDelay = ac.OnDelay, ac.OffDelay
	s.Warning.HysteresisPercent = ac.HysteresisPercent
	s.Alarm.OffDelay, s.Alarm.HysteresisPercent = ac.OffDelay, ac.HysteresisPercent
	s.Alarm.Latching = ac.LatchAlarmLevel
	return s
}
