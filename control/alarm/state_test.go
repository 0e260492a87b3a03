package alarm

import (
	"math"
	"testing"
	"time"
)

// A saved alarm with an id no sequence reaches (an edited or damaged
// journal) moved the sequence past what the journal keeps (2^63-1): every
// later event was refused. It is dropped with an error.
func TestRestoreDropsAnImpossibleID(t *testing.T) {
	e, err := NewEngine([]Rule{{ID: "staff/pm25/alarm", Level: LevelAlarm, Subject: "staff", Quantity: "pm25", Direction: Above, Threshold: 100}})
	if err != nil {
		t.Fatal(err)
	}
	next := e.NextID()
	err = e.Restore([]Alarm{{ID: math.MaxUint64 - 5, RuleID: "staff/pm25/alarm", Level: LevelAlarm, Since: time.Now()}})
	if err == nil || len(e.Active()) != 0 || e.NextID() != next {
		t.Errorf("restore of id 2^64-6: err %v, %d active, next %d (was %d)", err, len(e.Active()), e.NextID(), next)
	}
}
