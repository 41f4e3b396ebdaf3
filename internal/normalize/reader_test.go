package normalize

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestEventsOfOneRead: events handed out together (allocated in blocks,
// a rejected record's event taken back) are each what reading their
// record alone gives, and writing one leaves the others alone.
func TestEventsOfOneRead(t *testing.T) {
	lines := bytes.Split(bytes.TrimSpace(signInLines(t, 70)), []byte("\n"))
	const bad = 5
	lines[bad] = []byte(strings.Replace(string(lines[bad]), `"ipAddress":"203.0.113.45"`, `"ipAddress":"999.1.1.1"`, 1))
	all := &collector{}
	if _, err := Read("all.jsonl", bytes.NewReader(bytes.Join(lines, []byte("\n"))), all); err != nil {
		t.Fatal(err)
	}
	if len(all.rejections) != 1 || all.rejections[0].Record != bad+1 || len(all.events) != len(lines)-1 {
		t.Fatalf("%d events, rejections %v; want %d events and record %d rejected", len(all.events), all.rejections, len(lines)-1, bad+1)
	}
	for i, e := range all.events {
		no := i + 1
		if i >= bad {
			no++
		}
		alone := &collector{}
		if _, err := Read("all.jsonl", bytes.NewReader(lines[no-1]), alone); err != nil || len(alone.events) != 1 {
			t.Fatalf("record %d alone: %v, %d events", no, err, len(alone.events))
		}
		want := *alone.events[0]
		want.Origin.Record = no
		if !reflect.DeepEqual(*e, want) {
			t.Fatalf("record %d read with the others:\n%+v\nalone:\n%+v", no, *e, want)
		}
	}
	all.events[0].Principal, all.events[0].Location.City = "changed", "changed"
	if all.events[1].Principal == "changed" || all.events[1].Location.City == "changed" {
		t.Fatal("events share their fields")
	}
}
