package chunkread

import (
	"io"
	"sync"
)

// Pool is a fixed set of workers shared by every source being read, so
// that decoding uses every core however many sources there are.
type Pool struct {
	jobs    chan func(worker int)
	wg      sync.WaitGroup
	workers int
	bufs    sync.Pool // chunk buffers, recycled once decoded
}

// NewPool starts n workers (at least one).
func NewPool(n int) *Pool {
	n = max(n, 1)
	p := &Pool{jobs: make(chan func(int)), workers: n}
	p.wg.Add(n)
	for w := range n {
		go func() {
			defer p.wg.Done()
			for job := range p.jobs {
				job(w)
			}
		}()
	}
	return p
}

// Workers is the number of workers: a decode function keeps per-worker
// state indexed by it.
func (p *Pool) Workers() int { return p.workers }

// Close stops the workers once the jobs submitted are done. No source may
// be read after.
func (p *Pool) Close() {
	close(p.jobs)
	p.wg.Wait()
}

func (p *Pool) buffer(size int) []byte {
	if b, ok := p.bufs.Get().(*[]byte); ok {
		return *b
	}
	return make([]byte, 0, size+size/4)
}

// Recycle hands back a chunk's data once nothing refers to it: the
// next chunk read reuses it.
func (p *Pool) Recycle(b []byte) {
	b = b[:0]
	p.bufs.Put(&b)
}

// Results are the decoded chunks of one source, in chunk order.
type Results[R any] struct {
	futures chan chan R
	stop    chan struct{}
	once    sync.Once
	err     error // the read error that ended the source, set before futures closes
}

// Read cuts s into chunks in a goroutine of its own, decodes each on the
// pool with decode (called with the worker's index) and returns the
// results in order. The consumer hands each chunk's data back with
// Recycle once done with it. At most depth chunks are read ahead of the consumer.
func Read[R any](p *Pool, s *Splitter, depth int, decode func(worker int, c Chunk) R) *Results[R] {
	r := &Results[R]{futures: make(chan chan R, max(depth, 1)), stop: make(chan struct{})}
	go r.split(p, s, decode)
	return r
}

func (r *Results[R]) split(p *Pool, s *Splitter, decode func(int, Chunk) R) {
	defer close(r.futures)
	for {
		select {
		case <-r.stop:
			return
		default:
		}
		c, err := s.Next(p.buffer(s.size))
		if len(c.Data) > 0 || len(c.TooLong) > 0 {
			f := make(chan R, 1)
			select {
			case r.futures <- f:
			case <-r.stop:
				return
			}
			p.jobs <- func(w int) { f <- decode(w, c) }
		}
		if err != nil {
			if err != io.EOF {
				r.err = err
			}
			return
		}
	}
}

// Next returns the next chunk's result, or false after the last one.
func (r *Results[R]) Next() (R, bool) {
	f, ok := <-r.futures
	if !ok {
		var zero R
		return zero, false
	}
	return <-f, true
}

// Err is the read error that ended the source early, once Next has
// returned false; nil at a clean end.
func (r *Results[R]) Err() error { return r.err }

// Close stops reading ahead (a consumer that gives up on the source) and
// waits for the reading goroutine to let go of the source.
func (r *Results[R]) Close() {
	r.once.Do(func() { close(r.stop) })
	for f := range r.futures {
		<-f
	}
}
