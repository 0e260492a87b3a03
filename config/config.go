package config

import (
	"fmt"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ventd/ventd/sample"
)

// Config is one room: the unit a Pi running ventd looks after.
//
// Each section is its own struct so that later sections (shifts, alarms,
// MQTT, journal retention) are added as new fields without touching the
// existing ones. The `cfg:"required"` tag marks keys the file must have.
type Config struct {
	// Site and Room label every metric series and MQTT topic, so one
	// broker and one Prometheus can serve many rooms.
	Site string `yaml:"site" cfg:"required"`
	Room string `yaml:"room" cfg:"required"`

	// Listen is the host:port of the status page, /api and /metrics.
	// Default "127.0.0.1:8080": nothing is exposed to the network until
	// the installer chooses to (":8080" for the wall tablet).
	Listen string `yaml:"listen,omitempty"`

	// HTTP guards the server on Listen: the host names it answers to.
	HTTP HTTP `yaml:"http,omitempty"`

	// StateDir holds the journal and learned sensor state.
	// Default /var/lib/ventd, the directory systemd's StateDirectory=ventd
	// creates.
	StateDir string `yaml:"state_dir,omitempty"`

	// Zones: at least one booth and one staff zone, names unique.
	Zones []Zone `yaml:"zones" cfg:"required"`
	// Sensors: names unique, each in a zone.
	Sensors []Sensor `yaml:"sensors" cfg:"required"`
	// Fans: each exhausts one or more booths.
	Fans []Fan `yaml:"fans" cfg:"required"`

	// PurgeButton, when set, is a push button on a GPIO that starts a
	// purge, for a responder who needs the booth clear now.
	PurgeButton *PurgeButton `yaml:"purge_button,omitempty"`
	// AlarmOutput, when set, drives a beacon or buzzer relay on a GPIO
	// while an alarm nobody has acknowledged is active.
	AlarmOutput *AlarmOutput `yaml:"alarm_output,omitempty"`

	Thresholds Thresholds `yaml:"thresholds"`
	Control    Control    `yaml:"control"`
	Shifts     Shifts     `yaml:"shifts"`
	Exposure   Exposure   `yaml:"exposure"`
	Alarms     Alarms     `yaml:"alarms"`
	Journal    Journal    `yaml:"journal"`
	// Page is the status page on the wall tablet.
	Page Page `yaml:"page"`

	// warnings are Parse's doubts about values it accepted (Warnings).
	warnings []*Warning
	// MQTT, when set, publishes the room to the site's MQTT broker.
	MQTT *MQTT `yaml:"mqtt,omitempty"`
}

// ZoneKind says what a zone is for.
type ZoneKind string

const (
	// Booth is where people smoke; its PM2.5 drives the fan.
	Booth ZoneKind = "booth"
	// Staff is where staff breathe; it drives exposure records and staff
	// alarms.
	Staff ZoneKind = "staff"
	// Outdoor is the air the room takes in: a sensor outside, or in the
	// supply duct. Nobody's exposure is recorded there; its PM2.5 tells
	// the fan law how the staff area's clean air is moving, so outdoor
	// smoke coming or going is not taken for booth smoke (or booth smoke
	// for outdoor smoke). It has no volume and no fan.
	Outdoor ZoneKind = "outdoor"
)

// withArticle is the kind as a sentence names it: "a booth", "an outdoor".
func (k ZoneKind) withArticle() string {
	if k == Outdoor {
		return "an " + string(k)
	}
	return "a " + string(k)
}

// zoneKinds lists the kinds in the order error messages show them.
var zoneKinds = []ZoneKind{Booth, Staff, Outdoor}

// Zone is a well-mixed volume of air.
type Zone struct {
	// Name labels the zone in metrics and MQTT topics, so it is limited to
	// letters, digits, '-', '_' and '.'.
	Name string   `yaml:"name" cfg:"required"`
	Kind ZoneKind `yaml:"kind" cfg:"required"`
	// VolumeM3 gives air changes per hour from the fan flow, and with it
	// the purge time (4.6/ACH hours to 1%). Required for booths and staff
	// zones; an outdoor zone has none.
	VolumeM3 float64 `yaml:"volume_m3"`
}

// SensorType is a supported sensor model.
type SensorType string

// Supported sensors (Sensirion).
const (
	SPS30 SensorType = "sps30" // PM1.0/2.5/4/10 mass concentration
	SCD41 SensorType = "scd41" // CO2, temperature, humidity
	SCD40 SensorType = "scd40" // as SCD41, narrower CO2 range
	SGP41 SensorType = "sgp41" // VOC and NOx index
	SGP40 SensorType = "sgp40" // VOC index
	// SDP810 and SDP31 measure differential pressure (±125 or ±500 Pa for
	// the SDP810, ±500 Pa for the SDP31): the booth against its
	// neighbour, to prove the booth is at negative pressure.
	SDP810 SensorType = "sdp810"
	SDP31  SensorType = "sdp31"
	// SEN54 and SEN55 are Sensirion's environmental sensor nodes: PM1.0
	// to PM10 as an SPS30 measures them, humidity, temperature and the
	// VOC index (and the NOx index on the SEN55), all in one device at
	// the SPS30's address, 0x69. The indices are computed in the sensor.
	SEN54 SensorType = "sen54"
	SEN55 SensorType = "sen55"
)

