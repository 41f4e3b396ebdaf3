//go:build !linux

package flowsource

import (
	"errors"
	"net"
)

// kernelFactor: elsewhere the buffer is not read back.
const kernelFactor = 1

// sockRcvbuf sets a UDP socket's receive buffer; reading it back and
// forcing it past the system cap are Linux's.
type sockRcvbuf struct{ conn *net.UDPConn }

func (s sockRcvbuf) set(n int) error   { return s.conn.SetReadBuffer(n) }
func (s sockRcvbuf) force(int) error   { return errors.ErrUnsupported }
func (s sockRcvbuf) get() (int, error) { return 0, errors.ErrUnsupported }
