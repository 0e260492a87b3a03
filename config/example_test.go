package config_test

import (
	"errors"
	"fmt"

	"github.com/ventd/ventd/config"
)

func Example() {
	c, err := config.Load("example.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, booth := range c.ZonesOf(config.Booth) {
		for _, f := range c.FansFor(booth.Name) {
			fmt.Printf("%s: fan %s on pwmchip%d/pwm%d at %d Hz, safe duty %g%%\n",
				booth.Name, f.Name, f.SysfsPWM.Chip, f.SysfsPWM.Channel, f.SysfsPWM.FrequencyHz, f.SafeDuty)
		}
		for _, s := range c.SensorsIn(booth.Name) {
			fmt.Printf("%s: %s %s on bus %s at %s, stale after %s\n", booth.Name, s.Type, s.Name, s.Bus, s.Address, s.StaleAfter)
		}
	}
	// Output:
	// booth: fan booth-exhaust on pwmchip0/pwm0 at 25000 Hz, safe duty 100%
	// booth: sps30 booth-pm on bus 1 at 0x69, stale after 3s
	// booth: sgp41 booth-voc on bus 1 at 0x59, stale after 3s
}

func ExampleParse() {
	_, err := config.Parse([]byte(`site: Example OPS
room: Room 1
zones:
  - {name: booth, kind: booth, volume_m3: 4}
  - {name: staff, kind: staff, volume_m3: 60}
sensors:
  - {name: booth-pm, type: sps30, bus: "1", zone: booth}
  - {name: staff-co2, type: scd41, bus: "1", zone: staf}
fans:
  - name: exhaust
    zones: [booth]
    backend: sysfs_pwm
    sysfs_pwm: {chip: -1, channel: 0, frequncy_hz: 25000}
    max_flow_m3h: 300
    rated_power_w: 45
`), "config.yaml")
	var errs config.Errors
	if errors.As(err, &errs) {
		fmt.Println(errs)
	}
	// Output:
	// config.yaml:8: sensors[1].zone: no zone named "staf"; did you mean "staff"?
	// config.yaml:13: fans[0].sysfs_pwm.frequncy_hz: unknown key; did you mean "frequency_hz"?
	// config.yaml:13: fans[0].sysfs_pwm.chip: must be 0 or more (got -1); chip N is /sys/class/pwm/pwmchipN
}
