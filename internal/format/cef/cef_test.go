package cef

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/format/formattest"
)

func TestFormatGolden(t *testing.T) {
	t.Parallel()
	var all bytes.Buffer
	for _, c := range formattest.Changes(t) {
		b, err := Format(c)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(b, "\r\n") {
			t.Errorf("seq %d: line break in a CEF line: %q", c.Seq, b)
		}
		all.Write(append(b, '\n'))
	}
	formattest.Golden(t, "changes.cef", all.Bytes())
}

// The examples of the CEF specification's character-encoding section.
func TestEscaping(t *testing.T) {
	t.Parallel()
	header := []struct{ in, want string }{
		{`detected a | in message`, `detected a \| in message`},
		{`detected a \ in packet`, `detected a \\ in packet`},
		{`a = in the header stays`, `a = in the header stays`},
		{"two\nlines", "two lines"},
	}
	for _, tc := range header {
		if got := Header(tc.in); got != tc.want {
			t.Errorf("Header(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	value := []struct{ in, want string }{
		{`This is a value with an = sign`, `This is a value with an \= sign`},
		{`C:\Windows`, `C:\\Windows`},
		{`a | in an extension stays`, `a | in an extension stays`},
		{"Detected a threat.\nNo action needed.", `Detected a threat.\nNo action needed.`},
		{"crlf\r\nand cr\r", `crlf\nand cr\r`},
	}
	for _, tc := range value {
		if got := Value(tc.in); got != tc.want {
			t.Errorf("Value(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// parse is an independent reading of a CEF line, as a receiver would do it:
// seven header fields split on unescaped pipes, then key=value pairs where a
// key starts after a space and ends at an unescaped equal sign.
func parse(t *testing.T, line string) (header []string, ext map[string]string) {
	t.Helper()
	var cur strings.Builder
	i := 0
	for ; i < len(line) && len(header) < 7; i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case line[i] == '|':
			header = append(header, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	if len(header) != 7 {
		t.Fatalf("header has %d fields: %q", len(header), line)
	}
	ext = map[string]string{}
	keyRe := regexp.MustCompile(`(?:^| )([A-Za-z0-9_]+)=`)
	rest := line[i:]
	locs := keyRe.FindAllStringSubmatchIndex(rest, -1)
	var starts [][]int
	for _, l := range locs { // a key is only where the '=' is not escaped
		if l[1]-2 < 0 || rest[l[1]-2] != '\\' {
			starts = append(starts, l)
		}
	}
	for j, l := range starts {
		end := len(rest)
		if j+1 < len(starts) {
			end = starts[j+1][0]
		}
		v := strings.NewReplacer(`\\`, `\`, `\=`, `=`, `\n`, "\n", `\r`, "\r").Replace(rest[l[1]:end])
		ext[rest[l[2]:l[3]]] = v
	}
	return header, ext
}

// The crafted fixture's principal, name and description (pipes, backslashes,
// equal signs, quotes, a newline) survive a receiver's parse.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range formattest.Changes(t) {
		b, _ := Format(c)
		header, ext := parse(t, string(b))
		if header[0] != "CEF:0" || header[4] != c.Alert.Detection {
			t.Errorf("seq %d header %q", c.Seq, header)
		}
		if want := strings.ReplaceAll(c.Alert.Name, "\n", " "); header[5] != want {
			t.Errorf("seq %d name %q, want %q", c.Seq, header[5], want)
		}
		for k, want := range map[string]string{"suser": c.Alert.Principal, "msg": c.Alert.Description, "externalId": c.Alert.ID} {
			if ext[k] != want {
				t.Errorf("seq %d %s = %q, want %q", c.Seq, k, ext[k], want)
			}
		}
	}
}

func FuzzValue(f *testing.F) {
	for _, s := range []string{"a=b", `c:\x`, "l1\nl2", "x\\=y", "|=|\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ReplaceAll(s, "\r", "") // \r\n and \n both become \n
		line := "CEF:0|v|p|1|id|n|5|msg=" + Value(s) + " suser=x"
		_, ext := parse(t, line)
		if ext["msg"] != s || ext["suser"] != "x" {
			t.Fatalf("value %q read back as %q (suser %q)", s, ext["msg"], ext["suser"])
		}
	})
}
