package firmware

import (
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// run runs a program and returns its output, failing the test on error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPackageContents reads each package as dpkg does: its control
// fields, its files with their owners and modes, its conffiles and its
// maintainer scripts.
func TestPackageContents(t *testing.T) {
	bins, debs := built(t)
	dpkgDeb := need(t, "dpkg-deb", "dpkg")
	want := map[string]string{ // path: mode owner/group
		"./usr/bin/ventd":                          "-rwxr-xr-x root/root",
		"./usr/bin/ventctl":                        "-rwxr-xr-x root/root",
		"./usr/bin/ventbench":                      "-rwxr-xr-x root/root",
		"." + UnitPath:                             "-rw-r--r-- root/root",
		"." + UdevPath:                             "-rw-r--r-- root/root",
		"." + ConfigPath:                           "-rw-r----- root/ventd",
		"./etc/ventd/":                             "drwxr-xr-x root/root",
		"./usr/share/ventd/config.txt":             "-rw-r--r-- root/root",
		"./usr/share/ventd/hardware-watchdog.conf": "-rw-r--r-- root/root",
		"./usr/share/ventd/example.yaml":           "-rw-r--r-- root/root",
		"./usr/share/doc/ventd/README.md":          "-rw-r--r-- root/root",
		"." + CopyrightPath:                        "-rw-r--r-- root/root",
	}
	for _, tg := range Targets {
		deb := debs[tg.Name]
		if filepath.Base(deb) != "ventd_1.0.0_"+tg.Name+".deb" {
			t.Errorf("package file %s", filepath.Base(deb))
		}
		fields := run(t, dpkgDeb, "-f", deb, "Package", "Version", "Architecture", "Pre-Depends")
		if fields != "Package: ventd\nVersion: 1.0.0\nArchitecture: "+tg.Deb+"\nPre-Depends: passwd\n" {
			t.Errorf("%s control fields:\n%s", tg.Name, fields)
		}
		got := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(run(t, dpkgDeb, "-c", deb)), "\n") {
			f := strings.Fields(line) // mode owner/group size date time path
			if len(f) == 6 {
				got[f[5]] = f[0] + " " + f[1]
			}
		}
		for p, w := range want {
			if got[p] != w {
				t.Errorf("%s: %s is %q, want %q", tg.Name, p, got[p], w)
			}
		}
		if strings.Contains(strings.Join(keys(got), " "), "/var/lib/ventd") {
			t.Errorf("%s: the package must not own /var/lib/ventd: dpkg would remove the journal with it", tg.Name)
		}
		ctrl := t.TempDir()
		run(t, dpkgDeb, "-e", deb, ctrl)
		if b, _ := os.ReadFile(filepath.Join(ctrl, "conffiles")); strings.TrimSpace(string(b)) != ConfigPath {
			t.Errorf("%s conffiles = %q, want %s alone", tg.Name, b, ConfigPath)
		}
		// The armv7 package's preinst refuses an ARMv6 CPU (it would die
		// of SIGILL); the others have no such check.
		if b, _ := os.ReadFile(filepath.Join(ctrl, "preinst")); strings.Contains(string(b), `"$(uname -m)" = armv6l`) != (tg.Name == "armv7") {
			t.Errorf("%s preinst: CPU check present = %v:\n%s", tg.Name, !(tg.Name == "armv7"), b)
		}
		for _, s := range []string{"preinst", "postinst", "prerm", "postrm"} {
			p := filepath.Join(ctrl, s)
			if !isExec(p) {
				t.Errorf("%s: %s missing or not executable", tg.Name, s)
				continue
			}
			// dash, /bin/sh on Debian: the scripts must be POSIX.
			if out, err := exec.Command("dash", "-n", p).CombinedOutput(); err != nil {
				t.Errorf("%s %s: %v\n%s", tg.Name, s, err, out)
			}
		}
		data := t.TempDir()
		run(t, dpkgDeb, "-x", deb, data)
		for _, c := range Commands {
			if sum(t, filepath.Join(data, "usr/bin", c)) != sum(t, filepath.Join(bins[tg.Name], c)) {
				t.Errorf("%s: packaged %s is not the one built", tg.Name, c)
			}
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sum(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// scratchRoot is an empty system for dpkg --root: a dpkg database and the
// account files a fresh image has (no i2c, gpio or ventd groups).
func scratchRoot(t *testing.T) string {
	t.Helper()
	r := t.TempDir()
	for _, d := range []string{"etc", "var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(r, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"etc/passwd":          "root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000::/home/pi:/bin/bash\n",
		"etc/group":           "root:x:0:\npi:x:1000:\n",
		"etc/shadow":          "root:*:19000:0:99999:7:::\npi:*:19000:0:99999:7:::\n",
		"etc/gshadow":         "root:*::\npi:!::\n",
		"var/lib/dpkg/status": "",
	}
	for p, s := range files {
		if err := os.WriteFile(filepath.Join(r, p), []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// dpkg runs the real dpkg on root. The maintainer scripts run outside a
// chroot with DPKG_ROOT set, as image builders run them, so they act on
// root alone (accounts, boot link) and never on this machine. The
// architecture is forced (the packages are ARM) and passwd, which the
// scratch root lacks, is provided by this machine.
func dpkg(t *testing.T, root string, args ...string) string {
	t.Helper()
	bin := need(t, "dpkg", "dpkg")
	need(t, "useradd", "passwd")
	need(t, "systemctl", "systemd")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("dpkg --root needs root to set file owners (CI=true, so this fails instead of skipping)")
		}
		t.Skip("dpkg --root needs root to set file owners: run as root")
	}
	all := append([]string{"--root=" + root, "--admindir=" + filepath.Join(root, "var/lib/dpkg"),
		"--force-script-chrootless", "--force-architecture", "--force-depends", "--log=" + filepath.Join(root, "dpkg.log")}, args...)
	cmd := exec.Command(bin, all...)
	cmd.Env = append(os.Environ(), "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entry returns the line for name in an account file, "" without one.
func entry(t *testing.T, root, file, name string) string {
	t.Helper()
	for _, l := range strings.Split(read(t, filepath.Join(root, "etc", file)), "\n") {
		if strings.HasPrefix(l, name+":") {
			return l
		}
	}
	return ""
}

// upgradePair is the arm64 binaries packed twice, as 1.0.0 with
// config/example.yaml and as 1.0.1 whose shipped config changed too, from
// a copy of the repository's packaging files. Uncompressed: dpkg's
// handling is what is tested, and gzip is the slow part.
var upgradePair struct {
	once   sync.Once
	v1, v2 string
	err    error
}

func packages(t *testing.T) (example, v1, v2 string) {
	t.Helper()
	bins, _ := built(t)
	src := root(t)
	example = read(t, filepath.Join(src, "config", "example.yaml"))
	upgradePair.once.Do(func() {
		pack := func(version, cfg string) (string, error) {
			r := filepath.Join(workDir, "repo-"+version)
			os.MkdirAll(filepath.Join(r, "config"), 0o755)
			if err := os.WriteFile(filepath.Join(r, "config", "example.yaml"), []byte(cfg), 0o644); err != nil {
				return "", err
			}
			os.Symlink(filepath.Join(src, "firmware"), filepath.Join(r, "firmware"))
			os.Symlink(filepath.Join(src, "README.md"), filepath.Join(r, "README.md"))
			s := stamp
			s.Version = version
			return Package(PackageOpts{Root: r, Bin: bins["arm64"], Target: Targets[0], Stamp: s, Out: r, Compression: "none", Module: src})
		}
		if upgradePair.v1, upgradePair.err = pack("1.0.0", example); upgradePair.err == nil {
			upgradePair.v2, upgradePair.err = pack("1.0.1", example+"\n# 1.0.1 documents a new key here.\n")
		}
	})
	if upgradePair.err != nil {
		t.Fatal(upgradePair.err)
	}
	return example, upgradePair.v1, upgradePair.v2
}

// TestInstallUpgradeRemove installs the package into a scratch root with
// the real dpkg, changes the site's config and writes a journal as ventd
// would, upgrades to a package whose shipped config changed too, and
// checks that the site's config and the journal survive the upgrade, and
// the journal even a purge.
func TestInstallUpgradeRemove(t *testing.T) {
	example, v1, v2 := packages(t)
	r := scratchRoot(t)

	out := dpkg(t, r, "-i", v1)
	if !strings.Contains(out, "ventd is installed and will start at boot") {
		t.Errorf("the first install does not tell the technician what to do next:\n%s", out)
	}
	user := entry(t, r, "passwd", "ventd")
	if f := strings.Split(user, ":"); len(f) != 7 || f[5] != "/var/lib/ventd" || f[6] != "/usr/sbin/nologin" {
		t.Errorf("ventd user %q: want a system account with home /var/lib/ventd and no login shell", user)
	}
	for _, g := range []string{"i2c", "gpio"} {
		if e := entry(t, r, "group", g); !strings.HasSuffix(e, ":ventd") {
			t.Errorf("group %s = %q: want it created, with ventd in it", g, e)
		}
	}
	if entry(t, r, "group", "ventd") == "" {
		t.Error("no ventd group")
	}
	if entry(t, r, "passwd", "pi") == "" || entry(t, r, "group", "pi") == "" {
		t.Error("the install lost an existing account")
	}
	link := filepath.Join(r, "etc/systemd/system/multi-user.target.wants/ventd.service")
	if dst, err := os.Readlink(link); err != nil || dst != UnitPath {
		t.Errorf("not enabled at boot: %s -> %q, %v", link, dst, err)
	}
	if fi, err := os.Stat(filepath.Join(r, ConfigPath)); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("%s: %v, mode %v; want 0640", ConfigPath, err, fi.Mode())
	} else if st, ok := fi.Sys().(*syscall.Stat_t); !ok || strconv.Itoa(int(st.Gid)) != strings.Split(entry(t, r, "group", "ventd"), ":")[2] {
		// dpkg --root looked the group name up in this machine's accounts:
		// the image's ventd could not read its config.
		t.Errorf("%s: group id %d, want the image's ventd group (%s)", ConfigPath, st.Gid, entry(t, r, "group", "ventd"))
	}
	if read(t, filepath.Join(r, ConfigPath)) != example {
		t.Error("the installed config is not config/example.yaml")
	}

	// The site describes its room; ventd keeps a journal.
	site := strings.Replace(example, `site: "Example OPS"`, `site: "Hope to Health"`, 1)
	if site == example {
		t.Fatal("config/example.yaml has no site line to change")
	}
	os.WriteFile(filepath.Join(r, ConfigPath), []byte(site), 0o640)
	journal := filepath.Join(r, "var/lib/ventd/journal.db")
	os.MkdirAll(filepath.Dir(journal), 0o750)
	os.WriteFile(journal, []byte("the exposure record"), 0o640)

	// An upgrade: the site's config stays (the shipped one, changed too,
	// lands beside it), and so does the journal.
	out = dpkg(t, r, "--force-confold", "-i", v2)
	if strings.Contains(out, "ventd is installed and will start at boot") {
		t.Error("the upgrade ran the first-install branch")
	}
	if read(t, filepath.Join(r, ConfigPath)) != site {
		t.Error("the upgrade replaced the site's config")
	}
	if !strings.Contains(read(t, filepath.Join(r, ConfigPath)+".dpkg-dist"), "1.0.1 documents") {
		t.Error("the new shipped config is not beside the site's as ventd.yaml.dpkg-dist")
	}
	if read(t, journal) != "the exposure record" {
		t.Error("the upgrade touched the journal")
	}
	if n := strings.Count(read(t, filepath.Join(r, "etc/passwd")), "\nventd:"); n != 1 {
		t.Errorf("%d ventd users after the upgrade, want 1", n)
	}
	if !strings.Contains(run(t, "dpkg-query", "--admindir="+filepath.Join(r, "var/lib/dpkg"), "-W", "ventd"), "1.0.1") {
		t.Error("dpkg does not list 1.0.1 as installed")
	}

	// Remove keeps the config and the boot link; purge removes both and
	// still keeps the journal.
	os.WriteFile(filepath.Join(r, "etc/ventd/mqtt-password"), []byte("secret\n"), 0o640)
	dpkg(t, r, "--remove", "ventd")
	if _, err := os.Stat(filepath.Join(r, "usr/bin/ventd")); err == nil {
		t.Error("ventd still installed after remove")
	}
	if read(t, filepath.Join(r, ConfigPath)) != site {
		t.Error("remove deleted the site's config")
	}
	out = dpkg(t, r, "--purge", "ventd")
	if _, err := os.Stat(filepath.Join(r, ConfigPath)); err == nil {
		t.Error("purge kept the config")
	}
	if _, err := os.Lstat(link); err == nil {
		t.Error("purge kept the boot link")
	}
	if read(t, journal) != "the exposure record" || !strings.Contains(out, "journal is kept") {
		t.Errorf("purge must keep the journal and say so:\n%s", out)
	}
	// And say what else it did: the config went, the accounts and a
	// file the site added stay.
	for _, want := range []string{"/etc/ventd/ventd.yaml and the boot link are removed", "install ventd again to export or verify it",
		"files added to /etc/ventd", "the user and group ventd"} {
		if !strings.Contains(out, want) {
			t.Errorf("purge does not say %q:\n%s", want, out)
		}
	}
}

// TestUpgradeTakesUnchangedConfig: a config the site never edited follows
// the package, as dpkg does for any conffile.
func TestUpgradeTakesUnchangedConfig(t *testing.T) {
	_, v1, v2 := packages(t)
	r := scratchRoot(t)
	dpkg(t, r, "-i", v1)
	dpkg(t, r, "-i", v2)
	if !strings.Contains(read(t, filepath.Join(r, ConfigPath)), "1.0.1 documents") {
		t.Error("an unedited config did not follow the upgrade")
	}
	if _, err := os.Stat(filepath.Join(r, ConfigPath) + ".dpkg-dist"); err == nil {
		t.Error("an unedited config left a .dpkg-dist beside it")
	}
}
