//go:build linux

// Command init is the first process of the virtual machine that
// testbench/kernelvm boots: it mounts what a test binary needs (/proc, /dev,
// the disk with the binary and the repository's test data), brings up the
// loopback interface, runs the command the disk's run file names, copies
// its output to the console and powers the machine off. It replaces a
// distribution's init because the measurement wants nothing else running.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const disk = "/mnt"

func main() {
	err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kernelvm init:", err)
	}
	unix.Sync()
	unix.Unmount(disk, 0)
	fmt.Fprintf(os.Stderr, "kernelvm init: powering off (%v)\n", err == nil)
	unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
}

func run() error {
	for _, m := range []struct{ src, dst, fstype string }{
		{"proc", "/proc", "proc"},
		{"sysfs", "/sys", "sysfs"},
		{"devtmpfs", "/dev", "devtmpfs"},
		{"tmpfs", "/run", "tmpfs"},
	} {
		os.MkdirAll(m.dst, 0o755)
		if err := unix.Mount(m.src, m.dst, m.fstype, 0, ""); err != nil {
			return fmt.Errorf("mount %s: %w", m.dst, err)
		}
	}
	// The disk's driver is a module in a distribution's kernel.
	if err := loadModule("/virtio_blk.ko.xz"); err != nil {
		return err
	}
	if err := mountDisk("/dev/vda"); err != nil {
		return err
	}
	if err := loopbackUp(); err != nil {
		return err
	}
	cmdline, err := readLines(filepath.Join(disk, "run"))
	if err != nil {
		return err
	}
	// The run file: the working directory, then environment lines
	// (NAME=value), then "--", then the command and its arguments.
	if len(cmdline) < 3 {
		return fmt.Errorf("%s/run: want a directory, environment, --, command", disk)
	}
	dir, rest := cmdline[0], cmdline[1:]
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + disk + "/home", "TMPDIR=" + disk + "/tmp"}
	for len(rest) > 0 && rest[0] != "--" {
		env = append(env, rest[0])
		rest = rest[1:]
	}
	if len(rest) < 2 {
		return fmt.Errorf("%s/run: no command after --", disk)
	}
	for _, d := range []string{"/home", "/tmp"} {
		if err := os.MkdirAll(disk+d, 0o755); err != nil {
			return err
		}
	}
	out, err := os.Create(filepath.Join(disk, "out.log"))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(rest[1], rest[2:]...)
	cmd.Dir = filepath.Join(disk, dir)
	cmd.Env = env
	w := io.MultiWriter(out, os.Stdout)
	cmd.Stdout, cmd.Stderr = w, w
	var uts unix.Utsname
	unix.Uname(&uts)
	fmt.Fprintf(w, "kernelvm: Linux %s %s\n", unix.ByteSliceToString(uts.Release[:]), unix.ByteSliceToString(uts.Machine[:]))
	err = cmd.Run()
	fmt.Fprintf(w, "kernelvm: exit %v\n", err)
	return out.Sync()
}

// loadModule loads a kernel module from a compressed file, which the
// kernel decompresses itself (MODULE_INIT_COMPRESSED_FILE).
func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), "", 4); err != nil && err != unix.EEXIST {
		return fmt.Errorf("loading %s: %w", path, err)
	}
	return nil
}

func mountDisk(dev string) error {
	os.MkdirAll(disk, 0o755)
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err = unix.Mount(dev, disk, "ext4", 0, ""); err == nil {
			return nil
		}
	}
	return fmt.Errorf("mount %s: %w", dev, err)
}

// loopbackUp brings lo up; the kernel gives it 127.0.0.1 itself.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP | unix.IFF_RUNNING)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	return nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}
