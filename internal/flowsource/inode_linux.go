package flowsource

import (
	"fmt"
	"net"
	"syscall"
)

// socketInode returns the inode of conn's socket, its key in /proc/net/udp.
func socketInode(conn *net.UDPConn) (uint64, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("flowsource: socket inode: %w", err)
	}
	var st syscall.Stat_t
	var serr error
	if err := raw.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), &st) }); err != nil {
		return 0, fmt.Errorf("flowsource: socket inode: %w", err)
	}
	if serr != nil {
		return 0, fmt.Errorf("flowsource: socket inode: %w", serr)
	}
	return st.Ino, nil
}
