package statuspage

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
)

// withOutdoor adds to a roomYAML room the air it takes in: a zone of kind
// outdoor ("outside") with an SPS30 and an SCD41 on a bus of their own.
func withOutdoor(t *testing.T, yml string) string {
	t.Helper()
	const staff = "  - {name: staff, kind: staff, volume_m3: 60}\n"
	out := strings.Replace(yml, staff, staff+"  - {name: outside, kind: outdoor}\n", 1)
	out = strings.Replace(out, "\nfans:\n", "\n  - {name: outdoor-pm, type: sps30, bus: sim9, zone: outside}\n"+
		"  - {name: outdoor-co2, type: scd41, bus: sim9, zone: outside}\nfans:\n", 1)
	if strings.Count(out, "outside") != 3 {
		t.Fatalf("roomYAML changed: withOutdoor found no place for the outdoor zone in\n%s", yml)
	}
	return out
}

// /api/page lists the outdoor air apart: not among the staff zones, whose
// rows the page builds with the staff's thresholds and limits.
func TestPageInfoListsOutdoorAirApart(t *testing.T) {
	pageInfo := func(yml string) info {
		t.Helper()
		cfg, err := config.Parse([]byte(yml), "room.yaml")
		if err != nil {
			t.Fatal(err)
		}
		p, err := New(Options{Config: cfg, Control: nopControl{}, Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		p.Register(mux)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/page", nil))
		if !strings.Contains(rec.Body.String(), `"outdoor":[`) {
			t.Errorf("/api/page has no outdoor list: %s", rec.Body)
		}
		var in info
		if err := json.Unmarshal(rec.Body.Bytes(), &in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	in := pageInfo(withOutdoor(t, roomYAML(2, "")))
	if len(in.Staff) != 1 || in.Staff[0].Zone != "staff" || len(in.Booths) != 2 {
		t.Errorf("staff %+v, booths %+v: want the staff area alone and two booths", in.Staff, in.Booths)
	}
	if len(in.Outdoor) != 1 || in.Outdoor[0].Zone != "outside" || !slices.Equal(in.Outdoor[0].Sensors, []string{"outdoor-pm", "outdoor-co2"}) ||
		len(in.Outdoor[0].Fans) != 0 {
		t.Errorf("outdoor %+v: want outside with its two sensors and no fan", in.Outdoor)
	}
	if in := pageInfo(roomYAML(1, "")); len(in.Outdoor) != 0 || len(in.Staff) != 1 {
		t.Errorf("a room without outdoor air: outdoor %+v, staff %+v", in.Outdoor, in.Staff)
	}
}

// A purge of the outdoor air from the page is refused with the daemon's
// reason and the booths that can be purged, before the PIN is counted
// (a mistake in the request, as an unknown zone is), and nothing reaches
// the loop.
func TestPurgeOfOutdoorAirRefusedOnThePage(t *testing.T) {
	r := startRoom(t, withOutdoor(t, roomYAML(2, "")), roomOpts{})
	r.pacer.runTo(t, r, at(10*time.Second))
	r.pacer.pace(5)
	code, ans, _ := post(t, r, "/api/purge", `{"zone": "outside", "name": "Sam", "pin": "246810"}`, nil)
	if code != http.StatusBadRequest || !strings.Contains(ans["error"], `zone "outside" is the outdoor air`) ||
		!strings.HasSuffix(ans["error"], "purge a booth: booth-1, booth-2") {
		t.Errorf("purge of the outdoor air: %d %v", code, ans)
	}
	r.pacer.runTo(t, r, at(15*time.Second))
	if a := r.served(); len(a) != 0 {
		t.Errorf("a refused purge reached the loop: %+v", a)
	}
}
