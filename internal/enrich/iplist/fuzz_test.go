package iplist

import (
	"bytes"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// seedFromTestdata adds every line of the testdata files.
func seedFromTestdata(f *testing.F) {
	for _, name := range []string{"corporate.txt", "spamhaus-drop.txt", "tor-exit-addresses.txt", "tor-bulk-exit-list.txt"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		for line := range strings.Lines(string(data)) {
			f.Add(strings.TrimRight(line, "\n"))
		}
	}
	f.Add("10.0.0.0-10.255.255.255 # range")
	f.Add("::ffff:1.2.3.0/120")
}

// FuzzLineParsers checks that the plain and Tor line parsers never panic
// and that whatever they accept parses to valid, masked prefixes.
func FuzzLineParsers(f *testing.F) {
	seedFromTestdata(f)
	f.Fuzz(func(t *testing.T, line string) {
		for _, fn := range []lineFunc{plainLine, torExitLine} {
			spec, _, skip, err := fn(line)
			if err != nil || skip {
				continue
			}
			_ = ParseSpec(spec, func(p netip.Prefix) {
				if !p.IsValid() || p != p.Masked() {
					t.Fatalf("%q: invalid or unmasked prefix %v", line, p)
				}
				if p.Addr().Is4In6() {
					t.Fatalf("%q: IPv4-mapped prefix %v kept", line, p)
				}
			})
		}
	})
}

// FuzzParseCSV checks the CSV reader on whole files: no panic, no error
// from in-memory input, and never more prefixes than input lines could
// hold without ranges.
func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"vpn-providers.csv", "proxies-noheader.csv"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("IPAddress\r\n23.102.131.33\r\n"))
	f.Add([]byte("a,\"b\nc\",1.2.3.4\n\"unterminated,5.6.7.8\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newCollector("fuzz.csv")
		if err := parseCSV(bytes.NewReader(data), c); err != nil {
			t.Fatalf("parseCSV: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if !bytes.Contains(data, []byte("-")) && c.table.Size() > lines {
			t.Fatalf("%d prefixes from %d lines", c.table.Size(), lines)
		}
	})
}