// model is what ventd knows of a sensor type from its datasheet. A new
// type is a row here, a device in package sensor, a driver and a
// simulated device; nothing else switches on the type.
type model struct {
	// addr is the fixed I2C address.
	addr Addr
	// period is how often it produces a new measurement.
	period time.Duration
	// measures lists the quantities it reports.
	measures []sample.Quantity
	// watched is the reading the sensor layer watches for a freeze: one
	// that real air always moves. None for the gas index sensors, whose
	// indices legitimately hold one value for hours (VOC 100, NOx 1 in
	// steady clean air).
	watched sample.Quantity
}

var pm = []sample.Quantity{sample.PM1, sample.PM25, sample.PM4, sample.PM10}

// models are the supported types, from the datasheets: the SPS30 and
// SEN5x measure every second, the SCD4x's periodic measurement every 5 s,
// the SGP4x is sampled every second (its gas index algorithm assumes 1 s);
// the SDPs measure continuously and ventd reads them once a second, which
// is plenty for a room's pressure. The SDP31's other addresses, 0x22 and
// 0x23, are strap options.
var models = map[SensorType]model{
	SPS30:  {0x69, time.Second, pm, sample.PM25},
	SEN55:  {0x69, time.Second, append(pm[:4:4], sample.Temperature, sample.Humidity, sample.VOCIndex, sample.NOxIndex), sample.PM25},
	SEN54:  {0x69, time.Second, append(pm[:4:4], sample.Temperature, sample.Humidity, sample.VOCIndex), sample.PM25},
	SCD41:  {0x62, 5 * time.Second, []sample.Quantity{sample.CO2, sample.Temperature, sample.Humidity}, sample.CO2},
	SCD40:  {0x62, 5 * time.Second, []sample.Quantity{sample.CO2, sample.Temperature, sample.Humidity}, sample.CO2},
	SGP41:  {0x59, time.Second, []sample.Quantity{sample.VOCIndex, sample.NOxIndex}, ""},
	SGP40:  {0x59, time.Second, []sample.Quantity{sample.VOCIndex}, ""},
	SDP810: {0x25, time.Second, []sample.Quantity{sample.Pressure}, sample.Pressure},
	SDP31:  {0x21, time.Second, []sample.Quantity{sample.Pressure}, sample.Pressure},
}

// sensorTypes lists the types in the order error messages show them.
var sensorTypes = []SensorType{SPS30, SEN55, SEN54, SCD41, SCD40, SGP41, SGP40, SDP810, SDP31}

// Period is how often the sensor produces a new measurement (see models).
func (t SensorType) Period() time.Duration {
	if m, ok := models[t]; ok {
		return m.period
	}
	return time.Second
}

// DefaultAddress is the sensor's fixed I2C address from its datasheet.
func (t SensorType) DefaultAddress() Addr { return models[t].addr }

// IsSCD4x reports whether t is a CO2 sensor of the SCD4x family.
func (t SensorType) IsSCD4x() bool { return t == SCD40 || t == SCD41 }

// IsSEN5x reports whether t is a SEN5x environmental sensor node.
func (t SensorType) IsSEN5x() bool { return t == SEN54 || t == SEN55 }

// IsPressure reports whether t is a differential pressure sensor (SDP810,
// SDP31), which belongs in a booth and measures no pollutant.
func (t SensorType) IsPressure() bool { return t.Measures(sample.Pressure) }

// Measures reports whether a sensor of type t measures q.
func (t SensorType) Measures(q sample.Quantity) bool {
	return slices.Contains(models[t].measures, q)
}

// Watched is the reading a frozen sensor of type t is found by: one that
// stands perfectly still only when the sensor has stopped. "" for a type
// without one (the gas index sensors).
func (t SensorType) Watched() sample.Quantity { return models[t].watched }

// StillAtMost is the longest a working unit of type t leaves its watched
// reading exactly unchanged, away from 0; 0 when the type gives no such
// bound and the configured stuck time (alarms.sensor_stuck_after) alone
// applies. An SPS30 reports an IEEE float every second, fine enough to
// carry its noise (a few tenths of a µg/m³), so its reading moves every
// second: 300 identical readings are a frozen unit, and 30 min of them
// would be a staff sensor recording clean air through sessions. The
// SEN5x (0.1 µg/m³ steps, smoothed), the SCD4x (whole ppm every 5 s) and
// the SDPs can hold a value longer, so they keep the stuck time.
func (t SensorType) StillAtMost() time.Duration {
	if t == SPS30 {
		return 5 * time.Minute
	}
	return 0
}

// Addr is a 7-bit I2C address. The file accepts hex (0x69) or decimal.
type Addr uint16

// String formats a as the datasheets do, 0x69.
func (a Addr) String() string { return fmt.Sprintf("0x%02x", uint16(a)) }

