package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// execRefusingUserfaultfd runs the program args[0] with args under a
// system call filter that refuses userfaultfd as a kernel built without
// it does (ENOSYS), and returns only if it could not: ventd then keeps
// the kernel's fault-around (coldtext.NoFaultAround fails), as on a kernel
// older than 6.7, one without userfaultfd's write protection for its
// machine (a Pi's, likely), or under a filter that refuses it.
// BenchmarkPiRSS measures ventd so beside ventd on this machine's kernel.
func execRefusingUserfaultfd(args []string) error {
	// The filter binds the thread that installs it, and the program
	// exec'd from that thread.
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no new privileges: %w", err)
	}
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: unix.SYS_USERFAULTFD},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&fprog)), 0, 0); err != nil {
		return fmt.Errorf("system call filter: %w", err)
	}
	return syscall.Exec(args[0], args, os.Environ())
}
