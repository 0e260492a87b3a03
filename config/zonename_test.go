package config

import "testing"

func TestZoneNameResolvesLocal(t *testing.T) {
	t.Setenv("TZ", "America/Vancouver")
	if got := (Shifts{TimeZone: "Local"}).ZoneName(); got != "America/Vancouver" {
		t.Errorf("Local with TZ=America/Vancouver: %q", got)
	}
	t.Setenv("TZ", ":Europe/Berlin")
	if got := (Shifts{TimeZone: "Local"}).ZoneName(); got != "Europe/Berlin" {
		t.Errorf("Local with TZ=:Europe/Berlin: %q", got)
	}
	if got := (Shifts{TimeZone: "Asia/Kolkata"}).ZoneName(); got != "Asia/Kolkata" {
		t.Errorf("a named zone: %q", got)
	}
}
