//go:build linux

package normalize

import (
	"bytes"
	"encoding/json"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// guardedPage returns a page of memory followed by one that may not be
// read: input copied flush against its end (atEnd) makes any read past
// the input fault. Reads of a few bytes past a Go slice land in the
// slice's own allocation and go unnoticed otherwise; the decoder's
// unchecked loads (plainMembers, plainStringWords, the assembly) are
// only as safe as their offset arithmetic.
func guardedPage(t *testing.T) []byte {
	t.Helper()
	ps := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	if err := syscall.Mprotect(mem[ps:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	return mem[:ps:ps]
}

// atEnd copies b to the end of page and returns the copy, its capacity
// its length.
func atEnd(page, b []byte) []byte {
	out := page[len(page)-len(b):]
	copy(out, b)
	return out
}

// faultFree runs fn, failing the test with what when fn reads memory it
// may not (a fault becomes a panic).
func faultFree(t *testing.T, what string, fn func()) {
	t.Helper()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: %v", what, r)
		}
	}()
	fn()
}

// TestNoReadPastInput places inputs flush against an unreadable page and
// reads them: string literals of every length and end with plainString,
// each of its variants this CPU runs and plainStringWords; every prefix of each sample record, made compact
// as feeds write them, through a warmed fast decoder and a reader (the
// mappings, the quick time, address and string paths); and timestamps,
// addresses and names of every length through the word-at-a-time
// readers. Nothing reads a byte past its input.
func TestNoReadPastInput(t *testing.T) {
	page := guardedPage(t)
	fs, _ := plainVariants()
	fs["plainStringWords"] = plainStringWords
	faultFree(t, "plainString", func() {
		for n := 1; n <= 160; n++ {
			for _, last := range []byte{'a', '"', '\\', 0x01, 0xc3} {
				lit := append(append([]byte{'"'}, bytes.Repeat([]byte{'x'}, n-1)...), last)
				b := atEnd(page, lit)
				for i := range b {
					for _, f := range fs {
						f(b, i)
					}
					scanString(b, i)
				}
			}
		}
	})
	recs := sampleRecords(t)
	for _, raw := range recs {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil && len(buf.Bytes()) <= len(page) {
			recs = append(recs, bytes.Clone(buf.Bytes()))
		}
	}
	d, rd := newFastDecoder(), newReader("guard", &collector{})
	for _, raw := range recs {
		d.decode(raw, &rawRecord{})
	}
	faultFree(t, "decode", func() {
		for _, raw := range recs {
			for n := max(0, len(raw)-len(page)); n <= len(raw); n++ {
				d.decode(atEnd(page, raw[:n]), &rawRecord{})
			}
			if len(raw) <= len(page) {
				_ = rd.record(atEnd(page, raw), 1)
			}
		}
	})
	faultFree(t, "quick readers", func() {
		for _, s := range []string{"2024-02-29T23:59:59.123456789+01:00", "255.255.255.255", "User.Name@Contoso.Example \u00a0"} {
			for n := range len(s) + 1 {
				b := atEnd(page, []byte(s[:n]))
				v := unsafe.String(unsafe.SliceData(b), len(b))
				var c minuteCache
				c.parseTime(s[:min(n, 16)] + ":00Z")
				c.parseTime(v)
				parseTime(v)
				fracDigits(v)
				quickIPv4(v)
				wordHash(v)
				mayHaveUpper(v)
				toUpper(quickTrim(v))
				strings.Clone(v)
			}
		}
	})
}
