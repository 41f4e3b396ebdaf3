package asn

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	rows := []Range{
		{From: netip.MustParseAddr("2001:db8::"), To: netip.MustParseAddr("2001:db8:0:ffff:ffff:ffff:ffff:ffff"), ASN: 64500, Org: "Example Mobile Networks"},
		{From: netip.MustParseAddr("198.51.100.0"), To: netip.MustParseAddr("198.51.100.127"), ASN: 8075, Org: "Microsoft Corporation"},
		{From: netip.MustParseAddr("198.51.100.128"), To: netip.MustParseAddr("198.51.100.255"), ASN: 64501, Org: "Example Hosting GmbH"},
		{From: netip.MustParseAddr("203.0.113.0"), To: netip.MustParseAddr("203.0.113.255"), ASN: 64502, Org: "Plain Telecom"},
		{From: netip.MustParseAddr("2001:db8:1::"), To: netip.MustParseAddr("2001:db8:1::ff"), ASN: 64503, Org: "Odd Sized Net"},
		{From: netip.MustParseAddr("100.64.0.0"), To: netip.MustParseAddr("100.67.255.255"), ASN: 64504, Org: "Wide Range"},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, rows); err != nil {
		t.Fatal(err)
	}
	tab, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ip   string
		want Info
	}{
		{"198.51.100.0", Info{8075, "Microsoft Corporation", ClassMicrosoft}},
		{"198.51.100.127", Info{8075, "Microsoft Corporation", ClassMicrosoft}},
		{"198.51.100.128", Info{64501, "Example Hosting GmbH", ClassHosting}},
		{"198.51.101.0", Info{}}, // gap after a range
		{"203.0.113.9", Info{64502, "Plain Telecom", ClassNone}},
		{"203.0.114.0", Info{}}, // after the last range
		{"10.0.0.1", Info{}},    // before the first
		{"::ffff:203.0.113.9", Info{64502, "Plain Telecom", ClassNone}},
		{"2001:db8::1", Info{64500, "Example Mobile Networks", ClassMobile}},
		{"2001:db8:1::ff", Info{64503, "Odd Sized Net", ClassNone}},
		{"2001:db8:1::100", Info{}},
	} {
		got, _ := tab.Lookup(netip.MustParseAddr(c.ip))
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.ip, diff)
		}
	}
}

// TestBuiltin checks the embedded table on addresses whose operators are
// public knowledge and stable.
func TestBuiltin(t *testing.T) {
	t.Parallel()
	tab, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() < 100_000 {
		t.Fatalf("embedded table has %d ranges", tab.Len())
	}
	for _, c := range []struct {
		ip    string
		asn   uint32
		class Class
	}{
		{"1.1.1.1", 13335, ClassCloud},
		{"8.8.8.8", 15169, ClassCloud},
		{"20.190.128.1", 8075, ClassMicrosoft}, // login.microsoftonline.com
		{"2606:4700:4700::1111", 13335, ClassCloud},
	} {
		got, ok := tab.Lookup(netip.MustParseAddr(c.ip))
		if !ok || got.ASN != c.asn || got.Class != c.class {
			t.Errorf("%s: got %+v, want AS%d %s", c.ip, got, c.asn, c.class)
		}
	}
	if _, ok := tab.Lookup(netip.MustParseAddr("10.1.2.3")); ok {
		t.Error("private address found in an AS")
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{"empty": nil, "not zstd": []byte("VASN2abc"), "truncated": embedded[:len(embedded)/2]} {
		if _, err := Decode(data); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	_ = Encode(&buf, []Range{{From: netip.MustParseAddr("192.0.2.0"), To: netip.MustParseAddr("192.0.2.255"), ASN: 1, Org: "x"}})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Decode(data)
		if err == nil {
			tab.Lookup(netip.MustParseAddr("192.0.2.1"))
			tab.Lookup(netip.MustParseAddr("2001:db8::1"))
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	tab, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	ip := netip.MustParseAddr("20.190.128.1")
	b.ReportAllocs()
	for b.Loop() {
		tab.Lookup(ip)
	}
}

// TestEmbeddedClassesCurrent: the classes stored in the embedded table are
// those Classify gives today; when Classify changes, regenerate the table
// (asngen).
func TestEmbeddedClassesCurrent(t *testing.T) {
	t.Parallel()
	tab, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	stale := 0
	for i, a := range tab.asns {
		if want := Classify(a, tab.org(i)); tab.class(i) != want {
			if stale++; stale <= 5 {
				t.Errorf("AS%d %q: stored class %q, Classify says %q", a, tab.org(i), tab.class(i), want)
			}
		}
	}
	if stale > 0 {
		t.Errorf("%d of %d stored classes are stale: regenerate data/asn.bin.zst", stale, len(tab.asns))
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(embedded); err != nil {
			b.Fatal(err)
		}
	}
}
