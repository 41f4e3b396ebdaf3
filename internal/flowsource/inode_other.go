//go:build !linux

package flowsource

import "net"

// socketInode: only Linux exposes per-socket drops in /proc/net/udp.
func socketInode(*net.UDPConn) (uint64, error) { return 0, ErrNoKernelDrops }
