package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/sample"
)

// readings exports the latest value of each quantity per sensor. Only good
// readings are exported as values: a stale or faulty reading disappears
// from the series (Prometheus shows the gap) rather than repeating a number
// that no longer describes the air; its age and quality stay visible.
type readings struct {
	src     Source
	values  map[sample.Quantity]*prometheus.Desc
	age     *prometheus.Desc
	quality *prometheus.Desc
}

var readingNames = map[sample.Quantity][2]string{
	sample.PM1:         {"pm1_ugm3", "PM1.0 mass concentration in µg/m³, site calibration applied."},
	sample.PM25:        {"pm25_ugm3", "PM2.5 mass concentration in µg/m³, site calibration applied."},
	sample.PM4:         {"pm4_ugm3", "PM4.0 mass concentration in µg/m³, site calibration applied."},
	sample.PM10:        {"pm10_ugm3", "PM10 mass concentration in µg/m³, site calibration applied."},
	sample.CO2:         {"co2_ppm", "CO2 concentration in ppm."},
	sample.VOCIndex:    {"voc_index", "Sensirion VOC Index (1-500, 100 = this room's usual air); relative, not an exposure measure."},
	sample.NOxIndex:    {"nox_index", "Sensirion NOx Index (1-500, 1 = usual air)."},
	sample.Temperature: {"temperature_celsius", "Air temperature in °C."},
	sample.Humidity:    {"humidity_percent", "Relative humidity in %."},
}

func newReadings(src Source) *readings {
	r := &readings{
		src:     src,
		values:  map[sample.Quantity]*prometheus.Desc{},
		age:     desc("reading_age_seconds", "Seconds since the reading was measured.", "sensor", "zone", "quantity"),
		quality: desc("reading_good", "1 if the latest reading is a good measurement, 0 if stale, faulty, out of range or warming up.", "sensor", "zone", "quantity"),
	}
	for q, n := range readingNames {
		r.values[q] = desc(n[0], n[1], "sensor", "zone")
	}
	return r
}

func (r *readings) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range r.values {
		ch <- d
	}
	ch <- r.age
	ch <- r.quality
}

func (r *readings) Collect(ch chan<- prometheus.Metric) {
	s := r.src()
	if s == nil {
		return
	}
	for _, rd := range s.Readings {
		good := rd.Quality == sample.Good
		ch <- prometheus.MustNewConstMetric(r.age, prometheus.GaugeValue, rd.AgeSeconds, rd.Sensor, rd.Zone, string(rd.Quantity))
		ch <- prometheus.MustNewConstMetric(r.quality, prometheus.GaugeValue, boolFloat(good), rd.Sensor, rd.Zone, string(rd.Quantity))
		if d, ok := r.values[sample.Quantity(rd.Quantity)]; ok && good {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, rd.Value, rd.Sensor, rd.Zone)
		}
	}
}
