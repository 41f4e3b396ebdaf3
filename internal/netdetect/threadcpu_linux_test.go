package netdetect

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time (user + system) the calling OS thread has
// used so far; the caller locks its goroutine to the thread. Unlike wall
// time it leaves out the waits for a core on a shared machine, and unlike
// the process's CPU time it leaves out the garbage collector's background
// workers.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
