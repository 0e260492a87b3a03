package mqtt

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// withOutdoor adds to cfg the air the room takes in: a zone of kind
// outdoor ("outside") with an SPS30 and an SCD41 on a bus of their own,
// set up as the staff area's (a copy of them, renamed).
func withOutdoor(cfg *config.Config) {
	cfg.Zones = append(cfg.Zones, config.Zone{Name: "outside", Kind: config.Outdoor})
	for _, s := range slices.Clone(cfg.Sensors) {
		if s.Zone == "staff" && (s.Type == config.SPS30 || s.Type == config.SCD41) {
			s.Name, s.Zone, s.Bus = "outdoor-"+strings.TrimPrefix(s.Name, "staff-"), "outside", "sim2"
			cfg.Sensors = append(cfg.Sensors, s)
		}
	}
}

// Home Assistant gets the outdoor sensors' readings and faults like any
// other sensor's, and nothing that treats the outdoor air as a place
// people work or a fan clears: no exposure (STEL, TWA), no zone alarm
// that could never turn on, no purge button, even with commands on.
func TestDiscoveryOfOutdoorAir(t *testing.T) {
	r := startRoom(t, roomOpts{config: withOutdoor})
	p := r.runFor(time.Minute)
	top := NewTopics(r.cfg.MQTT.TopicPrefix, r.cfg.MQTT.DiscoveryPrefix, r.cfg.Site, r.cfg.Room)
	cfgs := map[string]parsedEntity{}
	for _, e := range discovery(top, r.cfg, p, discoveryInfo{site: r.cfg.Site, room: r.cfg.Room, version: "test", commands: true}) {
		cfgs[e.object] = parsedEntity{component: e.component, config: e.config}
	}
	for _, object := range []string{"outdoor_pm_pm25", "outdoor_pm_pm10", "outdoor_co2_co2", "outdoor_pm_fault", "outdoor_co2_fault",
		"booth_purge", "booth_alarm", "staff_alarm", "staff_pm25_stel"} {
		if _, ok := cfgs[object]; !ok {
			t.Errorf("no discovery config for %s", object)
		}
	}
	for object := range cfgs {
		if strings.HasPrefix(object, "outside_") {
			t.Errorf("discovery config %s treats the outdoor air as a place", object)
		}
	}
	// The templates render the outdoor readings as they do the others,
	// from the state of that period (the daemon's own latest snapshot is
	// built by an output of its own, and may not be there yet: the
	// templates then read null).
	snap := snapshot.From(p, nil)
	state, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	renderTemplates(t, cfgs, state, snap)

	// A fan ventd cannot drive (its output failed, or never opened) reads
	// unknown in Home Assistant, not 0 % in the mode the law wanted.
	// A copy: the record is shared with the daemon's outputs, which may
	// still be reading it.
	failed := *p
	failed.Fans = slices.Clone(p.Fans)
	failed.Fans[0].Duty, failed.Fans[0].Error = 0, "fan booth-exhaust: no PWM chips under /sys/class/pwm"
	snap = snapshot.From(&failed, nil)
	if state, err = json.Marshal(snap); err != nil {
		t.Fatal(err)
	}
	renderTemplates(t, cfgs, state, snap)

	// Dense smoke above the booth sensor's range reads as the sensor gave
	// it (the air at least that), not unknown at the worst of the day.
	smoky := *p
	smoky.Readings = slices.Clone(p.Readings)
	above := 0
	for i, r := range smoky.Readings {
		if r.Sensor == "booth-pm" && r.Quality == sample.Good {
			smoky.Readings[i].Value, smoky.Readings[i].Quality, smoky.Readings[i].Err = 1231, sample.OutOfRange, sample.ErrAboveRange
			above++
		}
	}
	if above == 0 {
		t.Fatalf("no good booth-pm reading to put above its range: %+v", p.Readings)
	}
	snap = snapshot.From(&smoky, nil)
	if state, err = json.Marshal(snap); err != nil {
		t.Fatal(err)
	}
	renderTemplates(t, cfgs, state, snap)
}
