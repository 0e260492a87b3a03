package firmware

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// PackageOpts say what goes into a package.
type PackageOpts struct {
	// Root is the repository: firmware/, config/example.yaml, README.md.
	Root string
	// Bin holds the target's binaries, as Build left them.
	Bin    string
	Target Target
	Stamp  Stamp
	// Out is the directory the .deb is written to.
	Out string
	// Maintainer for the control file; "" means DefaultMaintainer.
	Maintainer string
	// Compression of the package's data: "" means gzip, which every dpkg
	// a Pi may have reads; "none" packs fastest.
	Compression string
	// Module is the Go module the binaries were built from (its LICENSE,
	// and the modules its commands link, go into the copyright file); ""
	// means Root.
	Module string
}

// DefaultMaintainer names the package's maintainer until a site packs its
// own.
const DefaultMaintainer = "ventd developers <ventd@ventd.invalid>"

// Install paths on the Pi.
const (
	ConfigPath = "/etc/ventd/ventd.yaml"
	UnitPath   = "/usr/lib/systemd/system/ventd.service"
	UdevPath   = "/usr/lib/udev/rules.d/60-ventd.rules"
	SharePath  = "/usr/share/ventd"
)

// debVersion is Stamp.Version as Debian orders versions: no leading v,
// and a development build sorts before any release (~).
var debVersionRE = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~-]*$`)

// DebVersion turns a release version into a Debian one.
func DebVersion(v string) (string, error) {
	v = strings.TrimPrefix(v, "v")
	if !debVersionRE.MatchString(v) {
		return "", fmt.Errorf("version %q: a package version starts with a digit and holds only letters, digits and . + ~ - (such as 1.2.0 or 0.0.0~git20260302.0123abc)", v)
	}
	return v, nil
}

// FileName is the package's file name: ventd_VERSION_TARGET.deb. The
// target, not the Debian architecture, tells the armv6 and armv7 packages
// (both armhf) apart.
func FileName(t Target, debVersion string) string {
	return fmt.Sprintf("ventd_%s_%s.deb", debVersion, t.Name)
}

// Package writes the Debian package for o.Target and returns its path.
func Package(o PackageOpts) (string, error) {
	version, err := DebVersion(o.Stamp.Version)
	if err != nil {
		return "", err
	}
	mtime, err := time.Parse(time.RFC3339, o.Stamp.Date)
	if err != nil {
		return "", fmt.Errorf("build date %q: want RFC 3339: %w", o.Stamp.Date, err)
	}
	if o.Maintainer == "" {
		o.Maintainer = DefaultMaintainer
	}
	fw := func(p string) string { return filepath.Join(o.Root, "firmware", p) }
	pre, err := preinst(o.Root, o.Target, version)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "ventd-package-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	preinstPath := filepath.Join(tmp, "preinst")
	if err := os.WriteFile(preinstPath, []byte(pre), 0o755); err != nil {
		return "", err
	}
	if o.Module == "" {
		o.Module = o.Root
	}
	copyright, err := Copyright(context.Background(), o.Module, o.Target)
	if err != nil {
		return "", fmt.Errorf("the copyright file for %s: %w", o.Target.Name, err)
	}
	copyrightPath := filepath.Join(tmp, "copyright")
	if err := os.WriteFile(copyrightPath, copyright, 0o644); err != nil {
		return "", err
	}
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst, FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode}}
	}
	var contents files.Contents
	for _, c := range Commands {
		contents = append(contents, file(filepath.Join(o.Bin, c), "/usr/bin/"+c, 0o755))
	}
	contents = append(contents,
		file(fw("systemd/ventd.service"), UnitPath, 0o644),
		file(fw("udev/60-ventd.rules"), UdevPath, 0o644),
		file(fw("boot/config.txt"), SharePath+"/config.txt", 0o644),
		file(fw("systemd/hardware-watchdog.conf"), SharePath+"/hardware-watchdog.conf", 0o644),
		file(filepath.Join(o.Root, "config", "example.yaml"), SharePath+"/example.yaml", 0o644),
		file(filepath.Join(o.Root, "README.md"), "/usr/share/doc/ventd/README.md", 0o644),
		file(copyrightPath, CopyrightPath, 0o644),
		&files.Content{Destination: "/etc/ventd", Type: files.TypeDir, FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: 0o755}},
		// The site's room: a conffile, so an upgrade keeps the site's
		// edits (dpkg asks, or keeps them with --force-confold). Group
		// ventd reads it; it may come to hold secrets.
		&files.Content{Source: filepath.Join(o.Root, "config", "example.yaml"), Destination: ConfigPath, Type: files.TypeConfig,
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "ventd", Mode: 0o640}},
	)
	info := &nfpm.Info{
		Name:          "ventd",
		Arch:          o.Target.Deb,
		Platform:      "linux",
		Version:       version,
		VersionSchema: "none",
		Section:       "misc",
		Priority:      "optional",
		Maintainer:    o.Maintainer,
		Homepage:      "https://github.com/ventd/ventd",
		Description: "ventilation controller for a supervised inhalation room\n" +
			"ventd reads particulate, CO2, VOC and pressure sensors over I2C on a\n" +
			"Raspberry Pi, drives the extraction fans (full speed whenever data is\n" +
			"missing), raises alarms and keeps the staff's exposure record (8 h TWA,\n" +
			"15 min STEL) for auditors. Built for " + o.Target.Boards + ".",
		MTime: mtime,
		Overridables: nfpm.Overridables{
			// preinst runs useradd and groupadd: Debian policy wants
			// what a preinst uses as a Pre-Depends (set below).
			Contents: contents,
			Umask:    0o022,
			Scripts: nfpm.Scripts{
				PreInstall:  preinstPath, // debian/preinst, with the target's CPU check
				PostInstall: fw("debian/postinst"),
				PreRemove:   fw("debian/prerm"),
				PostRemove:  fw("debian/postrm"),
			},
		},
	}
	info.Deb.Compression = o.Compression
	info.Deb.Predepends = []string{"passwd"}
	info = nfpm.WithDefaults(info)
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(o.Out, FileName(o.Target, version))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("packaging %s: %w", o.Target.Name, err)
	}
	return path, f.Close()
}