// MarshalYAML writes a in hex so a marshalled Config reads like the
// datasheet and parses back.
func (a Addr) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: a.String()}, nil
}

// Sensor is one sensor on an I2C bus.
type Sensor struct {
	Name string     `yaml:"name" cfg:"required"`
	Type SensorType `yaml:"type" cfg:"required"`
	// Bus is the I2C bus as periph's i2creg names it: "1", "/dev/i2c-1",
	// or "sim0"... in the simulator. A bare number is accepted.
	Bus string `yaml:"bus" cfg:"required"`
	// Address defaults to Type.DefaultAddress().
	Address Addr `yaml:"address,omitempty"`
	// Mux, when set, puts the sensor behind a PCA9548A channel, the usual
	// way to have two sensors with the same fixed address on one bus.
	Mux *Mux `yaml:"mux,omitempty"`
	// Zone is where the sensor samples the air. A pressure sensor (sdp810,
	// sdp31) measures its booth against the neighbouring room, so its
	// zone must be a booth.
	Zone string `yaml:"zone" cfg:"required"`
	// PMCalibration multiplies PM readings (PM sensors only, sps30 and
	// sen5x: default 1; 0 and unused for other types).
	// Optical sensors over-read smoke 2-3x against gravimetric samples,
	// so a site that has compared against a gravimetric sampler sets
	// about 0.3-0.5 here.
	PMCalibration float64 `yaml:"pm_calibration,omitempty"`
	// CO2OffsetPPM is added to CO2 readings (SCD4x only). Default 0.
	// Prefer forced recalibration; this is for a known, fixed bias.
	CO2OffsetPPM float64 `yaml:"co2_offset_ppm,omitempty"`
	// ASC turns the SCD4x's automatic self-calibration on (SCD4x only).
	// Default false: ASC assumes the sensor sees fresh 400 ppm air at
	// least weekly, which a busy room where people smoke may never do, so
	// it drifts (Sensirion arduino-i2c-scd4x #39/#49); calibrate with
	// forced recalibration instead. ventd sets it at every start without
	// writing the sensor's EEPROM.
	ASC bool `yaml:"asc,omitempty"`
	// AltitudeM is the site's altitude for the SCD4x's pressure
	// compensation (SCD4x only; 0-3000 m, default 0): CO2 reads about
	// 1.4% low per 100 m uncompensated.
	AltitudeM int `yaml:"altitude_m,omitempty"`
	// StaleAfter is how old the last good reading may get before the
	// sensor counts as missing (and the fans go to their safe duty).
	// Default 3 × Type.Period(): one missed reading is a hiccup, three is
	// a fault.
	StaleAfter time.Duration `yaml:"stale_after,omitempty"`
}

// Mux is a PCA9548A/TCA9548A I2C multiplexer channel.
type Mux struct {
	// Address defaults to 0x70, the mux with A0-A2 tied low; 0x70-0x77.
	Address Addr `yaml:"address,omitempty"`
	Channel int  `yaml:"channel" cfg:"required"`
}

// Zone returns the zone called name, or nil.
func (c *Config) Zone(name string) *Zone {
	for i := range c.Zones {
		if c.Zones[i].Name == name {
			return &c.Zones[i]
		}
	}
	return nil
}

// ZonesOf returns the zones of kind k, in file order.
func (c *Config) ZonesOf(k ZoneKind) []*Zone {
	var zs []*Zone
	for i := range c.Zones {
		if c.Zones[i].Kind == k {
			zs = append(zs, &c.Zones[i])
		}
	}
	return zs
}

// SensorsIn returns the sensors in zone, in file order.
func (c *Config) SensorsIn(zone string) []*Sensor {
	var ss []*Sensor
	for i := range c.Sensors {
		if c.Sensors[i].Zone == zone {
			ss = append(ss, &c.Sensors[i])
		}
	}
	return ss
}

// FansFor returns the fans that exhaust zone, in file order.
func (c *Config) FansFor(zone string) []*Fan {
	var fs []*Fan
	for i := range c.Fans {
		if slices.Contains(c.Fans[i].Zones, zone) {
			fs = append(fs, &c.Fans[i])
		}
	}
	return fs
}

// PurgeButton is a purge push button wired from a GPIO to ground (the
// pin's pull-up holds it high until pressed).
type PurgeButton struct {
	// Pin as periph's gpioreg names it, GPIO5.
	Pin string `yaml:"pin" cfg:"required"`
	// Zone is the booth to purge; empty purges every booth.
	Zone string `yaml:"zone,omitempty"`
}

// AlarmOutput is a relay for a beacon or buzzer.
type AlarmOutput struct {
	Pin       string `yaml:"pin" cfg:"required"`
	ActiveLow bool   `yaml:"active_low,omitempty"`
	// Level is the lowest alarm level that switches it on: warning, alarm
	// or fault. Default alarm: a warning clears itself and should not
	// sound a buzzer in a room where someone may be overdosing.
	Level string `yaml:"level"`
}
