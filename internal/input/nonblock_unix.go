//go:build unix

package input

import "syscall"

// nonBlock opens a FIFO's write end without waiting for a reader.
const nonBlock = syscall.O_NONBLOCK
