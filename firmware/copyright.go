package firmware

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// CopyrightPath is where the package puts its copyright file, as Debian
// policy asks.
const CopyrightPath = "/usr/share/doc/ventd/copyright"

// licenceFile is a file a module ships its licence (or its notices) in.
var licenceFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|notice|patents)([.-].*)?$`)

// fontLicences are licence files for embedded fonts that sit outside the
// linked package's module root: the Go fonts' data packages embed the
// fonts whose licence is in ttfs/README. Keyed by the linked package's
// path prefix; the file is in its module.
var fontLicences = map[string]string{
	"golang.org/x/image/font/gofont/": "font/gofont/ttfs/README",
}

// linkedModule is a module linked into one or more of Commands.
type linkedModule struct {
	Path, Version, Dir string
	Replace            string // the module's replacement, when go.mod has one
	Into               []string
	Extra              []string // fontLicences files, in Dir
}

// goListed is what `go list -json` says of one package.
type goListed struct {
	ImportPath string
	Standard   bool
	Module     *struct {
		Path, Version, Dir string
		Main               bool
		Replace            *struct{ Path, Version, Dir string }
	}
}

// linkedModules lists the modules each of Commands links when built for
// t, as go build sees them, with their directories in the module cache.
func linkedModules(ctx context.Context, root string, t Target) (mods []*linkedModule, std []string, err error) {
	byPath := map[string]*linkedModule{}
	for _, c := range Commands {
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-json=ImportPath,Standard,Module", "./cmd/"+c)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+t.GOARCH, "GOARM="+t.GOARM, "GOFLAGS=")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			return nil, nil, fmt.Errorf("go list -deps ./cmd/%s for %s: %w\n%s", c, t.Name, err, errOut.String())
		}
		seenStd := false
		dec := json.NewDecoder(&out)
		for {
			var p goListed
			if err := dec.Decode(&p); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, nil, fmt.Errorf("go list -deps ./cmd/%s: %w", c, err)
			}
			if p.Standard {
				if !seenStd {
					std, seenStd = append(std, c), true
				}
				continue
			}
			if p.Module == nil || p.Module.Main {
				continue
			}
			m := byPath[p.Module.Path]
			if m == nil {
				m = &linkedModule{Path: p.Module.Path, Version: p.Module.Version, Dir: p.Module.Dir}
				if r := p.Module.Replace; r != nil {
					m.Replace, m.Dir = r.Path, r.Dir
					if r.Version != "" {
						m.Replace += " " + r.Version
					}
				}
				if m.Dir == "" {
					return nil, nil, fmt.Errorf("module %s %s is not in the module cache: go mod download, then build again", m.Path, m.Version)
				}
				byPath[m.Path] = m
				mods = append(mods, m)
			}
			if !slices.Contains(m.Into, c) {
				m.Into = append(m.Into, c)
			}
			for prefix, f := range fontLicences {
				if strings.HasPrefix(p.ImportPath, prefix) && !slices.Contains(m.Extra, f) {
					m.Extra = append(m.Extra, f)
				}
			}
		}
	}
	slices.SortFunc(mods, func(a, b *linkedModule) int { return strings.Compare(a.Path, b.Path) })
	return mods, std, nil
}

// licenceFiles are the licence files in dir (a module's root, and its
// licenses/ directory, where a dual-licensed module keeps both texts).
func licenceFiles(dir string) ([]string, error) {
	var out []string
	for _, sub := range []string{"", "licenses"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if sub != "" && errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Type().IsRegular() && (sub != "" || licenceFile.MatchString(e.Name())) {
				out = append(out, filepath.Join(sub, e.Name()))
			}
		}
	}
	return out, nil
}

// Copyright is the package's copyright file for t: ventd's licence
// (LICENSE), then the Go standard library's and every module's linked
// into Commands, each file as the module ships it, read from where go
// build reads the module. Generated when the package is built, so it
// lists what the binaries hold.
func Copyright(ctx context.Context, root string, t Target) ([]byte, error) {
	mods, std, err := linkedModules(ctx, root, t)
	if err != nil {
		return nil, err
	}
	own, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "ventd: ventilation controller for a supervised inhalation room\n"+
		"Source: https://github.com/ventd/ventd\n\n"+
		"ventd is licensed under the Apache License, Version 2.0 (below, and in\n"+
		"/usr/share/common-licenses/Apache-2.0).\n\n"+
		"The programs in /usr/bin (%s) are statically linked Go\n"+
		"programs: they hold the Go standard library and the Go modules listed\n"+
		"after ventd's licence, each under its own licence, reproduced from the\n"+
		"module's own files. The fonts embedded in the reports come with their\n"+
		"modules (Liberation, under the SIL Open Font License; the Go fonts,\n"+
		"under the Go licence).\n\n",
		strings.Join(Commands, ", "))
	rule := strings.Repeat("=", 72)
	fmt.Fprintf(&b, "%s\nventd\n\n%s", rule, own)
	seen := map[string]string{string(bytes.TrimSpace(own)): "ventd's"} // text → where it was first given
	section := func(title, dir string, files []string) error {
		fmt.Fprintf(&b, "\n%s\n%s\n", rule, title)
		if len(files) == 0 {
			return fmt.Errorf("%s: no licence file in %s", title, dir)
		}
		for _, f := range files {
			text, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return err
			}
			key := string(bytes.TrimSpace(text))
			if first, ok := seen[key]; ok {
				fmt.Fprintf(&b, "\n---- %s: the same text as %s above\n", f, first)
				continue
			}
			seen[key] = fmt.Sprintf("%s of %s", f, strings.Fields(title)[0])
			fmt.Fprintf(&b, "\n---- %s\n\n%s\n", f, bytes.TrimRight(text, "\n"))
		}
		return nil
	}
	goroot, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %w", err)
	}
	gr := strings.TrimSpace(string(goroot))
	files, err := licenceFiles(gr)
	if err != nil {
		return nil, err
	}
	if err := section("Go (the standard library and runtime), in "+strings.Join(std, ", "), gr, files); err != nil {
		return nil, err
	}
	for _, m := range mods {
		title := m.Path + " " + m.Version
		if m.Replace != "" {
			title += " (replaced by " + m.Replace + ")"
		}
		files, err := licenceFiles(m.Dir)
		if err != nil {
			return nil, err
		}
		if err := section(title+", in "+strings.Join(m.Into, ", "), m.Dir, append(files, m.Extra...)); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}
