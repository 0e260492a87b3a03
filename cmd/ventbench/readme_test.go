package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's figures are the committed record's, to the character: a
// change to the law or the scenarios that moves them needs a new record
// (go run ./cmd/ventbench -set all -json -runs=false > cmd/ventbench/testdata/bench.json)
// and a rewrite (go run ./cmd/ventbench -readme README.md -from
// cmd/ventbench/testdata/bench.json).
func TestREADMEFiguresAreTheRecord(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("testdata/bench.json: %v", err)
	}
	want, err := spliceREADME(readme, &rep)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readme, want) {
		t.Fatal("README.md's ventbench figures differ from cmd/ventbench/testdata/bench.json; run: go run ./cmd/ventbench -readme README.md -from cmd/ventbench/testdata/bench.json")
	}
	// The record covers both sets, and every scenario of each.
	for _, g := range []string{groupTuning, groupHeldOut} {
		for _, name := range builtinNames(g) {
			found := false
			for _, sr := range rep.Scenarios {
				found = found || sr.Scenario == name && sr.Group == g
			}
			if !found {
				t.Errorf("the record lacks %s scenario %s", g, name)
			}
		}
	}
}

func TestReadmeRewrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	if err := os.WriteFile(path, []byte("# x\n\n"+readmeBegin+"\nold figures\n"+readmeEnd+"\ntail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := &Report{Seeds: []uint64{1}, Scenarios: []ScenarioReport{{Scenario: "quiet-day", Group: groupTuning, SessionShare: 0.05,
		Goals: []Goal{{Name: "twa_ratio", Result: "FAIL"}}}}}
	if err := rewriteREADME(path, rep); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	for _, want := range []string{"| quiet-day | quiet 5% |", "twa_ratio |", "\ntail\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("rewritten README lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "old figures") {
		t.Error("old figures kept")
	}
	os.WriteFile(path, []byte("no markers\n"), 0o644)
	if err := rewriteREADME(path, rep); err == nil || !strings.Contains(err.Error(), "add the two lines") {
		t.Errorf("README without markers: %v", err)
	}
}
