package normalize

import (
	"errors"
	"fmt"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/input"
)

// maxUnknownLead is how many unrecognized records may open a source before
// it is declared of unknown format. Until a record is recognized, their
// rejections are held back, so a file of another format yields one error
// instead of a rejection per record.
const maxUnknownLead = 64

var errTooManyUnknown = fmt.Errorf("%w: no supported record in the first %d", ErrUnknownFormat, maxUnknownLead)

// reader holds the state of one Read call.
type reader struct {
	source     string
	sink       Sink
	format     Format
	recognized int
	pending    []Rejection // unknown-record rejections held until a record is recognized
	fast       *fastDecoder
	scratch    rawRecord      // the record being decoded by fast, reused
	strs       strtab         // copies of the strings events keep
	keyBuf     []byte         // what a content key is computed from
	events     []event.Event  // the block events are taken from
	nextEvent  int            // the next event of the block to hand out
	free       []*event.Event // released events to reuse before the block
	recycled   Recycled       // where free is refilled from; nil: nowhere
}

// Recycled hands out events their last holder released (detect's
// pipeline, see package recycle), in batches: used is the caller's
// previous batch, emptied. It returns nil when none is waiting.
type Recycled interface {
	Take(used []*event.Event) []*event.Event
}

// eventBlock is how many events are allocated at a time, at most: one
// allocation instead of one per record. Blocks double from one event up
// to it, so that a source of one record (a Kafka message) pays for one.
// A block stays in memory while any of its events is referenced, at most
// eventBlock-1 events (≈15 KB) more than the holder keeps: sinks keep
// events in arrival order and drop them in about that order (the reorder
// window, detect's run).
const eventBlock = 32

// newEvent returns a zero event of its own: a released one when there is
// one, else the block's next.
func (rd *reader) newEvent() *event.Event {
	if len(rd.free) == 0 && rd.nextEvent == len(rd.events) && !rd.refill() {
		n := min(2*len(rd.events), eventBlock)
		rd.events, rd.nextEvent = make([]event.Event, max(n, 1)), 0
	}
	if n := len(rd.free); n > 0 {
		e := rd.free[n-1]
		rd.free = rd.free[:n-1]
		*e = event.Event{}
		return e
	}
	rd.nextEvent++
	return &rd.events[rd.nextEvent-1]
}

// refill takes a batch of released events, if one is waiting.
func (rd *reader) refill() bool {
	if rd.recycled == nil {
		return false
	}
	b := rd.recycled.Take(rd.free)
	if len(b) == 0 {
		return false
	}
	rd.free = b
	return true
}

// dropEvent takes back e, the last event newEvent returned, unused: it
// may hold strings of the record.
func (rd *reader) dropEvent(e *event.Event) {
	*e = event.Event{}
	rd.free = append(rd.free, e)
}

func newReader(source string, sink Sink) *reader {
	return &reader{source: source, sink: sink, fast: newFastDecoder()}
}

func (rd *reader) reject(rec int, reason, detail string) {
	rd.sink.Reject(Rejection{Source: rd.source, Record: rec, Reason: reason, Detail: detail})
}

// record decodes one JSON record (or a batch envelope found on one line)
// and emits its event or rejection. It fails only when the source turns
// out to be of an unknown format.
func (rd *reader) record(raw []byte, rec int) error {
	r := &rd.scratch
	if *r = (rawRecord{}); !rd.fast.decode(raw, r) {
		r = &rawRecord{}
		if err := decodeJSON(raw, r); err != nil {
			reason, detail := describeDecodeError(raw, err)
			rd.reject(rec, reason, detail)
			return nil
		}
	}
	if r.Envelope || r.Value {
		return rd.batchLine(raw, rec)
	}
	return rd.emit(r, raw, rec)
}

// emit maps a decoded JSON record to an event.
func (rd *reader) emit(r *rawRecord, raw []byte, rec int) error {
	f := classify(r)
	if f == "" {
		return rd.unknown(rec)
	}
	rd.emitAs(f, r, raw, rec)
	return nil
}

// emitAs maps a record of a known format; raw is what its content key
// is computed from when it has no ID of its own and is not an ARM record.
func (rd *reader) emitAs(f Format, r *rawRecord, raw []byte, rec int) {
	rd.recognize(f)
	e := rd.newEvent()
	e.Origin = event.Origin{Source: rd.source, Record: rec}
	rd.strs.setRecord(raw)
	if reason, detail := mapRecord(f, r, e, &rd.strs); reason != "" {
		rd.dropEvent(e)
		rd.reject(rec, reason, rd.strs.clone(detail))
		return
	}
	if e.Key == "" {
		e.Key = rd.contentKey(f, r, e, raw)
	}
	rd.strs.ownEvent(e)
	rd.sink.Event(e)
}

func (rd *reader) unknown(rec int) error {
	rej := Rejection{Source: rd.source, Record: rec, Reason: "unknown-record",
		Detail: "not an Azure activity, Entra sign-in or audit, or CloudTrail record"}
	if rd.recognized > 0 {
		rd.sink.Reject(rej)
		return nil
	}
	if len(rd.pending) >= maxUnknownLead {
		return errTooManyUnknown
	}
	rd.pending = append(rd.pending, rej)
	return nil
}

// recognize records the format of a usable record and releases the
// rejections held back while the format was unknown.
func (rd *reader) recognize(f Format) {
	if rd.format == f && rd.pending == nil { // a source of one format, mostly
		rd.recognized++
		return
	}
	switch rd.format {
	case "":
		rd.format = f
	case f, FormatMixed:
	default:
		rd.format = FormatMixed
	}
	rd.recognized++
	for _, rej := range rd.pending {
		rd.sink.Reject(rej)
	}
	rd.pending = nil
}

// finish reports a source in which nothing was recognized.
func (rd *reader) finish() error {
	if rd.recognized == 0 && len(rd.pending) > 0 {
		return fmt.Errorf("%w: no supported record in %d", ErrUnknownFormat, len(rd.pending))
	}
	return nil
}

// isUnknownFormat reports whether err means the whole source is unusable.
func isUnknownFormat(err error) bool { return errors.Is(err, ErrUnknownFormat) }

// SourceReason is the rejection reason for a source that failed as a whole
// (docs/REJECTIONS.md): a recognised format Vedette does not read, a gzip
// bomb, no supported record, or anything else that stopped the reading.
func SourceReason(err error) string {
	switch {
	case errors.Is(err, input.ErrUnsupported):
		return "unsupported-input"
	case errors.Is(err, input.ErrRatio):
		return "decompression-bomb"
	case errors.Is(err, ErrUnknownFormat):
		return "unknown-format"
	}
	return "unreadable"
}

// Reuse has the decoder build its events in the events r hands out
// before allocating new ones; nil stops it. The events it produced before
// stay valid: only those released into r are reused.
func (d *LineDecoder) Reuse(r Recycled) { d.rd.recycled, d.rd.free = r, nil }
