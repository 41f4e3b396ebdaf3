package baseline

import (
	"math"
	"net/netip"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// recentSlots is how many distinct principals a place or IP remembers. It
// keeps the most recent ones, which makes "how many distinct principals used
// this within the window" exact up to recentSlots, the largest threshold a
// detection may ask for.
const recentSlots = 8

// MaxDistinct is the largest distinct-principal count the baseline can
// answer exactly; thresholds above it are rejected by config validation.
const MaxDistinct = recentSlots

// Usage remembers which principals used something (an IP, a country, a
// place) and on which days. It is a value type kept inline in its map: an
// organisation has far more IPs than principals, so an IP's usage must be
// small (52 bytes).
type Usage struct {
	Who     [recentSlots]uint32 // principal index + 1 (0 = empty slot)
	Day     [recentSlots]uint16 // last day each of them used it (days since the Unix epoch)
	LastDay uint16              // latest use by anyone
}

// touch records that principal who used it on day. changed is false when
// u already said so; evicted is the slot value (principal index + 1) made
// room for, 0 if none.
//
// The slot is the first that holds who or is empty; when none is, the
// least recently used (the first of them). Shared places and egress IPs
// have more principals than slots, so most touches look at every slot:
// finding the slot and the least recently used one are separate loops,
// each a compare a slot.
func (u *Usage) touch(who uint32, day uint16) (changed bool, evicted uint32) {
	changed = day > u.LastDay
	u.LastDay = max(u.LastDay, day)
	w := who + 1
	for i := range u.Who {
		switch u.Who[i] {
		case w:
			if day > u.Day[i] {
				u.Day[i], changed = day, true
			}
			return changed, 0
		case 0:
			u.Who[i], u.Day[i] = w, day
			return true, 0
		}
	}
	victim, least := 0, u.Day[0]
	for i, d := range u.Day[1:] {
		if d < least {
			victim, least = i+1, d
		}
	}
	evicted = u.Who[victim]
	u.Who[victim], u.Day[victim] = w, day
	return true, evicted
}

// Others counts distinct principals other than who that used it on or after
// day since (exact up to recentSlots).
func (u Usage) Others(who uint32, since uint32) int {
	n := 0
	for i := range u.Who {
		if u.Who[i] != 0 && u.Who[i] != who+1 && uint32(u.Day[i]) >= since {
			n++
		}
	}
	return n
}

// Count counts distinct principals that used it on or after day since.
func (u Usage) Count(since uint32) int {
	n := 0
	for i := range u.Who {
		if u.Who[i] != 0 && uint32(u.Day[i]) >= since {
			n++
		}
	}
	return n
}

// Watermark is how far a stream (tenant and kind of log) has been processed:
// the latest event time and the keys of the events at exactly that time, so
// re-reading the same input neither re-learns nor re-alerts.
type Watermark struct {
	Time int64 // Unix nanoseconds
	Keys []string
}

// Tenant is the learned state of one tenant (Entra tenant or AWS account).
type Tenant struct {
	ID         string
	FirstSeen  int64 // Unix seconds of the tenant's first activity
	Principals []Principal
	// IPs holds the usage of IPs used by more than one principal; SoloIPs
	// (IPv6) and SoloIPs4 (IPv4, by its 4 bytes) those only one principal
	// used (most of them: home and mobile addresses), in a fraction of
	// the space.
	IPs      map[IPKey]Usage
	SoloIPs  map[IPKey]Solo
	SoloIPs4 map[uint32]Solo
	// Nets and SoloNets are the same for networks (/24, /48 by default):
	// shared egress pools hand out many addresses of one network.
	Nets     map[NetKey]Usage
	SoloNets map[NetKey]Solo
	// Hops and SoloHops are the habitual hops: which principals moved
	// between a pair of endpoints (place and network) in the window.
	Hops     map[HopKey]Usage
	SoloHops map[HopKey]Solo
	// UserHops are each hopping principal's own recent hops, by index.
	UserHops   map[uint32]Hops
	Countries  map[Country]Usage
	Cells      map[Cell]Usage
	Watermarks map[event.Kind]*Watermark
	// Sessions are the management sessions of principals active on ARM,
	// by principal index; SessionSweep is the day they were last swept.
	Sessions     map[uint32]*Session
	SessionSweep uint32
	// Failures are recent failed sign-ins by source network, for password
	// spray and brute force; Deletions the recent deletions of principals
	// that delete resources.
	Failures  map[NetKey]*Failures
	Deletions map[uint32]*Deletions

	// AppKeys are the client apps principals used, by index (AppSeen):
	// the app ID, or the name when the log has no ID; AppNames what to
	// show for each (the name once a log gave one).
	AppKeys, AppNames []string

	cfg      Config
	index    map[string]uint32
	appIndex map[string]uint16 // app key -> 1 + index in AppKeys
	strings  stringTable
	// names caches Lookup's answers by the address of the name.
	names nameCache
	// lastName and lastIndex cache the last successful Lookup.
	lastName  string
	lastIndex uint32
	// lastAppKey and lastApp cache the last app touchApp found: a
	// client's refreshes and a session's operations come in runs.
	lastAppKey string
	lastApp    uint16
	// failNet and fail cache FailuresFrom's last answer (nil included)
	// while failCached: cleared when Failures gains or loses a network.
	failNet    NetKey
	fail       *Failures
	failCached bool
	// failWho has a bit per principal index that has a slot in Failures
	// (or had, until the next prune or restore).
	failWho []uint64
}

func newTenant(id string, cfg Config) *Tenant {
	t := &Tenant{ID: id, cfg: cfg}
	t.initMaps()
	t.reindex()
	return t
}

// initMaps makes the maps a snapshot left nil (empty, or written before
// they existed).
func (t *Tenant) initMaps() {
	initMap(&t.IPs)
	initMap(&t.SoloIPs)
	initMap(&t.SoloIPs4)
	initMap(&t.Nets)
	initMap(&t.SoloNets)
	initMap(&t.Hops)
	initMap(&t.SoloHops)
	initMap(&t.UserHops)
	initMap(&t.Failures)
	initMap(&t.Deletions)
	initMap(&t.Countries)
	initMap(&t.Cells)
	initMap(&t.Watermarks)
	initMap(&t.Sessions)
}

func initMap[K comparable, V any](m *map[K]V) {
	if *m == nil {
		*m = map[K]V{}
	}
}

func (t *Tenant) reindex() {
	t.lastAppKey, t.lastApp = "", 0
	t.appIndex = make(map[string]uint16, len(t.AppKeys))
	for i, a := range t.AppKeys {
		t.appIndex[a] = uint16(i + 1)
	}
	t.index = make(map[string]uint32, len(t.Principals))
	t.names = nameCache{}
	t.strings = newStringTable(internBudget)
	for i := range t.Principals {
		p := &t.Principals[i]
		t.index[p.Name] = uint32(i)
		for _, s := range []*string{&p.Fix.City, &p.Fix.App, &p.Fix.UserAgent, &p.Fix.Operation, &p.Fix.Source, &p.Fix.GeoSource, &p.Fix.GeoBuild} {
			*s = t.internString(*s)
		}
	}
}

func (t *Tenant) internString(s string) string { return t.strings.intern(s) }

// Lookup returns the principal's index and state, or ok=false if the tenant
// has never seen it. The pointer is valid until the next Learn.
func (t *Tenant) Lookup(name string) (uint32, *Principal, bool) {
	// The pipeline looks a principal up before detection and again to
	// learn: remember the last hit.
	if same(t.lastName, name) && name != "" {
		return t.lastIndex, &t.Principals[t.lastIndex], true
	}
	i, ok := t.names.get(name, t.Principals)
	if !ok {
		if i, ok = t.index[name]; !ok {
			return 0, nil, false
		}
		t.names.put(name, i, len(t.Principals))
	}
	t.lastName, t.lastIndex = name, i
	return i, &t.Principals[i], true
}

// NumPrincipals is how many principals the tenant has seen.
func (t *Tenant) NumPrincipals() int { return len(t.Principals) }

// Cell is a square of about 0.5° (≈55 km) on the map: "a place" for the
// question "do other users of the organisation regularly use this place".
type Cell uint32

// CellOf returns the cell containing lat, lon.
func CellOf(lat, lon float64) Cell {
	y := uint32(math.Floor((lat + 90) * 2))
	x := uint32(math.Floor((lon + 180) * 2))
	return Cell(y<<16 | x)
}

// Day converts event time to the day number used by the slots.
func Day(t time.Time) uint32 { return uint32(t.Unix() / 86400) }

// IPKey is an IP address as a map key: 16 bytes, where netip.Addr takes 24.
type IPKey [16]byte

// KeyOf returns ip's key (IPv4-mapped IPv6 and IPv4 are the same key).
func KeyOf(ip netip.Addr) IPKey { return ip.Unmap().As16() }

// Solo is the usage of an IP only one principal used.
type Solo struct {
	Who uint32 // principal index + 1
	Day uint16
}
