package runner

import (
	"io"

	"github.com/vedette/vedette/internal/chunkread"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/input"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/recycle"
)

// inputLog is what an activity input's rejections and events read go
// to. An input read again from its start is counted once: a run that
// starts over (an input out of order, see detectActivity) counts it
// again but does not write the rejections the first attempt wrote to
// rejected.jsonl twice; an input opened again within an attempt (see
// lazyInput) counts only what the earlier reading had not reached.
type inputLog struct {
	c        *collector
	examples []normalize.Rejection // the input's first few, for the summary
	seen     int                   // rejections in this reading
	counted  int                   // rejections counted in this attempt
	written  int                   // written to rejected.jsonl by any attempt
	read     int                   // events kept in this reading
	readUpTo int                   // events counted in this attempt
	// peek marks the log of an input read for its first event only:
	// nothing is counted, written or logged.
	peek bool
}

// reject takes a rejection; fresh reports whether it was counted.
func (l *inputLog) reject(r normalize.Rejection) (fresh bool) {
	if l.peek {
		return false
	}
	l.seen++
	if fresh = l.seen > l.counted; fresh {
		l.counted = l.seen
		l.c.sum.Rejected[r.Reason]++
		if len(l.examples) < 5 {
			l.examples = append(l.examples, r)
		}
	}
	if l.seen > l.written {
		l.c.dead.add(r)
		l.written = l.seen
	}
	return fresh
}

// kept counts n events kept and returns how many of them were not
// counted yet in this attempt.
func (l *inputLog) kept(n int) int {
	l.read += n
	fresh := max(l.read-l.readUpTo, 0)
	l.readUpTo += fresh
	return fresh
}

// failed counts an input that failed, once in an attempt, logged once over
// the attempts.
func (l *inputLog) failed(name string, err error, env *Env) {
	if l.peek {
		return
	}
	if name == input.Stdin {
		name = "stdin"
	}
	repeat := l.seen < l.written
	if l.reject(normalize.Rejection{Source: name, Reason: inputReason(err), Detail: err.Error()}) {
		l.c.failed++
	}
	if !repeat {
		env.log.Warn("input skipped", "source", name, "err", err)
	}
}

// reread readies the log for the input read again in the same attempt.
func (l *inputLog) reread() { l.seen, l.read = 0, 0 }

// restart readies the log for the next attempt.
func (l *inputLog) restart() {
	l.seen, l.counted, l.read, l.readUpTo, l.examples = 0, 0, 0, 0, nil
}

// activityInput yields an activity input's events in the order read,
// after the time trust gate; its rejections go to its log as they are met.
// Whatever goes wrong with the input ends it (counted as failed), never
// the run: the events read before are kept, as when it was read whole.
type activityInput struct {
	env      *Env
	s        *source
	in       *input.Input
	stream   chunkStream
	log      *inputLog
	gate     *gate
	read     *int // the run's events read
	prog     *progress
	decoders []*normalize.LineDecoder
	own      *normalize.LineDecoder // for chunks decoded again, on the consumer's goroutine
	pool     *chunkread.Pool
	rec      *recycle.Pool // where the events the time gate rejects go
	first    int
	state    normalize.LinesState
	cur      []*event.Event
	i        int
	done     bool
}

// Next implements merge.Source.
func (a *activityInput) Next() (*event.Event, error) {
	for a.i == len(a.cur) {
		if a.done || !a.advance() {
			a.close()
			return nil, io.EOF
		}
	}
	e := a.cur[a.i]
	a.cur[a.i] = nil
	a.i++
	return e, nil
}

// advance takes the next chunk's result; false at the end of the input.
func (a *activityInput) advance() bool {
	r, ok := a.stream.Next()
	if !ok {
		a.finish()
		return false
	}
	if !r.whole {
		r = a.resolve(r)
	}
	a.use(r)
	if r.chunk.Data != nil {
		a.pool.Recycle(r.chunk.Data)
	}
	switch {
	case r.err != nil:
		a.log.failed(a.s.name, r.err, a.env)
		a.done = true
	case r.last:
		a.log.c.sum.Formats[a.in.Source()] = string(r.format)
	}
	return true
}

// resolve makes a JSON-lines chunk's result what a sequential read gives:
// a chunk decoded as if a record had been recognized before it is decoded
// again when none was.
func (a *activityInput) resolve(r chunkResult) chunkResult {
	switch {
	case r.chunk.Seq == 0:
		a.state = r.state
	case a.state.IsRecognized():
		a.state = a.state.Then(r.state)
	default:
		if a.own == nil {
			a.own = normalize.NewLineDecoder()
		}
		r = decodeChunk(a.own, a.in.Source(), r.chunk, a.state, a.first)
		a.state = r.state
	}
	return r
}

// use sends the result's rejections to the log and keeps the events the
// time gate trusts, in the order they were produced.
func (a *activityInput) use(r chunkResult) {
	kept := r.events[:0]
	next := 0
	for i, e := range r.events {
		for ; next < len(r.rejs) && r.rejAt[next] <= i; next++ {
			a.log.reject(r.rejs[next])
		}
		if rej, ok := a.gate.event(e); !ok {
			a.log.reject(rej)
			a.rec.Release(e)
			continue
		}
		kept = append(kept, e)
	}
	for ; next < len(r.rejs); next++ {
		a.log.reject(r.rejs[next])
	}
	clear(r.events[len(kept):])
	*a.read += a.log.kept(len(kept))
	a.prog.readSome()
	putEventSlice(a.cur) // each of its events was taken, and cleared
	a.cur, a.i = kept, 0
}

// finish ends a JSON-lines input: a read error, or nothing recognized,
// fails it; otherwise its format is recorded.
func (a *activityInput) finish() {
	if a.done {
		return
	}
	a.done = true
	if res, ok := a.stream.(*chunkread.Results[chunkResult]); ok {
		err := res.Err()
		if err != nil {
			err = readError(a.in.Source(), err)
		} else {
			err = a.state.Finish(a.in.Source())
		}
		if err != nil {
			a.log.failed(a.s.name, err, a.env)
			return
		}
		a.log.c.sum.Formats[a.in.Source()] = string(a.state.Format)
	}
}

// close stops reading and releases the input; safe to call twice. An
// input given up on before its end (an abandoned attempt) is interrupted
// first: its reader or parser stops at once, not at the input's end,
// which a pipe whose writer goes on or waits may never reach.
func (a *activityInput) close() {
	if a.in != nil {
		a.in.Interrupt()
	}
	if a.stream != nil {
		a.stream.Close()
		a.stream = nil
	}
	if a.in != nil {
		a.in.Close()
		a.in = nil
	}
}
