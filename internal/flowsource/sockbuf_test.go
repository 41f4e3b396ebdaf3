package flowsource

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vedette/vedette/internal/flow"
)

// fakeKernel models Linux's receive buffer: SO_RCVBUF is capped at
// rmemMax, SO_RCVBUFFORCE needs privilege, and the value read back is
// kernelFactor times what was set.
type fakeKernel struct {
	rmemMax, def int
	privileged   bool
	getErr       error
	buf          int
}

func (k *fakeKernel) set(n int) error { k.buf = min(n, k.rmemMax) * kernelFactor; return nil }
func (k *fakeKernel) force(n int) error {
	if !k.privileged {
		return syscall.EPERM
	}
	k.buf = n * kernelFactor
	return nil
}

func (k *fakeKernel) get() (int, error) {
	if k.buf == 0 {
		k.buf = k.def
	}
	return k.buf, k.getErr
}

func TestSizeBuffer(t *testing.T) {
	t.Parallel()
	const def, rmemMax = 212992, 4 << 20
	tests := []struct {
		name       string
		want       int
		privileged bool
		getErr     error
		out        Buffer
		err        bool
	}{
		{"under the cap", 1 << 20, false, nil, Buffer{Requested: 1 << 20, Effective: 1 << 20 * kernelFactor}, false},
		{"capped, unprivileged", 16 << 20, false, nil, Buffer{Requested: 16 << 20, Effective: rmemMax * kernelFactor, Capped: true}, false},
		{"capped, forced", 16 << 20, true, nil, Buffer{Requested: 16 << 20, Effective: 16 << 20 * kernelFactor, Forced: true}, false},
		{"OS default kept", 0, true, nil, Buffer{Effective: def}, false},
		{"cannot read back here", 16 << 20, true, errors.ErrUnsupported, Buffer{Requested: 16 << 20}, false},
		{"read back fails", 16 << 20, true, syscall.EBADF, Buffer{Requested: 16 << 20}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := &fakeKernel{rmemMax: rmemMax, def: def, privileged: tt.privileged, getErr: tt.getErr}
			got, err := sizeBuffer(k, tt.want)
			if (err != nil) != tt.err || got != tt.out {
				t.Errorf("sizeBuffer = %+v, %v; want %+v, error %v", got, err, tt.out, tt.err)
			}
		})
	}
}

// On a real socket, what the collector reports is what the kernel reads
// back, and an uncapped request is met.
func TestCollectorBuffers(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0", "[::1]:0"}
	cfg.ReadBuffer = 2 << 20
	c, err := New(cfg, Deps{Consumer: func([]flow.Record) {}})
	if err != nil {
		if strings.Contains(err.Error(), "::1") {
			t.Skip("no IPv6 loopback")
		}
		t.Fatal(err)
	}
	defer c.close()
	bufs := c.Buffers()
	for i, b := range bufs {
		got, err := sockRcvbuf{c.conns[i]}.get()
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skip("receive buffers are not read back on this OS")
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", b)
		if b.Listen != c.LocalAddrs()[i] || b.Requested != cfg.ReadBuffer || b.Effective != got {
			t.Errorf("socket %d: reported %+v, kernel reads back %d", i, b, got)
		}
		if !b.Capped && b.Effective < cfg.ReadBuffer {
			t.Errorf("socket %d: %d bytes effective, %d asked, not reported capped", i, b.Effective, cfg.ReadBuffer)
		}
	}
}

func TestWarnCappedNamesTheSysctl(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	c := &Collector{log: slog.New(slog.NewTextHandler(&out, nil))}
	c.warnCapped(Buffer{Requested: 16 << 20, Effective: 8 << 20, Capped: true})
	if !strings.Contains(out.String(), "sysctl -w net.core.rmem_max=16777216") {
		t.Errorf("warning %q does not name the sysctl", out.String())
	}
}

// Past net.core.rmem_max the buffer is forced when this process may
// (CAP_NET_ADMIN), and otherwise reported capped at the sysctl.
func TestCollectorBufferPastRmemMax(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("/proc/sys/net/core/rmem_max")
	if err != nil {
		t.Skip("no net.core.rmem_max here")
	}
	rmemMax, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.ReadBuffer = 2 * rmemMax
	var logged bytes.Buffer
	c, err := New(cfg, Deps{Consumer: func([]flow.Record) {}, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	b := c.Buffers()[0]
	t.Logf("rmem_max %d: %+v", rmemMax, b)
	switch {
	case b.Forced && !b.Capped && b.Effective == 2*rmemMax*kernelFactor && logged.Len() == 0:
	case !b.Forced && b.Capped && b.Effective == rmemMax*kernelFactor && strings.Contains(logged.String(), "net.core.rmem_max="+strconv.Itoa(2*rmemMax)):
	default:
		t.Errorf("asked %d past rmem_max %d: %+v, logged %q", cfg.ReadBuffer, rmemMax, b, logged.String())
	}
}
