package main

import (
	"embed"
	"fmt"
	"strings"

	"github.com/ventd/ventd/testbench/scenario"
)

// The built-in scenarios, written for the room of config.Sim() (one booth
// with its exhaust fan and door, one staff area; sensors booth-pm and
// staff-pm). They are YAML files like any a site writes; read them for the
// story each tells.
//
//go:embed scenarios/*.yaml
var builtinFS embed.FS

// builtinOrder is the order the table shows them in.
var builtinOrder = []string{"quiet-day", "busy-day", "back-to-back", "door-open", "sensor-dropout", "fan-stall", "night"}

func builtinNames() []string { return append([]string(nil), builtinOrder...) }

// builtin parses the built-in scenario called name.
func builtin(name string) (*scenario.Scenario, error) {
	data, err := builtinFS.ReadFile("scenarios/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (built-ins: %s); give a file with -scenario", name, strings.Join(builtinOrder, ", "))
	}
	return scenario.Parse(data, name+".yaml")
}
