package mqtt

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// renderJinja renders Home Assistant's value templates with Jinja2, the
// engine Home Assistant uses (its extra filters are not used here), with
// value_json set to the state payload.
const renderJinja = `
import json, sys
from jinja2.sandbox import ImmutableSandboxedEnvironment
req = json.load(sys.stdin)
env = ImmutableSandboxedEnvironment()
out = {}
for name, tmpl in req["templates"].items():
    out[name] = str(env.from_string(tmpl).render(value_json=req["state"], value=json.dumps(req["state"])))
json.dump(out, sys.stdout)
`

// renderTemplates renders every discovery template against the retained
// state and checks what Home Assistant would show: the reading for a good
// sample or one above its sensor's range (dense smoke, the air at least
// that), None (unknown) for anything else, ON/OFF for binary sensors.
func renderTemplates(t *testing.T, cfgs map[string]parsedEntity, state []byte, s *snapshot.Snapshot) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import jinja2").Run()
	}
	if err != nil {
		msg := "python3 with jinja2 is not installed (apt-get install python3-jinja2): Home Assistant's value templates are not rendered"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Log(msg)
		return
	}
	tmpls := map[string]string{}
	for object, e := range cfgs {
		if v := str(e.config["value_template"]); v != "" {
			tmpls[object] = v
		}
	}
	var st any
	if err := json.Unmarshal(state, &st); err != nil {
		t.Fatal(err)
	}
	got := render(t, py, tmpls, st)
	for _, r := range s.Readings {
		object := objectID(r.Sensor, string(r.Quantity))
		want := "None"
		if r.Quality == sample.Good || r.AboveRange {
			want = strconv.FormatFloat(r.Value, 'f', -1, 64)
		}
		if g := got[object]; g != want && !sameNumber(g, want) {
			t.Errorf("%s renders %q, the state has %v (%s): want %s", object, g, r.Value, r.Quality, want)
		}
	}
	for object, e := range cfgs {
		g, ok := got[object]
		switch {
		case !ok && e.component != "button":
			t.Errorf("%s has no template", object)
		case e.component == "binary_sensor" && g != "ON" && g != "OFF":
			t.Errorf("%s renders %q, want ON or OFF", object, g)
		case e.component == "sensor" && e.config["options"] == nil && g != "None":
			if _, err := strconv.ParseFloat(g, 64); err != nil {
				t.Errorf("%s renders %q, want a number or None", object, g)
			}
		}
	}
	for _, f := range s.Fans {
		if f.Error == "" {
			continue
		}
		// ventd drives nothing: its duty and mode are unknown, not 0 % and
		// the law's wish.
		for _, q := range []string{"duty", "mode"} {
			if g := got[objectID(f.Name, q)]; g != "None" {
				t.Errorf("fan %s with an error (%s) renders %s %q, want None (unknown)", f.Name, f.Error, q, g)
			}
		}
	}
	if len(s.Fans) > 0 && s.Fans[0].Error != "" {
		return
	}
	if got["staff_alarm"] != "OFF" || got["alarm_level"] != "none" || got["booth_exhaust_mode"] != string(s.Fans[0].Mode) {
		t.Errorf("quiet room renders alarm %q, level %q, mode %q", got["staff_alarm"], got["alarm_level"], got["booth_exhaust_mode"])
	}
}

// render renders each of tmpls with value_json set to state.
func render(t *testing.T, py string, tmpls map[string]string, state any) map[string]string {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"templates": tmpls, "state": state})
	cmd := exec.Command(py, "-c", renderJinja)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jinja2: %v\n%s", err, err.(*exec.ExitError).Stderr)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// A zone's alarm (device class safety) is on for an alarm level or a
// fault about it, not for a warning: sensors reading apart made "booth
// alarm: Unsafe" for hours, and an automation keyed on it paged for a
// calibration job. Its warning entity is on at any level.
func TestZoneAlarmIsNotAWarning(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import jinja2").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 with jinja2 is not installed (apt-get install python3-jinja2)")
		}
		t.Skip("python3 with jinja2 is not installed")
	}
	tmpls := map[string]string{"alarm": str(subjectAtLeast("booth", "safety", alarm.LevelAlarm)["value_template"]),
		"warning": str(subjectAlarm("booth", "problem")["value_template"])}
	for _, c := range []struct{ level, alarm, warning string }{
		{"", "OFF", "OFF"}, {"warning", "OFF", "ON"}, {"alarm", "ON", "ON"}, {"fault", "ON", "ON"},
	} {
		subjects := map[string]string{"staff": "alarm"}
		if c.level != "" {
			subjects["booth"] = c.level
		}
		got := render(t, py, tmpls, map[string]any{"alarms": map[string]any{"subjects": subjects}})
		if got["alarm"] != c.alarm || got["warning"] != c.warning {
			t.Errorf("booth at level %q: alarm %s, warning %s; want %s, %s", c.level, got["alarm"], got["warning"], c.alarm, c.warning)
		}
	}
}

func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}
