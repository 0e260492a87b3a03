package firmware

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCrossBuild(t *testing.T) {
	bins, _ := built(t)
	machine := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "armv7": elf.EM_ARM, "armv6": elf.EM_ARM}
	for _, tg := range Targets {
		for _, c := range Commands {
			p := filepath.Join(bins[tg.Name], c)
			f, err := elf.Open(p)
			if err != nil {
				t.Fatalf("%s %s: %v", tg.Name, c, err)
			}
			for _, prog := range f.Progs {
				if prog.Type == elf.PT_INTERP {
					t.Errorf("%s %s is dynamically linked: CGO_ENABLED=0 must give a static binary", tg.Name, c)
				}
			}
			if f.Machine != machine[tg.Name] || f.Data != elf.ELFDATA2LSB {
				t.Errorf("%s %s: machine %v %v, want %v little-endian", tg.Name, c, f.Machine, f.Data, machine[tg.Name])
			}
			f.Close()
			fi, _ := os.Stat(p)
			t.Logf("%-5s %-9s %5.1f MiB", tg.Name, c, float64(fi.Size())/(1<<20))
		}
	}
}

func TestStampAndVersion(t *testing.T) {
	if v, err := DebVersion("v1.2.0"); err != nil || v != "1.2.0" {
		t.Errorf("DebVersion(v1.2.0) = %q, %v", v, err)
	}
	if _, err := DebVersion("(devel)"); err == nil || !strings.Contains(err.Error(), "starts with a digit") {
		t.Errorf("DebVersion((devel)) = %v, want an error saying what a version looks like", err)
	}
	if _, err := TargetByName("armv8"); err == nil || !strings.Contains(err.Error(), "arm64, armv7, armv6") {
		t.Errorf("TargetByName(armv8) = %v, want the list of targets", err)
	}
	if err := Build(t.Context(), root(t), Targets[0], Stamp{Version: "1.0 beta"}, t.TempDir()); err == nil {
		t.Error("Build with a version holding a space and no commit or date went ahead")
	}
}
