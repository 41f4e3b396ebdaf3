package normalize

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/vedette/vedette/internal/event"
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
	scratch    rawRecord // the record being decoded by fast, reused
	strs       strtab    // copies of the strings events keep
	hash       hash.Hash // content keys
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
// is computed from when it has no ID of its own.
func (rd *reader) emitAs(f Format, r *rawRecord, raw []byte, rec int) {
	rd.recognize(f)
	e := &event.Event{Origin: event.Origin{Source: rd.source, Record: rec}}
	rd.strs.setRecord(raw)
	if reason, detail := mapRecord(f, r, e); reason != "" {
		rd.reject(rec, reason, rd.strs.clone(detail))
		return
	}
	if e.Key == "" {
		e.Key = rd.contentKey(raw)
	}
	rd.strs.ownEvent(e)
	rd.sink.Event(e)
}

func (rd *reader) unknown(rec int) error {
	rej := Rejection{Source: rd.source, Record: rec, Reason: "unknown-record",
		Detail: "not an Azure activity, Entra sign-in or CloudTrail record"}
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

// contentKey is the key of a record without an ID of its own: a hash of its
// bytes with insignificant white space removed, so that the same record
// pretty-printed in a document or compact on a line has the same key.
// SHA-256 rather than a faster non-cryptographic hash: keys deduplicate
// what baselines learn, and records carry attacker-chosen text.
func (rd *reader) contentKey(raw []byte) string {
	if rd.hash == nil {
		rd.hash = sha256.New()
	}
	rd.hash.Reset()
	writeCompact(rd.hash, raw)
	var sum [sha256.Size]byte
	var key [32]byte
	hex.Encode(key[:], rd.hash.Sum(sum[:0])[:16])
	return string(key[:])
}

// writeCompact writes src without the white space outside strings, in as
// few writes as there are runs of such white space (none for a compact
// line). Strings are skipped whole: IndexByte finds their ends quickly.
func writeCompact(w io.Writer, src []byte) {
	start := 0
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '"':
			i = stringEnd(src, i)
		case isSpace(c):
			w.Write(src[start:i])
			i = skipSpace(src, i)
			start = i
		default:
			i++
		}
	}
	w.Write(src[start:])
}

// stringEnd returns the offset past the string that opens at src[q].
func stringEnd(src []byte, q int) int {
	for j := q + 1; ; {
		k := bytes.IndexByte(src[j:], '"')
		if k < 0 {
			return len(src)
		}
		j += k
		escapes := 0
		for i := j - 1; i > q && src[i] == '\\'; i-- {
			escapes++
		}
		if escapes%2 == 0 {
			return j + 1
		}
		j++
	}
}

// isUnknownFormat reports whether err means the whole source is unusable.
func isUnknownFormat(err error) bool { return errors.Is(err, ErrUnknownFormat) }
