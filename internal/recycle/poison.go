//go:build vedettepoison

package recycle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// Poisoning reports whether released events are poisoned (the
// vedettepoison build tag).
const Poisoning = true

// Marker is every string field of a released event: an alert showing it
// was built from an event after its release.
const Marker = "\u2620released-event"

// quarantineSize is how many released events stay poisoned before they
// are recycled: a use of one while it is held fails loudly (Check,
// CheckAlerts, alerts and orders made of poison), and a write to one is
// found when it leaves.
const quarantineSize = 4096

// poison is what a released event is overwritten with.
var poison = func() event.Event {
	var e event.Event
	fill(reflect.ValueOf(&e).Elem())
	e.Kind = 0xEE
	e.Time = time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC)
	e.SourceIP = netip.MustParseAddr("192.0.2.254")
	return e
}()

// fill sets every exported string of v to Marker and every exported
// number to its largest value.
func fill(v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(Marker)
		case reflect.Int, reflect.Int64:
			f.SetInt(1<<62 - 1)
		case reflect.Uint8, reflect.Uint32, reflect.Uint64:
			f.SetUint(0xEE)
		case reflect.Float64:
			f.SetFloat(-999)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Struct:
			fill(f)
		}
	}
}

// quarantine holds released events, poisoned, before they are recycled.
type quarantine struct {
	ring []*event.Event
	next int
}

// hold poisons e and returns the event to recycle now, if any: the one
// released quarantineSize releases earlier, checked untouched since.
func (q *quarantine) hold(e *event.Event) *event.Event {
	if *e == poison {
		panic(fmt.Sprintf("recycle: event %p released twice", e))
	}
	*e = poison
	if len(q.ring) < quarantineSize {
		q.ring = append(q.ring, e)
		return nil
	}
	old := q.ring[q.next]
	q.ring[q.next] = e
	q.next = (q.next + 1) % quarantineSize
	if *old != poison {
		panic(fmt.Sprintf("recycle: event %p written after its release", old))
	}
	return old
}

// Check panics when e was released.
func Check(e *event.Event) {
	if *e == poison {
		panic(fmt.Sprintf("recycle: event %p used after its release", e))
	}
}

// CheckAlerts panics when an alert shows anything of a released event.
func CheckAlerts(alerts []event.Alert) {
	for _, a := range alerts {
		b, err := json.Marshal(a)
		if err != nil {
			panic(err)
		}
		if bytes.Contains(b, []byte(Marker)) || bytes.Contains(b, []byte("1901-01-01")) {
			panic(fmt.Sprintf("recycle: alert %s built from a released event: %s", a.ID, b))
		}
	}
}
