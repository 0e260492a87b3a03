package alarm_test

import (
	"fmt"
	"time"

	"github.com/ventd/ventd/control/alarm"
)

func Example() {
	setup := alarm.DefaultSetup()
	setup.StaffZones = []string{"staff"}
	e, err := alarm.NewEngine(alarm.DefaultRules(setup))
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	// Staff-area PM2.5 at 140 µg/m³ for 20 s, then back to 12.
	for s := 0; s < 120; s++ {
		v := 12.0
		if s < 20 {
			v = 140
		}
		evs, _ := e.Evaluate(start.Add(time.Duration(s)*time.Second), "staff/pm25/alarm", v, true)
		for _, ev := range evs {
			fmt.Println(ev.ID, ev.Kind, ev.Level, ev.Message)
		}
	}
	// The alarm latched: it waits for someone to acknowledge it.
	evs, _ := e.AcknowledgeRule(start.Add(5*time.Minute), "staff/pm25/alarm", "Sam", "door left open")
	for _, ev := range evs {
		fmt.Println(ev.ID, ev.Kind, ev.Who)
	}
	// Output:
	// 1 raised alarm PM2.5 in staff reached the alarm level 125.5 µg/m³ (now 140 µg/m³): leave the area or follow the site's high-exposure procedure; check that the booth doors are shut and the fans run; acknowledge once seen
	// 2 latched alarm latched until acknowledged: PM2.5 in staff is back to 12 µg/m³ (alarm level 125.5 µg/m³)
	// 3 acknowledged Sam
	// 4 cleared
}
