package ctlsock

import (
	"context"
	"net"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/ventd/ventd/record"
)

// The kernel tells who is at the other end of a unix socket (SO_PEERCRED):
// the journal records that uid beside the name a client claims, so
// `-who 'WorkSafe auditor'` is never the only evidence of who acted.

type peerKey struct{}

// peer is the connecting process as the kernel reports it.
type peer struct {
	uid uint32
	pid int32
	ok  bool
}

// withPeer stores the connection's peer credentials in its context.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ctx
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return ctx
	}
	var p peer
	raw.Control(func(fd uintptr) {
		cred, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		if err == nil {
			p = peer{uid: cred.Uid, pid: cred.Pid, ok: true}
		}
	})
	return context.WithValue(ctx, peerKey{}, p)
}

// actor is who asks: the claimed name, and the uid and pid the kernel
// reports for the connection.
func actor(ctx context.Context, who string) record.Actor {
	a := record.Actor{Name: who, Via: "socket"}
	if p, ok := ctx.Value(peerKey{}).(peer); ok && p.ok {
		uid := p.uid
		a.UID = &uid
		a.From = "pid " + strconv.Itoa(int(p.pid))
	}
	return a
}
