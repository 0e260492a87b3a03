package mqtt

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/mqtt/command"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// Home Assistant discovery: one device per room, its entities reading the
// retained state topic through value templates (Jinja, HA's template
// language). A value that is not a good measurement renders None, which
// Home Assistant shows as unknown: unknown air is never shown as a number.

// entity is one discovery config, on Topics.Discovery(component, object).
type entity struct {
	component, object string
	config            map[string]any
}

// haQuantity is how Home Assistant knows a quantity: its device class and
// the unit it accepts for it (HA rejects a discovery config whose unit does
// not fit its device class: "%" for humidity, not "%RH").
type haQuantity struct {
	name, deviceClass, unit string
}

var haQuantities = map[sample.Quantity]haQuantity{
	sample.PM1:         {"PM1", "pm1", "µg/m³"},
	sample.PM25:        {"PM2.5", "pm25", "µg/m³"},
	sample.PM4:         {"PM4", "", "µg/m³"},
	sample.PM10:        {"PM10", "pm10", "µg/m³"},
	sample.CO2:         {"CO2", "carbon_dioxide", "ppm"},
	sample.VOCIndex:    {"VOC Index", "", ""},
	sample.NOxIndex:    {"NOx Index", "", ""},
	sample.Temperature: {"Temperature", "temperature", "°C"},
	sample.Humidity:    {"Humidity", "humidity", "%"},
	sample.Pressure:    {"Pressure", "pressure", "Pa"},
}

// quantities are every quantity a sensor may measure, in the order the
// entities are listed.
var quantities = []sample.Quantity{sample.PM1, sample.PM25, sample.PM4, sample.PM10, sample.CO2, sample.Temperature,
	sample.Humidity, sample.VOCIndex, sample.NOxIndex, sample.Pressure}

func haOf(q sample.Quantity) haQuantity {
	if h, ok := haQuantities[q]; ok {
		return h
	}
	return haQuantity{name: string(q), unit: q.Unit()}
}

// discoveryInfo is what the device block says about the room.
type discoveryInfo struct {
	site, room, version string
	commands            bool
}

