#!/bin/sh
# Runs a benchmark of cmd/ventd on another Linux kernel, in a virtual
# machine: the kernel decides how much of a program's code stays resident
# (fault-around, read-ahead, page-cache folios), and a site's Pi runs an
# older kernel than a developer's machine. The machine boots the kernel
# from a Debian kernel package with a one-process init
# (testbench/kernelvm/init), runs the test binary from an ext4 disk (a
# binary in memory would stay cached) and powers off; its output comes to
# this terminal and to OUT/out.log.
#
# Usage, from the repository's root:
#
#	apt-get download linux-image-6.12.113+deb12-cloud-amd64-unsigned
#	testbench/kernelvm/run.sh linux-image-*.deb -test.run '^$' -test.bench PiRSS -test.benchtime 1x -test.timeout 60m
#
# BEFORE=REV builds ventd at a git revision as well and runs it beside
# (VENTD_PIRSS_BEFORE). APPEND adds to the kernel's command line (say,
# transparent_hugepage=never).
# A Pi's processor: an arm64 kernel package (apt-get download
# linux-image-6.12.113+deb12-cloud-arm64-unsigned:arm64, after
# dpkg --add-architecture arm64) runs an arm64 build of the test binary.
# Needs qemu-system-x86 or qemu-system-arm (apt-get install ...), e2fsprogs
# and cpio; a kernel with the disk's driver as a module (virtio_blk) and
# ext4 built in, as Debian's are. The processor is emulated (TCG): a
# kernel's memory management runs as on hardware, only slower, and it runs
# where KVM does not (nested in another virtual machine, KVM failed to boot
# this kernel). ACCEL=kvm uses KVM instead.
set -eu
deb=$1
shift
w=$(mktemp -d "${TMPDIR:-/tmp}/kernelvm-XXXXXX")
echo "kernelvm: working in $w" >&2
dpkg-deb -x "$deb" "$w/k"
arch=$(dpkg-deb -f "$deb" Architecture)
export GOARCH="$arch"
vmlinuz=$(ls "$w"/k/boot/vmlinuz-*)
mkdir -p "$w/root" "$w/disk/repo/cmd/ventd" "$w/disk/repo/testbench"
CGO_ENABLED=0 go build -o "$w/root/init" ./testbench/kernelvm/init
cp "$(find "$w/k" -name 'virtio_blk.ko*' | head -1)" "$w/root/virtio_blk.ko.xz"
(cd "$w/root" && find . | cpio -o -H newc --quiet) > "$w/initrd"
CGO_ENABLED=0 go test -c -o "$w/disk/repo/cmd/ventd/ventd.test" ./cmd/ventd
CGO_ENABLED=0 go build -trimpath -o "$w/disk/ventd" ./cmd/ventd
cp -r testbench/rooms "$w/disk/repo/testbench/"
{
	echo repo/cmd/ventd
	echo VENTD_PIRSS_BUILD=/mnt/ventd
	if [ -n "${BEFORE:-}" ]; then
		# A copy of the revision's tree, not a worktree: nothing to undo
		# if the build fails.
		mkdir "$w/before"
		git archive "$BEFORE" | tar -x -C "$w/before"
		(cd "$w/before" && CGO_ENABLED=0 go build -trimpath -o "$w/disk/ventd-before" ./cmd/ventd)
		rm -rf "$w/before"
		echo VENTD_PIRSS_BEFORE=/mnt/ventd-before
	fi
	echo --
	echo /mnt/repo/cmd/ventd/ventd.test
	for a in "$@"; do echo "$a"; done
} > "$w/disk/run"
mkfs.ext4 -q -d "$w/disk" "$w/disk.img" 4G
case $arch/${ACCEL:-tcg} in
amd64/kvm) qemu="qemu-system-x86_64 -accel kvm -cpu host" console=ttyS0 ;;
amd64/*) qemu="qemu-system-x86_64 -accel tcg,thread=multi -cpu max" console=ttyS0 ;;
arm64/*) qemu="qemu-system-aarch64 -M virt -accel tcg,thread=multi -cpu cortex-a72" console=ttyAMA0 ;;
*)
	echo "kernelvm: no machine for $arch" >&2
	exit 2
	;;
esac
# shellcheck disable=SC2086 # qemu is a command and its options
$qemu -m 2048 -smp 2 \
	-kernel "$vmlinuz" -initrd "$w/initrd" -append "console=$console quiet panic=-1 ${APPEND:-}" \
	-drive "file=$w/disk.img,if=none,id=disk,format=raw" -device virtio-blk-pci,drive=disk \
	-nographic -no-reboot
debugfs -R "cat /out.log" "$w/disk.img" > "$w/out.log" 2>/dev/null || true
echo "kernelvm: output in $w/out.log" >&2
