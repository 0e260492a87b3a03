// Command build cross-builds ventd, ventctl and ventbench for the
// Raspberry Pi and packs a Debian package per target. Run it from the
// repository; it needs only Go:
//
//	go run ./firmware/build                          # all targets into dist/
//	go run ./firmware/build -targets arm64,armv6 -version 1.2.0
//	go run ./firmware/build -deb=false               # binaries only
//
// The version defaults to the nearest git tag (1.2.0 from v1.2.0), else
// 0.0.0~gitDATE.COMMIT; the commit and date come from git and the clock
// (SOURCE_DATE_EPOCH, if set, fixes the date for a reproducible build).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ventd/ventd/firmware"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "firmware/build:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "dist", "output `directory`: DIR/TARGET/ holds the binaries, DIR/ the packages")
	targets := fs.String("targets", "arm64,armv7,armv6", "comma-separated `targets`: arm64, armv7, armv6")
	version := fs.String("version", "", "release `version` (default: from git describe)")
	pkg := fs.Bool("deb", true, "also write a Debian package per target")
	maintainer := fs.String("maintainer", firmware.DefaultMaintainer, "the packages' Maintainer `field`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	stamp, err := stampFromGit(ctx, root, *version, time.Now())
	if err != nil {
		return err
	}
	var ts []firmware.Target
	for _, name := range strings.Split(*targets, ",") {
		t, err := firmware.TargetByName(strings.TrimSpace(name))
		if err != nil {
			return fmt.Errorf("-targets: %w", err)
		}
		ts = append(ts, t)
	}
	fmt.Fprintf(stdout, "ventd %s (commit %s, built %s)\n", stamp.Version, stamp.Commit, stamp.Date)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\t"+strings.Join(firmware.Commands, "\t")+"\tpackage\t")
	for _, t := range ts {
		dir := filepath.Join(*out, t.Name)
		if err := firmware.Build(ctx, root, t, stamp, dir); err != nil {
			return err
		}
		row := t.Name
		for _, c := range firmware.Commands {
			fi, err := os.Stat(filepath.Join(dir, c))
			if err != nil {
				return err
			}
			row += fmt.Sprintf("\t%.1f MiB", float64(fi.Size())/(1<<20))
		}
		p := "-"
		if *pkg {
			if p, err = firmware.Package(firmware.PackageOpts{Root: root, Bin: dir, Target: t, Stamp: stamp, Out: *out, Maintainer: *maintainer}); err != nil {
				return err
			}
		}
		fmt.Fprintln(tw, row+"\t"+p+"\t")
	}
	return tw.Flush()
}

// moduleRoot is the directory of ventd's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the ventd module: run from the repository (go run ./firmware/build)")
	}
	return filepath.Dir(mod), nil
}

// stampFromGit fills what -version left open from git: the version from
// the nearest tag, the commit (with +dirty for uncommitted changes), and
// the date from SOURCE_DATE_EPOCH or now.
func stampFromGit(ctx context.Context, root, version string, now time.Time) (firmware.Stamp, error) {
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		b, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	s := firmware.Stamp{Commit: git("rev-parse", "--short=12", "HEAD")}
	if s.Commit == "" {
		s.Commit = "unknown"
	} else if git("status", "--porcelain", "--untracked-files=no") != "" {
		s.Commit += "+dirty"
	}
	if e := os.Getenv("SOURCE_DATE_EPOCH"); e != "" {
		sec, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			return s, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", e)
		}
		now = time.Unix(sec, 0)
	}
	s.Date = now.UTC().Format(time.RFC3339)
	s.Version = version
	if s.Version == "" {
		s.Version = versionFromGit(git, s.Commit, now)
	}
	if _, err := firmware.DebVersion(s.Version); err != nil {
		return s, fmt.Errorf("-version: %w", err)
	}
	return s, nil
}

// versionFromGit is the package version of the tree git describes: the
// tag's own version exactly at a clean tag; past it (or with uncommitted
// changes), the tag's version with "+git" and the commit's time, how many
// commits past the tag and the commit, so every build after a release
// sorts above it and below the next, and no two builds share a version.
// A dirty tree takes the build time, as its content has no commit time.
// With no tag at all the base is "0.0.0~", below any release.
func versionFromGit(git func(...string) string, commit string, now time.Time) string {
	short, dirty := strings.CutSuffix(commit, "+dirty")
	when := now
	if !dirty {
		if sec, err := strconv.ParseInt(git("log", "-1", "--format=%ct"), 10, 64); err == nil {
			when = time.Unix(sec, 0)
		}
	}
	stamp := when.UTC().Format("20060102150405")
	desc := git("describe", "--tags", "--long", "--match", "v[0-9]*")
	// v1.2.0-3-gb360535: tag, commits past it, g and the commit.
	parts := strings.Split(desc, "-")
	if len(parts) < 3 {
		v := "0.0.0~git" + stamp + "." + short
		if dirty {
			v += ".dirty"
		}
		return v
	}
	// A pre-release tag (v1.3.0-rc1) sorts below its release as 1.3.0~rc1.
	tag := strings.ReplaceAll(strings.TrimPrefix(strings.Join(parts[:len(parts)-2], "-"), "v"), "-", "~")
	n := parts[len(parts)-2]
	if n == "0" && !dirty {
		return tag
	}
	v := tag + "+git" + stamp + "." + n + "." + short
	if dirty {
		v += ".dirty"
	}
	return v
}
