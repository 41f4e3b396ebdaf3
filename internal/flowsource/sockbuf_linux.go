package flowsource

import (
	"net"
	"syscall"
)

// kernelFactor: Linux reports twice the receive buffer that was set.
const kernelFactor = 2

// sockRcvbuf sizes a UDP socket's receive buffer with setsockopt.
type sockRcvbuf struct{ conn *net.UDPConn }

func (s sockRcvbuf) set(n int) error { return s.conn.SetReadBuffer(n) }

func (s sockRcvbuf) force(n int) error {
	return s.control(func(fd int) error {
		return syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n)
	})
}

func (s sockRcvbuf) get() (int, error) {
	var n int
	err := s.control(func(fd int) (err error) {
		n, err = syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF)
		return err
	})
	return n, err
}

func (s sockRcvbuf) control(f func(fd int) error) error {
	raw, err := s.conn.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := raw.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
