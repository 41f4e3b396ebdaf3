package input

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func gzipOf(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestRatioGuard: a stream of zeros is cut past the floor; ordinary text
// compressing a few times passes whole.
func TestRatioGuard(t *testing.T) {
	bomb := gzipOf(t, make([]byte, 32<<20))
	br, done, err := Gunzip(bytes.NewReader(bomb), 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, br)
	done()
	if !errors.Is(err, ErrRatio) || n > ratioFloor+1<<20 {
		t.Fatalf("read %d bytes of zeros, err %v", n, err)
	}
	// Records as logs have them: every one different, about 30 to 1.
	var tb bytes.Buffer
	for i := range 200_000 {
		fmt.Fprintf(&tb, `{"time":"2026-10-01T%02d:%02d:%02dZ","id":"%08x","ip":"203.0.%d.%d","user":"user%d@contoso.com"}`+"\n",
			i/3600%24, i/60%60, i%60, i*2654435761, i%256, i*7%256, i%300)
	}
	text := tb.Bytes()
	br, done, err = Gunzip(bytes.NewReader(gzipOf(t, text)), 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	got, err := io.ReadAll(br)
	if err != nil || !bytes.Equal(got, text) {
		t.Fatalf("%d of %d bytes, %v", len(got), len(text), err)
	}
}

func TestUnsupported(t *testing.T) {
	for name, head := range map[string]string{
		"pcap":      "\xd4\xc3\xb2\xa1\x02\x00\x04\x00",
		"pcap big":  "\xa1\xb2\xc3\xd4\x00\x02\x00\x04",
		"pcap ns":   "\x4d\x3c\xb2\xa1\x02\x00",
		"pcapng":    "\x0a\x0d\x0d\x0a\x1c\x00\x00\x00",
		"nfcapd v1": "\x0c\xa5\x01\x00",
		"nfcapd v2": "\x0c\xa5\x02\x00",
		"json":      `{"records":[]}`,
		"csv":       "TenantId,TimeGenerated\n",
		"nfcapd v9": "\x0c\xa5\x09\x00",
		"empty":     "",
	} {
		err := Unsupported([]byte(head))
		want := strings.HasPrefix(name, "pcap") || name == "nfcapd v1" || name == "nfcapd v2"
		if (err != nil) != want || err != nil && !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzGunzip: whatever the bytes, Gunzip either passes them through or
// yields at most MaxRatio times the input past the floor, and never panics.
func FuzzGunzip(f *testing.F) {
	f.Add([]byte("plain text\n"))
	f.Add(gzipOf(f, []byte("hello\n")))
	f.Add(gzipOf(f, make([]byte, 1<<20)))
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	f.Fuzz(func(t *testing.T, in []byte) {
		br, done, err := Gunzip(bytes.NewReader(in), 4096)
		if err != nil {
			return
		}
		defer done()
		n, _ := io.Copy(io.Discard, io.LimitReader(br, 4*ratioFloor))
		if IsGzip(in) && n > ratioFloor+int64(MaxRatio*len(in))+64<<10 {
			t.Fatalf("%d bytes out of %d", n, len(in))
		}
		if !IsGzip(in) && n != int64(len(in)) {
			t.Fatalf("plain input changed: %d of %d bytes", n, len(in))
		}
	})
}