// discovery returns every entity of the room: cfg's sensors, fans and
// zones, and the exposure records p shows.
func discovery(t Topics, cfg *config.Config, p *record.Period, info discoveryInfo) []entity {
	device := map[string]any{
		"identifiers":    []string{t.Node},
		"name":           info.room + " (" + info.site + ")",
		"manufacturer":   "ventd",
		"model":          "ventd room controller",
		"sw_version":     info.version,
		"suggested_area": info.room,
	}
	origin := map[string]any{"name": "ventd", "sw_version": info.version}
	var out []entity
	add := func(component, object, name string, extra map[string]any) {
		c := map[string]any{
			"name":                  name,
			"unique_id":             t.Node + "_" + object,
			"device":                device,
			"origin":                origin,
			"availability":          []map[string]string{{"topic": t.Availability()}},
			"payload_available":     "online",
			"payload_not_available": "offline",
		}
		if component != "button" {
			c["state_topic"] = t.State()
		}
		for k, v := range extra {
			c[k] = v
		}
		out = append(out, entity{component: component, object: object, config: c})
	}
	measurement := func(h haQuantity, tmpl string) map[string]any {
		m := map[string]any{"state_class": "measurement", "value_template": tmpl}
		if h.deviceClass != "" {
			m["device_class"] = h.deviceClass
		}
		if h.unit != "" {
			m["unit_of_measurement"] = h.unit
		}
		return m
	}

	// Readings from the config, not the record: a sensor's first reading
	// may come periods after the first record (an SCD41's after 5 s).
	for _, s := range cfg.Sensors {
		for _, q := range quantities {
			if !s.Type.Measures(q) {
				continue
			}
			h := haOf(q)
			// A reading above the sensor's range (dense smoke) is shown
			// as the sensor gave it, the air at least that: "unknown" at
			// the worst minutes of the day read as nothing to see.
			tmpl := fmt.Sprintf(`{%% set r = value_json.readings | selectattr('sensor', 'equalto', %s) | selectattr('quantity', 'equalto', %s) | list %%}`+
				`{{ r[0].value if r and (r[0].quality == 'good' or r[0].above_range) else None }}`, jq(s.Name), jq(string(q)))
			add("sensor", objectID(s.Name, string(q)), s.Name+" "+h.name, measurement(h, tmpl))
		}
	}
	for _, e := range p.Exposure {
		h := haOf(e.Quantity)
		sel := fmt.Sprintf(`{%% set e = value_json.exposure | selectattr('zone', 'equalto', %s) | selectattr('quantity', 'equalto', %s) | list %%}`,
			jq(e.Zone), jq(string(e.Quantity)))
		add("sensor", objectID(e.Zone, string(e.Quantity), "stel"), e.Zone+" "+h.name+" STEL (15 min)",
			measurement(h, sel+`{{ e[0].stel | round(2) if e and e[0].stel is not none else None }}`))
		add("sensor", objectID(e.Zone, string(e.Quantity), "twa_8h"), e.Zone+" "+h.name+" TWA (8 h)",
			measurement(h, sel+`{{ e[0].twa_8h | round(2) if e and e[0].coverage_8h_pct > 0 else None }}`))
	}
	for _, f := range cfg.Fans {
		sel := fmt.Sprintf(`{%% set f = value_json.fans | selectattr('name', 'equalto', %s) | list %%}`, jq(f.Name))
		add("sensor", objectID(f.Name, "duty"), f.Name+" duty", map[string]any{"state_class": "measurement", "unit_of_measurement": "%",
			"icon": "mdi:fan", "value_template": sel + `{{ (f[0].duty * 100) | round(0) if f and not f[0].error else None }}`})
		add("sensor", objectID(f.Name, "mode"), f.Name+" mode", map[string]any{"device_class": "enum",
			"options": []string{"normal", "boost", "purge", "safe"}, "value_template": sel + `{{ f[0].mode if f and not f[0].error else None }}`})
		if f.Tach != nil {
			add("sensor", objectID(f.Name, "rpm"), f.Name+" speed", map[string]any{"state_class": "measurement", "unit_of_measurement": "rpm",
				"icon": "mdi:fan", "value_template": sel + `{{ f[0].rpm | round(0) if f and f[0].rpm is defined and f[0].rpm is not none else None }}`})
		}
		add("binary_sensor", objectID(f.Name, "fault"), f.Name+" fault", subjectAlarm(f.Name, "problem"))
	}
	for _, z := range cfg.Zones {
		if z.Kind == config.Outdoor {
			// No rule is ever about the outdoor air (nobody works there,
			// and a smoky day is the law's to answer): an "outside alarm"
			// that can never turn on would read as "the outdoor air is
			// fine". Its sensors' readings and faults are above and below.
			continue
		}
		// The zone's alarm is for what puts people at risk (an alarm
		// level, a fault such as lost containment); a warning (a level
		// crossed, sensors reading apart) turned it "Unsafe" for hours,
		// and automations keyed on it paged for a calibration job.
		add("binary_sensor", objectID(z.Name, "alarm"), z.Name+" alarm", subjectAtLeast(z.Name, "safety", alarm.LevelAlarm))
		add("binary_sensor", objectID(z.Name, "warning"), z.Name+" warning", subjectAlarm(z.Name, "problem"))
		if z.Kind == config.Booth && info.commands {
			press, _ := json.Marshal(command.Command{Name: command.Purge, Zone: z.Name, Who: "Home Assistant", Reason: "purge button"})
			add("button", objectID(z.Name, "purge"), "Purge "+z.Name, map[string]any{"command_topic": t.Command(),
				"payload_press": string(press), "icon": "mdi:weather-windy"})
		}
	}
	for _, s := range cfg.Sensors {
		add("binary_sensor", objectID(s.Name, "fault"), s.Name+" fault", subjectAlarm(s.Name, "problem"))
	}
	add("binary_sensor", "journal_fault", "journal fault", subjectAlarm("journal", "problem"))
	add("binary_sensor", "unacknowledged_alarm", "unacknowledged alarm", map[string]any{"device_class": "safety",
		"value_template": `{{ 'ON' if value_json.alarms.unacked > 0 else 'OFF' }}`})
	add("sensor", "alarm_level", "alarm level", map[string]any{"device_class": "enum",
		"options": []string{"none", "warning", "alarm", "fault"}, "value_template": `{{ value_json.alarms.highest }}`})
	return out
}

// subjectAlarm is a binary sensor on while any alarm about subject (a zone,
// a sensor, a fan, the journal) is active.
func subjectAlarm(subject, class string) map[string]any {
	return map[string]any{"device_class": class,
		"value_template": fmt.Sprintf(`{{ 'ON' if value_json.alarms.subjects[%s] is defined else 'OFF' }}`, jq(subject))}
}

// subjectAtLeast is a binary sensor on while an alarm about subject of
// level least or higher is active.
func subjectAtLeast(subject, class string, least alarm.Level) map[string]any {
	var levels []string
	for l := least; l <= alarm.LevelFault; l++ {
		levels = append(levels, jq(l.String()))
	}
	return map[string]any{"device_class": class,
		"value_template": fmt.Sprintf(`{{ 'ON' if value_json.alarms.subjects[%s] in [%s] else 'OFF' }}`, jq(subject), strings.Join(levels, ", "))}
}

// jq quotes s for a Jinja template: a JSON string is a valid Jinja string
// literal, and names here are plain anyway.
func jq(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// discoveryTopics lists the config topics of es.
func discoveryTopics(t Topics, es []entity) map[string]bool {
	out := make(map[string]bool, len(es))
	for _, e := range es {
		out[t.Discovery(e.component, e.object)] = true
	}
	return out
}

// removed lists the topics in old that are not in now: entities of a
// sensor, fan or zone taken out of the config, to clear.
func removed(old []string, now map[string]bool) []string {
	var out []string
	for _, t := range old {
		if !now[t] {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}
