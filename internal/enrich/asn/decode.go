package asn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// ErrFormat is returned for data that is not an encoded table.
var ErrFormat = errors.New("asn: not an encoded table")

// maxRaw bounds a table's decompressed size (the embedded one is about 6 MB).
const maxRaw = 64 << 20

// Decode reads a table written by Encode.
func Decode(data []byte) (*Table, error) {
	zr, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxRaw))
	if err != nil {
		return nil, fmt.Errorf("asn: decode: %w", err)
	}
	defer zr.Close()
	var h zstd.Header
	if err := h.Decode(data); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	var raw []byte
	if h.HasFCS && h.FrameContentSize <= maxRaw {
		raw = make([]byte, 0, h.FrameContentSize)
	}
	raw, err = zr.DecodeAll(data, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return nil, ErrFormat
	}
	d := &decoder{buf: raw[len(magic):]}
	t := &Table{}
	d.names(t)
	d.v4(t)
	d.v6(t)
	if d.err != nil {
		return nil, d.err
	}
	t.index()
	return t, nil
}

type decoder struct {
	buf []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if len(d.buf) > 0 && d.buf[0] < 0x80 {
		v := uint64(d.buf[0])
		d.buf = d.buf[1:]
		return v
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("truncated")
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrFormat, what)
	}
	d.buf = nil // every further read fails
}

// count reads an element count, refusing one the remaining bytes cannot
// hold (each element takes at least min bytes).
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.buf)/min) {
		d.fail(fmt.Sprintf("count %d too large", n))
		return 0
	}
	return int(n)
}

func (d *decoder) names(t *Table) {
	n := d.count(3)
	t.asns, t.orgEnd, t.classes = make([]uint32, n), make([]uint32, n), make([]uint8, n)
	if !d.deltas(t.asns, "bad AS number") {
		return
	}
	if !d.deltas(t.orgEnd, "names too long") {
		return
	}
	var end uint64 // where the names end
	if n > 0 {
		end = uint64(t.orgEnd[n-1])
	}
	if len(d.buf) < n || uint64(len(d.buf)-n) < end {
		d.fail("truncated names")
		return
	}
	for i, c := range d.buf[:n] {
		if int(c) >= len(classCodes) {
			d.fail("bad class")
			return
		}
		t.classes[i] = c
	}
	t.orgText = string(d.buf[n : n+int(end)])
	d.buf = d.buf[n+int(end):]
}

// refs reads n name references into refs.
func (d *decoder) refs(refs []uint32, names int) {
	for i := range refs {
		r := d.uvarint()
		if r > uint64(names) {
			d.fail("bad name reference")
			return
		}
		refs[i] = uint32(r)
	}
}

func (d *decoder) v4(t *Table) {
	n := d.count(3)
	t.v4Start, t.v4ASN = make([]uint32, n), make([]uint32, n)
	var prev uint64
	for i := range n {
		hi, lo := d.uvarint(), d.uvarint()
		if hi != 0 || lo > 1<<32-1-prev {
			d.fail("bad IPv4 range")
			return
		}
		prev += lo
		t.v4Start[i] = uint32(prev)
	}
	d.refs(t.v4ASN, len(t.asns))
}

func (d *decoder) v6(t *Table) {
	n := d.count(3)
	t.v6Start, t.v6ASN = make([][2]uint64, n), make([]uint32, n)
	var prev [2]uint64
	for i := range n {
		hi, lo := d.uvarint(), d.uvarint()
		if hi == 0 {
			lo += prev[1]
		}
		prev = [2]uint64{prev[0] + hi, lo}
		t.v6Start[i] = prev
	}
	d.refs(t.v6ASN, len(t.asns))
}

// deltas fills dst with the running sums of len(dst) uvarints, failing
// with what when a sum leaves 32 bits.
func (d *decoder) deltas(dst []uint32, what string) bool {
	var sum uint64
	for i := range dst {
		sum += d.uvarint()
		if sum > 1<<32-1 {
			d.fail(what)
			return false
		}
		dst[i] = uint32(sum)
	}
	return true
}
