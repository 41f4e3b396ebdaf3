//go:build unix

package normalize

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFastDecode is the fast decoder alone on the generated month
// bench/activity_test.go measures, record by record into reused storage
// as the reader does. VEDETTE_DECODE_LINES names a file of JSON lines to
// decode instead (a sample of a larger generated month, say). With
// VEDETTE_DECODE_SPLIT set, each line is cut from the data by IndexByte
// just before it is decoded, as LineDecoder does, so that the line is in
// the cache when the decoder reads it. cpu-ns/record
// is the process's CPU time per record, steadier than ns/record on a
// shared machine; fast-% is the share of records the decoder took.
func BenchmarkFastDecode(b *testing.B) {
	data := benchData(b)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	d := newFastDecoder()
	r := new(rawRecord)
	fast := 0
	b.SetBytes(int64(len(data)))
	cpu0 := processCPU()
	split := os.Getenv("VEDETTE_DECODE_SPLIT") != ""
	for b.Loop() {
		fast = 0
		if split {
			for rest := data; len(rest) > 0; {
				l := rest
				if i := bytes.IndexByte(rest, '\n'); i >= 0 {
					l, rest = rest[:i+1], rest[i+1:]
				} else {
					rest = nil
				}
				*r = rawRecord{}
				if d.decode(l, r) {
					fast++
				}
			}
			continue
		}
		for _, l := range lines {
			*r = rawRecord{}
			if d.decode(l, r) {
				fast++
			}
		}
	}
	records := float64(b.N * len(lines))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
	b.ReportMetric(float64(processCPU()-cpu0)/records, "cpu-ns/record")
	b.ReportMetric(100*float64(fast)/float64(len(lines)), "fast-%")
}

// processCPU is the CPU time (user + system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchData is what the decoder benchmarks read: the file
// VEDETTE_DECODE_LINES names, or the generated month.
func benchData(b *testing.B) []byte {
	b.Helper()
	var data []byte
	var err error
	if path := os.Getenv("VEDETTE_DECODE_LINES"); path != "" {
		data, err = os.ReadFile(path)
	} else {
		data, err = generatedOnce()
	}
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkPlainString is each form of plainString this CPU runs over
// the string values of the generated month (or VEDETTE_DECODE_LINES), in
// record order as the decoder meets them: most are short (GUIDs, names,
// addresses), so a variant's first step counts as much as its width.
func BenchmarkPlainString(b *testing.B) {
	data := benchData(b)
	type value struct {
		line []byte
		at   int
	}
	var values []value
	for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		for j := 1; j < len(l); j++ {
			if l[j] == '"' && l[j-1] == ':' {
				values = append(values, value{l, j})
			}
		}
	}
	fs, _ := plainVariants()
	fs["plainStringWords"] = plainStringWords
	for name, f := range fs {
		b.Run(name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				for _, v := range values {
					if end, ok := f(v.line, v.at); ok {
						n += end
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(values)), "ns/string")
		})
	}
}
