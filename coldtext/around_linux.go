package coldtext

import (
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The userfaultfd interface (linux/userfaultfd.h). golang.org/x/sys has
// the system call's number but not these; they are the same on every
// architecture ventd builds for.
const (
	uffdAPI            = 0xaa
	uffdUserModeOnly   = 1          // UFFD_USER_MODE_ONLY: no kernel-mode faults, so no privilege needed
	uffdFeatureWPAsync = 1 << 15    // UFFD_FEATURE_WP_ASYNC (Linux 6.7)
	uffdRegisterWP     = 1 << 1     // UFFDIO_REGISTER_MODE_WP
	uffdioAPI          = 0xc018aa3f // _IOWR(0xaa, 0x3f, struct uffdio_api)
	uffdioRegister     = 0xc020aa00 // _IOWR(0xaa, 0x00, struct uffdio_register)
)

type uffdioAPIArg struct{ api, features, ioctls uint64 }

type uffdioRegisterArg struct{ start, len, mode, ioctls uint64 }

// NoFaultAround stops the kernel mapping the pages around each page of the
// executable's code and tables that the program touches ("fault-around",
// 64 KiB by default, and a whole large page-cache folio on kernels that
// keep the file in them), so the file pages resident are the pages the
// program runs, 4 KiB at a time, and not the 64 KiB blocks around them.
//
// The kernel offers no switch for one mapping; it skips fault-around on a
// mapping registered with userfaultfd for write protection. With the
// asynchronous mode (Linux 6.7), a write to a protected page is resolved
// by the kernel itself, with no thread to answer it, and a read-only
// mapping is never written, nor is any page protected: the registration
// only changes how a read fault maps pages. The registration lasts while
// the file descriptor is open, which is the life of the process.
//
// On an older kernel, one built without userfaultfd or its write
// protection for the machine (32-bit ARM has none), or where a system
// call filter refuses userfaultfd, it returns an error and nothing
// changes. Calls after the first return the first one's result.
func NoFaultAround() error {
	around.once.Do(func() { around.err = noFaultAround() })
	return around.err
}

var around struct {
	once sync.Once
	err  error
}

func noFaultAround() error {
	ms, err := ownReadOnly()
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return fmt.Errorf("coldtext: the executable's code is not in /proc/self/maps")
	}
	fd, _, e := syscall.Syscall(unix.SYS_USERFAULTFD, uintptr(syscall.O_CLOEXEC|uffdUserModeOnly), 0, 0)
	if e != 0 {
		return fmt.Errorf("coldtext: userfaultfd: %w", e)
	}
	api := uffdioAPIArg{api: uffdAPI, features: uffdFeatureWPAsync}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, uffdioAPI, uintptr(unsafe.Pointer(&api))); e != 0 {
		syscall.Close(int(fd))
		return fmt.Errorf("coldtext: userfaultfd: asynchronous write protection: %w", e)
	}
	for _, m := range ms {
		reg := uffdioRegisterArg{start: uint64(m.start), len: uint64(m.end - m.start), mode: uffdRegisterWP}
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, uffdioRegister, uintptr(unsafe.Pointer(&reg))); e != 0 {
			// Closing the descriptor undoes the mappings registered.
			syscall.Close(int(fd))
			return fmt.Errorf("coldtext: userfaultfd: register %#x-%#x: %w", m.start, m.end, e)
		}
	}
	// Kept open, unreferenced, for the life of the process.
	return nil
}
