package record

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
)

// flatSensor is Sensor as it was before its identity moved to SensorID,
// every field its own.
type flatSensor struct {
	Name        string            `json:"name"`
	Type        config.SensorType `json:"type"`
	Zone        string            `json:"zone"`
	Bus         string            `json:"bus"`
	Address     string            `json:"address"`
	Serial      string            `json:"serial,omitempty"`
	Up          bool              `json:"up"`
	LastSuccess time.Time         `json:"last_success"`
	Errors      map[string]uint64 `json:"errors"`
	Status      []string          `json:"status,omitempty"`
	Frozen      bool              `json:"frozen,omitempty"`
	Error       string            `json:"error,omitempty"`
}

// TestSensorJSONAsFlat: a Sensor's JSON (/api/state, the event stream) is
// the flat one's byte for byte, its identity's fields in their places,
// and it reads back into a Sensor.
func TestSensorJSONAsFlat(t *testing.T) {
	at := time.Date(2026, 3, 2, 7, 0, 1, 5e8, time.UTC)
	for _, f := range []flatSensor{
		{Name: "booth-pm", Type: config.SPS30, Zone: "booth", Bus: "sim0", Address: "0x69", Serial: "ABCD1234",
			Up: true, LastSuccess: at, Errors: map[string]uint64{"crc": 2, "nack": 1}, Status: []string{"fan"}, Frozen: true, Error: "frozen <x> & \"y\""},
		{Name: "staff-co2", Type: config.SCD41, Zone: "staff", Bus: "1/mux0x70.3", Address: "0x62", Errors: map[string]uint64{}},
	} {
		s := Sensor{SensorID: &SensorID{Name: f.Name, Type: f.Type, Zone: f.Zone, Bus: f.Bus, Address: f.Address, Serial: f.Serial},
			Up: f.Up, LastSuccess: f.LastSuccess, Errors: f.Errors, Status: f.Status, Frozen: f.Frozen, Error: f.Error}
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("JSON\n%s\nwant\n%s", got, want)
		}
		var back Sensor
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, s) {
			t.Errorf("read back %+v %+v, want %+v %+v", back, back.SensorID, s, s.SensorID)
		}
	}
}

// A sensor read from text naming none of SensorID's fields (something
// else answering on ventd's port) reads as one with an empty name, not a
// nil pointer.
func TestSensorFromTextWithoutIDHasOne(t *testing.T) {
	var ss []Sensor
	if err := json.Unmarshal([]byte(`[{"up": true}, null, {"name": "booth-pm", "up": false}]`), &ss); err != nil {
		t.Fatal(err)
	}
	for i, s := range ss {
		if s.SensorID == nil {
			t.Fatalf("sensor %d: no SensorID", i)
		}
	}
	if ss[0].Name != "" || !ss[0].Up || ss[2].Name != "booth-pm" || ss[2].Up {
		t.Errorf("read %+v, %+v", ss[0], ss[2])
	}
}
