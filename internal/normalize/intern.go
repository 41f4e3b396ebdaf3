package normalize

import (
	"strings"
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// maxInterned bounds the strings a reader keeps for reuse.
const maxInterned = 1 << 14

// strtab gives the strings an event keeps their own bytes. The fast
// decoder's strings point into the record being read, whose buffer is
// reused for the next record; strings that do are copied, and the values
// that repeat from record to record (tenants, apps, user agents,
// categories, codes) are copied once per reader and shared.
type strtab struct {
	m      map[string]string
	lo, hi uintptr // the record's bytes
}

func (t *strtab) setRecord(raw []byte) {
	t.lo = uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	t.hi = t.lo + uintptr(len(raw))
}

func (t *strtab) borrowed(s string) bool {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return s != "" && t.lo <= p && p < t.hi
}

// intern returns s, or a shared copy when s points into the record.
func (t *strtab) intern(s string) string {
	if !t.borrowed(s) {
		return s
	}
	if v, ok := t.m[s]; ok {
		return v
	}
	c := strings.Clone(s)
	if t.m == nil {
		t.m = map[string]string{}
	}
	if len(t.m) < maxInterned {
		t.m[c] = c
	}
	return c
}

// clone returns s, or a copy when s points into the record: for values
// unique to a record, not worth keeping.
func (t *strtab) clone(s string) string {
	if !t.borrowed(s) {
		return s
	}
	return strings.Clone(s)
}

// ownEvent makes every string of e independent of the record's bytes.
func (t *strtab) ownEvent(e *event.Event) {
	e.Key = t.clone(e.Key)
	e.DisplayName = t.intern(e.DisplayName)
	for _, s := range []*string{&e.Tenant, &e.Subscription, &e.Principal, &e.PrincipalID,
		&e.UserAgent, &e.AppID, &e.AppName, &e.Operation, &e.Category, &e.ResultCode, &e.Resource,
		&e.Location.Country, &e.Location.City, &e.Location.Source, &e.Location.Build, &e.Origin.Source} {
		*s = t.intern(*s)
	}
}
