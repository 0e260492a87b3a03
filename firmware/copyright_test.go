package firmware

import (
	"context"
	"os"
	"strings"
	"testing"
)

// The package had no copyright file and the repository no LICENSE. The
// copyright file is made when the package is built, from the modules go
// build links into the binaries, each with its own licence files: it
// cannot fall behind go.mod.
func TestCopyrightListsWhatTheBinariesHold(t *testing.T) {
	tg, err := TargetByName("arm64")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Copyright(context.Background(), "..", tg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	license, err := os.ReadFile("../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(license), "Apache License\n                           Version 2.0, January 2004") {
		t.Errorf("LICENSE is not the Apache License 2.0")
	}
	for _, want := range []string{
		"ventd is licensed under the Apache License, Version 2.0",
		"\nventd\n\n" + string(license),
		"\nGo (the standard library and runtime), in ventd, ventctl, ventbench\n",
		"\nperiph.io/x/conn/v3 ", "---- LICENSE: the same text as ventd's above", // periph's Apache-2.0
		"\nmodernc.org/sqlite ", "---- LICENSE-SQLITE",
		"\ngithub.com/eclipse/paho.mqtt.golang ",
		"\ngithub.com/mwitkow/go-conntrack v0.0.0-20190716064945-2f068394615f (replaced by ./third_party/go-conntrack), in ventd",
		// The fonts embedded in ventctl's reports.
		"\ncodeberg.org/go-fonts/liberation v0.5.0, in ventctl\n", "---- LICENSE-SIL\n\nDigitized data copyright (c) 2010 Google Corporation",
		"---- font/gofont/ttfs/README\n\nThese fonts were created by the Bigelow & Holmes foundry",
		// A dual-licensed module's both texts.
		"---- licenses/ftl.txt", "---- licenses/gpl.txt",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("copyright lacks %q", want)
		}
	}
	// Modules only tests use are not in the binaries.
	for _, not := range []string{"chromedp", "github.com/goreleaser/nfpm"} {
		if strings.Contains(s, not) {
			t.Errorf("copyright lists %s, which no binary links", not)
		}
	}
}
