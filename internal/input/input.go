// Package input opens what `vedette detect` is given: files, "-" for
// standard input, FIFOs and /dev/stdin. Each is opened once, gunzipped
// behind a decompression-ratio guard, and its first bytes are kept in a
// buffer so the format can be sniffed without consuming them: a pipe
// cannot be read twice.
package input

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
	"time"
)

// HeadSize is how much of the decompressed input Head holds.
const HeadSize = 64 << 10

// FIFOWait is how long Open waits for a writer to open a FIFO.
var FIFOWait = 10 * time.Second

// ErrNoWriter is returned (wrapped) when a FIFO has no writer in FIFOWait.
var ErrNoWriter = errors.New("no writer")

// ErrInterrupted is what reading an input returns once Interrupt was
// called.
var ErrInterrupted = errors.New("input: reading interrupted")

// Stdin is the name that means standard input.
const Stdin = "-"

// Input is one opened input.
type Input struct {
	Name string
	// Regular is true for a regular file, which can be opened again (a
	// caller holding many may close it after sniffing and reopen it).
	Regular bool
	// Remote is true for an input read from cloud storage (FromBytes):
	// its name is a full blob or object path.
	Remote bool
	f      *os.File
	src    *stoppable // f, as read
	br     *bufio.Reader
	done   func()
	head   []byte
}

// Open opens name ("-" is standard input), gunzips it when it starts with
// the gzip magic and buffers its first HeadSize decompressed bytes.
func Open(name string) (*Input, error) {
	f, err := openFile(name)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	src := &stoppable{r: f}
	br, done, err := Gunzip(src, HeadSize)
	if err != nil {
		if name != Stdin {
			f.Close()
		}
		return nil, fmt.Errorf("input: %s: %w", name, err)
	}
	in := &Input{Name: name, f: f, src: src, br: br, done: done}
	if st, serr := f.Stat(); serr == nil {
		in.Regular = st.Mode().IsRegular() && name != Stdin
	}
	in.head, err = br.Peek(HeadSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		in.Close()
		return nil, fmt.Errorf("input: %s: %w", name, err)
	}
	return in, nil
}

// Head is the first bytes of the decompressed input (up to HeadSize), not
// consumed: Reader still returns them.
func (in *Input) Head() []byte { return in.head }

// Reader reads the decompressed input from its first byte.
func (in *Input) Reader() io.Reader { return in.br }

// Source is how records and rejections name the input: its path, or
// "stdin".
func (in *Input) Source() string {
	if in.Name == Stdin {
		return "stdin"
	}
	return in.Name
}

// Interrupt makes every read of the input from now on fail with
// ErrInterrupted, and one waiting for data (a pipe, a FIFO, standard
// input when it can be polled) return at once: the reader of an input
// given up on stops promptly, whatever writes to it. Safe to call while
// another goroutine reads; the input must still be closed.
func (in *Input) Interrupt() {
	if in.src == nil {
		return
	}
	in.src.stopped.Store(true)
	// A past deadline wakes a read waiting in the poller; a file that
	// cannot be polled (a regular file, whose reads do not wait) refuses it.
	if in.f != nil {
		_ = in.f.SetReadDeadline(time.Unix(1, 0))
	}
}

// Close releases the input (standard input stays open, its deadline
// cleared).
func (in *Input) Close() error {
	in.done()
	if in.f == nil {
		return nil
	}
	if in.Name == Stdin {
		_ = in.f.SetReadDeadline(time.Time{})
		return nil
	}
	return in.f.Close()
}

// stoppable reads r until stopped.
type stoppable struct {
	r       io.Reader
	stopped atomic.Bool
}

func (s *stoppable) Read(p []byte) (int, error) {
	if s.stopped.Load() {
		return 0, ErrInterrupted
	}
	n, err := s.r.Read(p)
	if err != nil && s.stopped.Load() {
		err = ErrInterrupted
	}
	return n, err
}

// openFile opens name for reading; a FIFO is given FIFOWait for a writer.
func openFile(name string) (*os.File, error) {
	if name == Stdin {
		return os.Stdin, nil
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	switch {
	case st.IsDir():
		return nil, fmt.Errorf("%s: is a directory", name)
	case st.Mode()&fs.ModeNamedPipe != 0:
		return openFIFO(name, FIFOWait)
	}
	return os.Open(name)
}

// openFIFO opens a FIFO, which blocks until a writer opens it. If none has
// after wait, it opens the write end itself so the blocked open returns,
// closes both and reports ErrNoWriter.
func openFIFO(name string, wait time.Duration) (*os.File, error) {
	type result struct {
		f   *os.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := os.Open(name)
		ch <- result{f, err}
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.f, r.err
	case <-timer.C:
	}
	err := fmt.Errorf("%s: FIFO: %w in %s (start the program that writes to it first)", name, ErrNoWriter, wait)
	w, werr := os.OpenFile(name, os.O_WRONLY|nonBlock, 0)
	if werr != nil {
		return nil, err // the blocked open stays blocked: never wait on it
	}
	w.Close()
	if r := <-ch; r.f != nil {
		r.f.Close()
	}
	return nil, err
}
