package normalize

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestKeyArena: the keys of events read one after another (past many key
// arenas, one record ID of an attacker's length among them) are each the
// record's own ID once the whole source has been read, its line buffer
// reused record after record, and content keys are the same whether the
// arena that holds them is fresh or fuller.
func TestKeyArena(t *testing.T) {
	const n = 600 // 36-byte IDs: about ten 2 KiB arenas
	data := principalLines(n, 1)
	long := "9d24719b-" + strings.Repeat("x", 1000)
	data = append(data, bytes.Replace(principalLines(1, 1), []byte("9d24719b-"), []byte(long), 1)...)
	var c collector
	if _, err := Read("keys.jsonl", bytes.NewReader(data), &c); err != nil || len(c.events) != n+1 {
		t.Fatalf("err %v, %d events, %d rejections", err, len(c.events), len(c.rejections))
	}
	for i, e := range c.events[:n] {
		if want := fmt.Sprintf("9d24719b-5f2a-4969-%04x-%012x", 0, i); e.Key != want {
			t.Fatalf("event %d: key %q, want %q", i, e.Key, want)
		}
	}
	if got := c.events[n].Key; !strings.HasPrefix(got, long) {
		t.Fatalf("long key %.40q..., want it to start with %.40q", got, long)
	}

	// Records without an ID: content keys, alone in a source and after
	// 600 others.
	noID := func(lines []byte) []byte {
		return bytes.ReplaceAll(lines, []byte(`"id":"9d24719b-`), []byte(`"xid":"9d24719b-`))
	}
	var one, many collector
	if _, err := Read("one.jsonl", bytes.NewReader(noID(principalLines(1, 1))), &one); err != nil || len(one.events) != 1 {
		t.Fatalf("one: err %v, %d events", err, len(one.events))
	}
	if _, err := Read("many.jsonl", bytes.NewReader(noID(append(principalLines(n, 1), principalLines(1, 1)...))), &many); err != nil || len(many.events) != n+1 {
		t.Fatalf("many: err %v, %d events", err, len(many.events))
	}
	k := one.events[0].Key
	if len(k) != 32 || many.events[0].Key != k || many.events[n].Key != k {
		t.Fatalf("content keys %q, %q, %q of one record: want the same 32 hex digits",
			k, many.events[0].Key, many.events[n].Key)
	}
	if many.events[1].Key == k {
		t.Fatalf("records 0 and 1 share the content key %q", k)
	}
}
