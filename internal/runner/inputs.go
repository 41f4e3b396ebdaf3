package runner

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/input"
	"github.com/vedette/vedette/internal/normalize"
)

// ErrInputs is returned (wrapped) by Detect when some inputs could not be
// read; the others were processed and their alerts written.
var ErrInputs = errors.New("inputs not read")

// source is one input, sorted by kind. A regular file is closed after it
// is sniffed and opened again to be read (in is nil); a pipe, FIFO or
// standard input stays open, since it can be read once only.
type source struct {
	name string
	in   *input.Input
	// data is a cloud-storage blob's new records (name is its full path),
	// the first of them record first+1 of the blob.
	data  []byte
	first int
}

// open returns the input, opening it again if it was parked.
func (s *source) open() (*input.Input, error) {
	if s.in != nil {
		in := s.in
		s.in = nil
		return in, nil
	}
	if s.data != nil {
		return input.FromBytes(s.name, s.data)
	}
	return input.Open(s.name)
}

// sortInputs opens every named input once, sniffs it from its buffered
// first bytes and sorts it into activity logs and flow logs (NSG/VNet,
// Zeek). An input that cannot be opened or is of a kind Vedette cannot
// read (a packet capture, an nfcapd file) is rejected with what to do.
func (env *Env) sortInputs(names []string, c *collector) (activity, flows []*source) {
	for _, name := range names {
		in, err := input.Open(name)
		if err == nil {
			err = input.Unsupported(in.Head())
		}
		if err != nil {
			if in != nil {
				in.Close()
			}
			c.inputFailed(name, err, env)
			continue
		}
		s := &source{name: name, in: in}
		if flowlog.IsFlowLogHead(in.Head()) {
			flows = append(flows, s)
		} else {
			activity = append(activity, s)
		}
		if in.Regular {
			in.Close()
			s.in = nil
		}
	}
	return activity, flows
}

// inputReason is the rejection reason for an input that failed as a whole.
func inputReason(err error) string {
	if errors.Is(err, flowlog.ErrFormat) {
		return "unknown-format"
	}
	return normalize.SourceReason(err)
}

// inputFailed counts, dead-letters and logs an input that failed whole.
func (c *collector) inputFailed(name string, err error, env *Env) {
	c.failed++
	if name == input.Stdin {
		name = "stdin"
	}
	c.Reject(normalize.Rejection{Source: name, Reason: inputReason(err), Detail: err.Error()})
	env.log.Warn("input skipped", "source", name, "err", err)
}

// inputsError reports the inputs that failed, for the exit code.
func inputsError(failed, total int) error {
	if failed == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d of %d (see the rejections above and rejected.jsonl)", ErrInputs, failed, total)
}

// flowSource names a flow input in its records: the file's base name.
func flowSource(in *input.Input) string {
	if in.Name == input.Stdin || in.Remote {
		return in.Source()
	}
	return filepath.Base(in.Name)
}
