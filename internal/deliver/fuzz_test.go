package deliver

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vedette/vedette/internal/format/formattest"
)

// FuzzFormats feeds attacker-controlled strings (a principal, an app's
// user agent, a resource name all come from the logs) through every
// format: the JSON formats stay valid JSON, CEF stays one line with the
// value recoverable, and nothing panics.
func FuzzFormats(f *testing.F) {
	for _, s := range []string{"alice@contoso.com", "a|b\\c=d", "line\nbreak\r", "\x00\xff\xfe", `"}],{"x":`, "CEF:0|x|"} {
		f.Add(s, s)
	}
	base := formattest.Changes(f)[4]
	f.Fuzz(func(t *testing.T, principal, agent string) {
		c := base
		c.Alert.Principal, c.Alert.Name, c.Alert.Description = principal, agent, principal+agent
		c.Alert.Evidence = append(c.Alert.Evidence[:0:0], c.Alert.Evidence...)
		c.Alert.Evidence[0].UserAgent, c.Alert.Evidence[0].Principal = agent, principal
		for name, format := range Formats {
			b, err := format(c)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name == "cef" {
				if bytes.ContainsAny(b, "\r\n") {
					t.Fatalf("cef: line break in %q", b)
				}
				continue
			}
			if !json.Valid(b) {
				t.Fatalf("%s: invalid JSON %q", name, b)
			}
		}
	})
}
