package control

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// threeFans is the simulated room with a second fan on its booth and a
// second booth with a fan of its own.
func threeFans(t *testing.T) Params {
	return simParams(t, func(c *config.Config) {
		c.Zones = append(c.Zones, config.Zone{Name: "booth-2", Kind: config.Booth, VolumeM3: 4})
		c.Sensors = append(c.Sensors, config.Sensor{Name: "booth-2-pm", Type: config.SPS30, Bus: "sim2", Zone: "booth-2", Address: 0x69})
		mate, other := c.Fans[0], c.Fans[0]
		mate.Name = "exhaust-b"
		other.Name, other.Zones = "exhaust-2", []string{"booth-2"}
		c.Fans = append(c.Fans, mate, other)
	})
}

// cleanAir is every PM2.5 sensor of p reading clean air at now.
func cleanAir(p Params, now time.Time, n int) []sample.Sample {
	var in []sample.Sample
	add := func(zone string, names []string) {
		for _, s := range names {
			v := 8 + 0.3*float64(n%3) // a working sensor's reading moves
			in = append(in, sample.Sample{Sensor: s, Zone: zone, Quantity: sample.PM25, Time: now, Quality: sample.Good, Value: v})
		}
	}
	for _, b := range p.Booths {
		add(b.Zone, b.PM)
	}
	for _, s := range p.Staff {
		add(s.Zone, s.PM)
	}
	return in
}

// runClean runs law in clean air for d from *now, a second a step, and
// returns the last decisions.
func runClean(law Law, p Params, now *time.Time, d time.Duration) []Decision {
	var out []Decision
	for end := now.Add(d); now.Before(end); *now = now.Add(time.Second) {
		out = law.Update(*now, cleanAir(p, *now, int(now.Sub(t0)/time.Second)))
	}
	return out
}

