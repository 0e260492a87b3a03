package config

import (
	"errors"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse feeds Parse arbitrary files. Every file is either refused
// with Errors that each name the file, or accepted as a Config that
// writes out and parses back to the same meaning. The seeds (here and in
// testdata/fuzz/FuzzParse) run with every go test; search further with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 1m ./config
func FuzzParse(f *testing.F) {
	for _, name := range []string{"example.yaml", "sim.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(base))
	f.Add(aliasBomb(10))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is %T, want config.Errors: %v", err, err)
			}
			for _, e := range errs {
				if e.File != "fuzz.yaml" || e.Line < 0 || e.Msg == "" {
					t.Fatalf("error without its place or message: %#v", e)
				}
			}
			return
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("marshal an accepted config: %v", err)
		}
		back, err := Parse(out, "marshalled.yaml")
		if err != nil {
			t.Fatalf("an accepted config, written out, is refused: %v\n%s", err, out)
		}
		if back.Hash() != c.Hash() {
			t.Fatalf("an accepted config, written out, parses to another meaning:\n%s", out)
		}
	})
}
