//go:build !linux

package netdetect

import "time"

var cpuStart = time.Now()

// threadCPU falls back to wall time where the thread CPU clock is not used.
func threadCPU() time.Duration { return time.Since(cpuStart) }