// A fan that does not work fails safe like untrusted data: the fan and
// the other fans of its booth go to their safe duty, saying why; a fan of
// another booth stays under the law; once it works again the law takes
// them back. Every law does it: ventd's and the baselines' guard.
func TestFanThatDoesNotWorkSendsItsBoothToTheSafeDuty(t *testing.T) {
	p := threeFans(t)
	onoff, err := PerFan(p, func(f FanSpec, tn Tuning) (FanLaw, error) { return NewOnOff(f, tn, 35, 25) })
	if err != nil {
		t.Fatal(err)
	}
	room, err := NewRoom(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, law := range map[string]Law{"ventd": room, "onoff35": onoff} {
		t.Run(name, func(t *testing.T) {
			now := t0
			out := runClean(law, p, &now, 15*time.Minute)
			for i, d := range out {
				if d.Mode != ModeNormal || d.Duty != p.Fans[i].MinDuty {
					t.Fatalf("fan %s after 15 min of clean air: %+v, want normal at the minimum", p.Fans[i].Name, d)
				}
			}
			law.SetFanFault(0, "not turning though driven")
			out = runClean(law, p, &now, time.Second)
			if d := out[0]; d.Mode != ModeSafe || d.Duty != p.Fans[0].SafeDuty || !strings.Contains(d.Reason, "fan booth-exhaust: not turning though driven: at its safe duty") {
				t.Errorf("the stalled fan: %+v, want its safe duty, saying why", d)
			}
			if d := out[1]; d.Mode != ModeSafe || d.Duty != p.Fans[1].SafeDuty || !strings.Contains(d.Reason, "booth's fan booth-exhaust: not turning though driven: at the safe duty to take over its extraction") {
				t.Errorf("the other fan of its booth: %+v, want its safe duty, naming the fan", d)
			}
			if d := out[2]; d.Mode != ModeNormal || d.Duty != p.Fans[2].MinDuty {
				t.Errorf("the fan of the other booth: %+v, want it left to the law", d)
			}
			// A purge still gets full from a fan that may turn.
			law.Purge("booth")
			if d := runClean(law, p, &now, time.Second)[1]; d.Duty != p.Fans[1].MaxDuty {
				t.Errorf("purge with a fan of the booth not working: %+v, want full", d)
			}
			law.CancelPurge("booth")
			law.SetFanFault(0, "")
			out = runClean(law, p, &now, time.Second)
			for i, d := range out {
				if d.Mode != ModeNormal {
					t.Errorf("fan %s once the fan turns again: %+v, want it back under the law", p.Fans[i].Name, d)
				}
			}
			law.SetFanFault(7, "no such fan") // ignored, as a purge of no booth is
		})
	}
}

// The bound "the fan at minimum all day" is physical: a fault moves it no
// more than untrusted data does.
func TestBareBoundIgnoresFanFaults(t *testing.T) {
	p := threeFans(t)
	law, err := PerFan(p, func(f FanSpec, tn Tuning) (FanLaw, error) { return NewBare(f, tn, f.MinDuty) })
	if err != nil {
		t.Fatal(err)
	}
	law.SetFanFault(0, "not turning though driven")
	now := t0
	for i, d := range runClean(law, p, &now, time.Second) {
		if d.Duty != p.Fans[i].MinDuty {
			t.Errorf("fan %s: %+v, want the bare minimum", p.Fans[i].Name, d)
		}
	}
}

// A booth whose only fan is not turning clears by its leak alone: that is
// no measure of what its fan gives, and learned as one it would read as a
// booth getting a tenth of its air long after the fan turns again.
func TestDecayIsNotLearnedWhileTheFanDoesNotTurn(t *testing.T) {
	w := settled(t, nil)
	w.sessions(3, 4, 3*time.Minute, 15*time.Minute)
	before := w.measuredDecay("fan turning")
	w.law.SetFanFault(0, "not turning though driven")
	w.flowFactor = 0 // the wheel stands still at any duty
	// Light sessions: the booth clears by its leak within the sensor's
	// range, where a clearing is measured.
	w.sessions(3, 0.5, time.Minute, 15*time.Minute)
	dec, _ := w.law.(*Room).Decay("booth")
	if dec.Observations != before.Observations || dec.Share != before.Share {
		t.Fatalf("after three clearings with the fan stalled: %+v, want what was measured before it stalled (%+v)", dec, before)
	}
	if d := w.trace[len(w.trace)-1]; d.Duty != 1 {
		t.Fatalf("the stalled fan: %+v, want at least its safe duty", d)
	}
	w.flowFactor = 1
	w.law.SetFanFault(0, "")
	w.sessions(3, 4, 3*time.Minute, 15*time.Minute)
	w.measuredDecay("fan turning again")
}

// The safe duty is a floor, not a setting: with safe_duty 50 %, a fan
// stalling in a session must not slow the booth's other fan from full to
// 50 %, nor a purge lose its mode.
func TestFanFaultNeverSlowsASession(t *testing.T) {
	p := threeFans(t)
	for i := range p.Fans {
		p.Fans[i].SafeDuty = 0.5
	}
	law, err := NewRoom(p)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	runClean(law, p, &now, 15*time.Minute)
	smoke := func(v float64) []Decision {
		in := cleanAir(p, now, 0)
		for k := range in {
			if in[k].Zone == "booth" {
				in[k].Value = v
			}
		}
		out := law.Update(now, in)
		now = now.Add(time.Second)
		return out
	}
	var out []Decision
	for v := 50.0; v <= 600; v += 50 {
		out = smoke(v)
	}
	if out[1].Mode != ModeBoost || out[1].Duty != 1 {
		t.Fatalf("a session in the booth: %+v, want full", out[1])
	}
	law.SetFanFault(0, "not turning though driven")
	out = smoke(600)
	if d := out[1]; d.Mode != ModeBoost || d.Duty != 1 {
		t.Errorf("the booth's other fan once the first stalls mid-session: %+v, want it left at full", d)
	}
	if d := out[0]; d.Duty != 1 {
		t.Errorf("the stalled fan mid-session: %+v, want full still asked", d)
	}
	law.Purge("booth")
	if d := smoke(600)[1]; d.Mode != ModePurge || d.Duty != 1 {
		t.Errorf("a purge with a fan of the booth stalled: %+v, want the purge, at full", d)
	}
}
