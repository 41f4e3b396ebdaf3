package azblob

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCutDocumentKeepsOnlyCompleteRecords(t *testing.T) {
	const full = `{"records":[{"a":1},{"a":2,"s":"x,]}"}` + "\r\n" + `,{"a":3}]}`
	cases := []struct {
		name    string
		win     string
		atStart bool
		want    []string
		end     int64
		err     error
	}{
		{"head only", `{"records":[`, true, nil, 12, nil},
		{"head cut", `{"reco`, true, nil, 0, nil},
		{"whole", full, true, []string{`{"a":1}`, `{"a":2,"s":"x,]}"}`, `{"a":3}`}, int64(strings.LastIndex(full, "]}")), nil},
		{"record cut", `{"records":[{"a":1},{"a":2,"s"`, true, []string{`{"a":1}`}, 19, nil},
		{"after a record", `,{"a":3}]}`, false, []string{`{"a":3}`}, 8, nil},
		{"nothing new", ` ]}`, false, nil, 0, nil},
		{"rewritten", `"a":3}]}`, false, nil, 0, errResync},
		{"other document", `{"value":[{"a":1}]}`, true, nil, 0, errNotRecords},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cutDocument([]byte(c.win), c.atStart)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			var recs []string
			for _, r := range got.Records {
				recs = append(recs, string(r))
			}
			if strings.Join(recs, "|") != strings.Join(c.want, "|") || got.End != c.end {
				t.Fatalf("records %q end %d, want %q end %d", recs, got.End, c.want, c.end)
			}
		})
	}
}

func TestCutLinesKeepsTheUnterminatedLine(t *testing.T) {
	got := cutLines([]byte("{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3"))
	if len(got.Records) != 2 || string(got.Records[1]) != `{"a":2}` || got.End != 18 {
		t.Fatalf("got %q end %d", got.Records, got.End)
	}
}

func TestSniffShape(t *testing.T) {
	for in, want := range map[string]Shape{
		` {"records": [`:               ShapeDocument,
		`{"time":"2026-11-30"}` + "\n": ShapeLines,
		`{"time":"2026`:                ShapeLines,
		`{"rec`:                        ShapeUnknown,
		``:                             ShapeUnknown,
	} {
		if got := sniffShape([]byte(in)); got != want {
			t.Errorf("sniffShape(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestHourOf(t *testing.T) {
	name := "resourceId=/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG1/y=2026/m=11/d=30/h=07/m=00/macAddress=000D3A/PT1H.json"
	h, ok := HourOf(name)
	if !ok || !h.Equal(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("HourOf = %v %v", h, ok)
	}
	if _, ok := HourOf("flowlogs/PT1H.json"); ok {
		t.Fatal("a path outside the layout has an hour")
	}
	if _, ok := HourOf("x/y=2026/m=13/d=30/h=07/m=00/PT1H.json"); ok {
		t.Fatal("month 13 accepted")
	}
}

// FuzzCutWindow: any window, cut at any point, yields only complete JSON
// records, an end within the window, and never panics.
func FuzzCutWindow(f *testing.F) {
	f.Add([]byte(`{"records":[{"a":1},{"a":2}]}`), true, 20)
	f.Add([]byte(`,{"a":[1,2,{"b":"]"}]}]}`), false, 5)
	f.Add([]byte("{\"a\":1}\n{\"b\":2}\n"), true, 9)
	f.Fuzz(func(t *testing.T, win []byte, atStart bool, cutAt int) {
		if cutAt >= 0 && cutAt < len(win) {
			win = win[:cutAt]
		}
		for _, shape := range []Shape{ShapeDocument, ShapeLines} {
			c, _ := cutWindow(shape, win, atStart)
			if c.End < 0 || c.End > int64(len(win)) {
				t.Fatalf("end %d outside window of %d", c.End, len(win))
			}
			if shape == ShapeDocument {
				for _, r := range c.Records {
					if !json.Valid(r) {
						t.Fatalf("invalid record %q", r)
					}
				}
			}
		}
	})
}
