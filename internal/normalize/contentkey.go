package normalize

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// Content keys are the keys of records without an ID of its own. SHA-256
// rather than a faster non-cryptographic hash: keys deduplicate what
// baselines learn, and records carry attacker-chosen text.

// contentKey is the key of a record without an ID. ARM records (Activity
// Log records from diagnostic settings have no ID) are keyed by the
// decoded fields that tell one ARM event from another; other records by
// their bytes with insignificant white space removed. Either way the same
// record pretty-printed in a document or compact on a line has the same
// key.
func (rd *reader) contentKey(f Format, r *rawRecord, e *event.Event, raw []byte) string {
	switch f {
	case FormatAzureActivity, FormatAzureActivityREST, FormatLAActivity, FormatLAActivityCSV:
		rd.keyBuf = armKeyFields(rd.keyBuf[:0], f, r, e)
	default:
		rd.keyBuf = appendCompact(append(rd.keyBuf[:0], "raw\x00"...), raw)
	}
	key := hashKey(rd.keyBuf)
	return rd.strs.keep(unsafe.String(&key[0], len(key)))
}

// armKeyFields appends the fields that identify an ARM event, each
// length-prefixed so that no two sets of fields encode alike: when it
// happened, its correlation ID, operation, category, status and status
// code, the resource, the caller (as written, and as the event names it)
// and their address and tenant, and the event data ID of records that
// carry it in their properties. Two records alike in all of these are one
// event delivered twice.
func armKeyFields(buf []byte, f Format, r *rawRecord, e *event.Event) []byte {
	a := activityView(f, r)
	buf = append(buf, "arm\x00"...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.Time.UnixNano()))
	buf = append(buf, byte(e.PrincipalKind))
	var statusCode, eventDataID valueString
	if p := r.Properties; p != nil {
		statusCode, eventDataID = p.StatusCode, p.PropsEventDataID
	}
	for _, s := range [...]string{string(r.CorrelationID), a.op, a.category, a.status, string(statusCode),
		firstNonEmpty(r.ResourceID, r.ResourceIDLA), r.SubscriptionID, a.ip, r.Caller, e.Principal,
		e.PrincipalID, e.Tenant, e.AppID, string(eventDataID)} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	return buf
}

// hashKey is the SHA-256 of b, its first 16 bytes in hex.
func hashKey(b []byte) (key [32]byte) {
	sum := sha256.Sum256(b)
	hex.Encode(key[:], sum[:16])
	return key
}

// appendCompact appends src without the white space outside strings.
// Strings are skipped whole: IndexByte finds their ends quickly.
func appendCompact(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '"':
			i = stringEnd(src, i)
		case isSpace(c):
			dst = append(dst, src[start:i]...)
			i = skipSpace(src, i)
			start = i
		default:
			i++
		}
	}
	return append(dst, src[start:]...)
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
