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
	lowers map[string]string // value as written → its lower-case copy
	lo, hi uintptr           // the record's bytes
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

// lower returns s in lower case (strings.ToLower), owned when s had to
// change. Values written in upper case repeat from record to record (ARM
// operation names, resource IDs, subscription IDs, GUIDs): each is
// lower-cased once per reader. An already lower-case s is returned as it
// is, for ownEvent to intern.
func (t *strtab) lower(s string) string {
	if !mayHaveUpper(s) {
		return s
	}
	if v, ok := t.lowers[s]; ok {
		return v
	}
	v := strings.ToLower(s)
	if v == s {
		return s
	}
	if t.lowers == nil {
		t.lowers = map[string]string{}
	}
	if len(t.lowers) < maxInterned {
		t.lowers[t.clone(s)] = v
	}
	return v
}

// mayHaveUpper reports whether s has an ASCII upper-case letter or a
// non-ASCII byte (left to strings.ToLower).
func mayHaveUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
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
