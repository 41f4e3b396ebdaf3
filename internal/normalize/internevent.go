package normalize

import "github.com/vedette/vedette/internal/event"

// ownEvent makes every string of e independent of the record's bytes.
// Each field is compared with the value it is predicted to have, the
// owned copy of which is then taken: no hashing. An app's events share
// its name and the resource it signs in to (the app cache); the other
// fields take few values in turn (the last two are kept). Only a field
// that differs from its prediction is interned, and becomes the
// prediction. A principal's tenant, agent and place, though more often
// the principal's previous event's than the previous event's, are not
// kept beside the principal: that costs a cache line more a record,
// which at thousands of principals misses (the who cache's slots are a
// cache line each).
func (t *strtab) ownEvent(e *event.Event) {
	if t.borrowed(e.Key) {
		e.Key = t.keep(e.Key)
	}
	e.Detail = t.clone(e.Detail)
	t.ownWho(e)
	t.ownApp(e)
	for i, s := range [lastFields]*string{&e.Tenant, &e.UserAgent, &e.Location.Country, &e.Location.City,
		&e.Subscription, &e.Operation, &e.Category, &e.ResultCode,
		&e.Location.Source, &e.Location.Build, &e.Origin.Source} {
		if !t.borrowed(*s) {
			continue
		}
		switch last := &t.last[i]; *s {
		case last[0]:
			*s = last[0]
		case last[1]:
			*s = last[1]
		default:
			*s = t.intern(*s)
			last[0], last[1] = *s, last[0]
		}
	}
}

const lastFields = 11 // strtab.last

// ownAs owns *s, borrowed, as *pred when they are equal, else as an
// interned copy, which becomes the prediction.
func ownAs(t *strtab, s, pred *string) {
	if *s != *pred {
		*pred = t.intern(*s)
	}
	*s = *pred
}

// appSlot is an app's ID, name and resource, owned, as an app's previous
// event had them.
type appSlot [3]string

const appSlots = 64

// ownApp owns e's app ID, app name and resource from the slot of its app
// ID: an app has one name and mostly signs in to one resource.
func (t *strtab) ownApp(e *event.Event) {
	if t.apps == nil {
		t.apps = new([appSlots]appSlot)
	}
	a := &t.apps[quickHash(e.AppID)>>(64-6)]
	for i, s := range [3]*string{&e.AppID, &e.AppName, &e.Resource} {
		if t.borrowed(*s) {
			ownAs(t, s, &a[i])
		}
	}
}
