package asn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"github.com/klauspost/compress/zstd"
)

// magic opens an encoded table; the digit is the format version.
const magic = "VASN2"

// Encode writes rows (any order, non-overlapping per family) as a
// zstd-compressed table laid out in columns, so that decoding is a few
// tight loops: the names sorted by AS number (the numbers delta-coded,
// the names' lengths, their classes, their text), then per family the
// range starts delta-coded and the index + 1 of each range's name, with a
// gap (0) after every range not followed directly.
func Encode(w io.Writer, rows []Range) error {
	slices.SortFunc(rows, func(a, b Range) int { return a.From.Compare(b.From) })
	var raw bytes.Buffer
	bw := bufio.NewWriter(&raw)
	bw.WriteString(magic)
	asns := writeNames(bw, rows)
	var v4, v6 []Range
	for _, r := range rows {
		if r.From.Is4() {
			v4 = append(v4, r)
		} else {
			v6 = append(v6, r)
		}
	}
	writeRanges(bw, v4, asns)
	writeRanges(bw, v6, asns)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("asn: encode: %w", err)
	}
	// EncodeAll records the size in the frame: Decode allocates it once.
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		return fmt.Errorf("asn: encode: %w", err)
	}
	defer zw.Close()
	if _, err := w.Write(zw.EncodeAll(raw.Bytes(), nil)); err != nil {
		return fmt.Errorf("asn: encode: %w", err)
	}
	return nil
}

// writeNames writes the names table and returns its AS numbers, sorted.
func writeNames(w *bufio.Writer, rows []Range) []uint32 {
	names := map[uint32]string{}
	for _, r := range rows {
		if _, ok := names[r.ASN]; !ok || names[r.ASN] == "" {
			names[r.ASN] = r.Org
		}
	}
	asns := make([]uint32, 0, len(names))
	for a := range names {
		asns = append(asns, a)
	}
	slices.Sort(asns)
	putUvarint(w, uint64(len(asns)))
	prev := uint32(0)
	for _, a := range asns {
		putUvarint(w, uint64(a-prev))
		prev = a
	}
	for _, a := range asns {
		putUvarint(w, uint64(len(names[a])))
	}
	for _, a := range asns {
		w.WriteByte(classCode(Classify(a, names[a])))
	}
	for _, a := range asns {
		w.WriteString(names[a])
	}
	return asns
}

// writeRanges writes one family: the count of entries, each entry's start
// as two 64-bit halves delta-coded against the previous start, then each
// entry's name reference.
func writeRanges(w *bufio.Writer, rows []Range, asns []uint32) {
	type entry struct {
		start [2]uint64
		ref   uint32
	}
	ref := func(a uint32) uint32 {
		if a == 0 {
			return 0 // AS 0: not announced, a gap
		}
		i, _ := slices.BinarySearch(asns, a)
		return uint32(i) + 1
	}
	var es []entry
	for i, r := range rows {
		if i > 0 && r.From.Compare(rows[i-1].To) <= 0 {
			continue // overlapping row: the first one wins
		}
		es = append(es, entry{halves(r.From), ref(r.ASN)})
		next := r.To.Next()
		if next.IsValid() && (i+1 == len(rows) || rows[i+1].From != next) {
			es = append(es, entry{halves(next), 0})
		}
	}
	putUvarint(w, uint64(len(es)))
	var prev [2]uint64
	for _, e := range es {
		if e.start[0] == prev[0] {
			putUvarint(w, 0)
			putUvarint(w, e.start[1]-prev[1])
		} else {
			putUvarint(w, e.start[0]-prev[0])
			putUvarint(w, e.start[1])
		}
		prev = e.start
	}
	for _, e := range es {
		putUvarint(w, uint64(e.ref))
	}
}

func putUvarint(w *bufio.Writer, v uint64) {
	var buf [binary.MaxVarintLen64]byte
	w.Write(buf[:binary.PutUvarint(buf[:], v)])
}
