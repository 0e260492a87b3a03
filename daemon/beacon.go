package daemon

import (
	"log/slog"

	"periph.io/x/conn/v3/gpio"

	"github.com/ventd/ventd/control/alarm"
)

// beacon drives the alarm beacon or buzzer relay: on while an alarm at or
// above its level is active and nobody has acknowledged it, so the sound
// stops when staff have seen it (the alarm itself may stay latched).
type beacon struct {
	pin       gpio.PinOut
	activeLow bool
	level     alarm.Level
	log       *slog.Logger
	on, set0  bool // set0: the pin has been driven once
	failing   bool
}

// set switches the relay for the active alarms. A nil beacon does nothing.
func (b *beacon) set(active []alarm.Alarm) {
	if b == nil {
		return
	}
	want := false
	for _, a := range active {
		if a.Level >= b.level && !a.Acked {
			want = true
		}
	}
	if b.set0 && want == b.on {
		return
	}
	if err := b.pin.Out(gpio.Level(want != b.activeLow)); err != nil {
		if !b.failing {
			b.log.Error("alarm beacon relay", "pin", b.pin.Name(), "err", err)
		}
		b.failing = true
		return
	}
	b.on, b.set0, b.failing = want, true, false
}
