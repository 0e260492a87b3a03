package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// readings exports the latest value of each quantity per sensor. Only good
// readings are exported as values: a stale or faulty reading disappears
// from the series (Prometheus shows the gap) rather than repeating a number
// that no longer describes the air; its age and quality stay visible.
type readings struct {
	now     func() time.Time
	values  map[sample.Quantity]readingDesc
	age     *prometheus.Desc
	quality *prometheus.Desc
}

type readingDesc struct {
	d   *prometheus.Desc
	div float64 // the snapshot's value over this is the metric's
}

var readingNames = map[sample.Quantity]struct {
	name, help string
	div        float64
}{
	sample.PM1:         {"pm1_ugm3", "PM1.0 mass concentration in µg/m³, site calibration applied.", 1},
	sample.PM25:        {"pm25_ugm3", "PM2.5 mass concentration in µg/m³, site calibration applied.", 1},
	sample.PM4:         {"pm4_ugm3", "PM4.0 mass concentration in µg/m³, site calibration applied.", 1},
	sample.PM10:        {"pm10_ugm3", "PM10 mass concentration in µg/m³, site calibration applied.", 1},
	sample.CO2:         {"co2_ppm", "CO2 concentration in ppm.", 1},
	sample.VOCIndex:    {"voc_index", "Sensirion VOC Index (1-500, 100 = this room's usual air); relative, not an exposure measure.", 1},
	sample.NOxIndex:    {"nox_index", "Sensirion NOx Index (1-500, 1 = usual air).", 1},
	sample.Temperature: {"temperature_celsius", "Air temperature in °C.", 1},
	sample.Humidity:    {"relative_humidity_ratio", "Relative humidity, 0 to 1.", 100},
	sample.Pressure: {"differential_pressure_pascals", "Differential pressure of the sensor's zone (a booth) against the staff area, in Pa; " +
		"negative means air flows into the booth. LEED asks at least 5 Pa negative on average (alarms.booth_pressure_pa).", 1},
}

func newReadings(n namer, now func() time.Time) *readings {
	r := &readings{
		now:     now,
		values:  map[sample.Quantity]readingDesc{},
		age:     n.desc("reading_age_seconds", "Seconds since the reading was measured, at the scrape.", "sensor", "zone", "quantity"),
		quality: n.desc("reading_good", "1 if the latest reading is a good measurement, 0 if stale, faulty, out of range or warming up.", "sensor", "zone", "quantity"),
	}
	for q, rn := range readingNames {
		r.values[q] = readingDesc{n.desc(rn.name, rn.help, "sensor", "zone"), rn.div}
	}
	return r
}

func (r *readings) describe(ch chan<- *prometheus.Desc) {
	for _, d := range r.values {
		ch <- d.d
	}
	ch <- r.age
	ch <- r.quality
}

func (r *readings) collect(s *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	var now time.Time
	if r.now != nil {
		now = r.now()
	}
	for _, rd := range s.Readings {
		good := rd.Quality == sample.Good
		age := rd.AgeSeconds
		if !now.IsZero() && now.After(rd.Time) {
			age = now.Sub(rd.Time).Seconds()
		}
		gauge(ch, r.age, age, rd.Sensor, rd.Zone, string(rd.Quantity))
		gauge(ch, r.quality, boolFloat(good), rd.Sensor, rd.Zone, string(rd.Quantity))
		if d, ok := r.values[sample.Quantity(rd.Quantity)]; ok && good {
			gauge(ch, d.d, rd.Value/d.div, rd.Sensor, rd.Zone)
		}
	}
}
