//go:build !linux

package netdetect

import "time"

// threadCPU is not measured outside Linux: 0.
func threadCPU() time.Duration { return 0 }
