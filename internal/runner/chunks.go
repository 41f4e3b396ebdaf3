package runner

import (
	"fmt"
	"sync"

	"github.com/vedette/vedette/internal/chunkread"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/input"
	"github.com/vedette/vedette/internal/normalize"
)

// chunkResult is what was made of a chunk of an activity input: its
// events and rejections, in the order they were produced.
type chunkResult struct {
	events []*event.Event
	rejs   []normalize.Rejection
	rejAt  []int // events produced before each rejection
	// state is the input's reading state after the chunk (JSON lines;
	// decoded from normalize.Recognized() unless it is the first chunk).
	state normalize.LinesState
	err   error // the input failed here (unknown format, read error)
	// chunk is the JSON lines decoded, kept until the result is used: it
	// is decoded again if the input's first chunks recognized nothing.
	chunk chunkread.Chunk
	// whole is set for an input read by normalize.Read (not in chunks):
	// last marks its final result, with the format.
	whole, last bool
	format      normalize.Format
}

// resultSink collects a chunk's events and rejections; first offsets the
// record numbers (a cloud blob's new part).
type resultSink struct {
	r     *chunkResult
	first int
}

func (s resultSink) Event(e *event.Event) {
	e.Origin.Record += s.first
	s.r.events = append(s.r.events, e)
}

func (s resultSink) Reject(r normalize.Rejection) {
	if r.Record > 0 {
		r.Record += s.first
	}
	s.r.rejs = append(s.r.rejs, r)
	s.r.rejAt = append(s.r.rejAt, len(s.r.events))
}

// chunkStream is an input's results in order.
type chunkStream interface {
	Next() (chunkResult, bool)
	Close()
}

// readLines reads a JSON-lines input in chunks decoded on the pool. The
// first chunk is decoded from the start of the input, the others as if a
// record had been recognized before them, which the consumer checks.
// The workers also enrich the events they decode (enrichwork.go).
func (env *Env) readLines(pool *chunkread.Pool, decoders []*normalize.LineDecoder, in *input.Input, first int, chunkSize, depth int) *chunkread.Results[chunkResult] {
	source := in.Source()
	sp := chunkread.NewSplitter(in.Reader(), chunkSize, normalize.MaxLine, 1)
	enr := env.workerEnrichers(len(decoders))
	return chunkread.Read(pool, sp, depth, func(w int, c chunkread.Chunk) chunkResult {
		st := normalize.Recognized()
		if c.Seq == 0 {
			st = normalize.LinesState{}
		}
		r := decodeChunk(decoders[w], source, c, st, first)
		enrichAll(enr[w], r.events)
		return r
	})
}

// eventSlices are the emptied slices chunk results handed their events
// over in: an input takes a chunk's events one at a time, then puts its
// slice back for a worker to fill again (it grew to a chunk's events).
var eventSlices sync.Pool

// takeEventSlice returns an empty slice to collect a chunk's events in.
func takeEventSlice() []*event.Event {
	if l, ok := eventSlices.Get().(*[]*event.Event); ok {
		return *l
	}
	return nil
}

// putEventSlice hands back l, whose events were all taken (and cleared).
func putEventSlice(l []*event.Event) {
	if cap(l) > 0 {
		l = l[:0]
		eventSlices.Put(&l)
	}
}

func decodeChunk(d *normalize.LineDecoder, source string, c chunkread.Chunk, st normalize.LinesState, first int) chunkResult {
	r := chunkResult{chunk: c, events: takeEventSlice()}
	r.state, r.err = d.Decode(source, c.Data, c.First, c.TooLong, st, resultSink{&r, first})
	return r
}

// wholeStream reads an input normalize.Read must read whole (CSV, a JSON
// document): in a goroutine of its own, handing its events over in
// batches.
type wholeStream struct {
	ch   chan chunkResult
	stop chan struct{}
}

// wholeBatch is how many events a wholeStream result holds.
const wholeBatch = 1024

func readWhole(in *input.Input, first, depth int) *wholeStream {
	w := &wholeStream{ch: make(chan chunkResult, depth), stop: make(chan struct{})}
	go func() {
		defer close(w.ch)
		b := &batcher{w: w, first: first}
		format, err := normalize.Read(in.Source(), in.Reader(), b)
		b.cur.whole, b.cur.last, b.cur.format, b.cur.err = true, true, format, err
		b.send()
	}()
	return w
}

// batcher is the normalize.Sink of a wholeStream.
type batcher struct {
	w     *wholeStream
	cur   chunkResult
	first int
	done  bool // the consumer gave up
}

func (b *batcher) Event(e *event.Event) {
	resultSink{&b.cur, b.first}.Event(e)
	if len(b.cur.events) >= wholeBatch {
		b.send()
	}
}

func (b *batcher) Reject(r normalize.Rejection) { resultSink{&b.cur, b.first}.Reject(r) }

func (b *batcher) send() {
	if !b.done {
		b.cur.whole = true
		select {
		case b.w.ch <- b.cur:
		case <-b.w.stop:
			b.done = true
		}
	}
	b.cur = chunkResult{}
}

func (w *wholeStream) Next() (chunkResult, bool) {
	r, ok := <-w.ch
	return r, ok
}

func (w *wholeStream) Close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	for range w.ch {
	}
}

// readError wraps an input's read error as normalize.Read does.
func readError(source string, err error) error {
	return fmt.Errorf("normalize: %s: %w", source, err)
}
