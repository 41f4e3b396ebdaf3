package baseline

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"slices"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// AzurePowerShellAppID is the client app ID of Azure PowerShell.
const AzurePowerShellAppID = "1950a258-227b-4e31-a9cf-717495945fc2"

// Config sets how long behaviour is remembered.
type Config struct {
	// Window is how far back "recently" reaches: countries, IPs and places
	// used within it count as known. Default 30 days.
	Window time.Duration `yaml:"window"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Window: 30 * 24 * time.Hour} }

// Baselines is the learned state of every tenant. It is not safe for
// concurrent use: the pipeline feeds it from one goroutine, in event order.
type Baselines struct {
	cfg     Config
	tenants map[string]*Tenant
	last    *Tenant // the tenant Tenant returned last
}

// New returns empty baselines.
func New(cfg Config) *Baselines {
	return &Baselines{cfg: cfg, tenants: map[string]*Tenant{}}
}

// Config returns the configuration the baselines were made with.
func (b *Baselines) Config() Config { return b.cfg }

// Tenant returns the state of tenant id, creating it if needed.
func (b *Baselines) Tenant(id string) *Tenant {
	// Events come in runs of one tenant: remember the last one.
	if b.last != nil && b.last.ID == id {
		return b.last
	}
	t, ok := b.tenants[id]
	if !ok {
		t = newTenant(id)
		b.tenants[id] = t
	}
	b.last = t
	return t
}

// WindowStart is the first day that counts as "recent" at time now.
func (b *Baselines) WindowStart(now time.Time) uint32 {
	return Day(now.Add(-b.cfg.Window))
}

// Seen reports whether e was already processed, judged by its stream's
// watermark: events older than the watermark, or at the watermark with a
// key already seen there, have been. A replayed or overlapping input is
// thereby neither learned nor alerted twice.
func (b *Baselines) Seen(e *event.Event) bool {
	t, ok := b.tenants[e.Tenant]
	if !ok {
		return false
	}
	w, ok := t.Watermarks[e.Kind]
	if !ok {
		return false
	}
	ns := e.Time.UnixNano()
	return ns < w.Time || (ns == w.Time && slices.Contains(w.Keys, e.Key))
}

// Learn folds e into the baselines. Call it after the detections have looked
// at e, so that an event is never compared with itself.
func (b *Baselines) Learn(e *event.Event) {
	t := b.Tenant(e.Tenant)
	advance(t, e)
	sec, day := e.Time.Unix(), Day(e.Time)
	if t.FirstSeen == 0 || sec < t.FirstSeen {
		t.FirstSeen = sec
	}
	i, _, ok := t.Lookup(e.Principal)
	if !ok {
		i = uint32(len(t.Principals))
		t.Principals = append(t.Principals, Principal{Name: e.Principal, FirstSeen: sec})
		t.index[e.Principal] = i
	}
	p := &t.Principals[i]
	t.learnSession(i, p, !ok, e)
	p.LastSeen = max(p.LastSeen, sec)
	if e.AppID == AzurePowerShellAppID {
		p.LastPowerShell = max(p.LastPowerShell, sec)
	}
	if e.Result != event.ResultSuccess {
		return
	}
	p.LastSuccess = max(p.LastSuccess, sec)
	if !e.SourceIP.IsValid() || !event.IsPublicIP(e.SourceIP) {
		return
	}
	ip := e.SourceIP.Unmap()
	p.touchIP(ip, day)
	t.touchIP(KeyOf(ip), i, uint16(day))
	if c := CountryOf(e.Location.Country); c != 0 {
		p.touchCountry(c, day)
		touch(t.Countries, c, i, day)
	}
	if e.Location.HasCoord {
		touch(t.Cells, CellOf(e.Location.Lat, e.Location.Lon), i, day)
	}
	if e.Interactive && e.Location.Known() && sec >= p.Fix.Time {
		p.Fix = t.fixOf(e)
	}
}

func (t *Tenant) fixOf(e *event.Event) Fix {
	l := e.Location
	app := e.AppName
	if app == "" {
		app = e.AppID
	}
	return Fix{
		Time: e.Time.Unix(), IP: e.SourceIP.Unmap(),
		Lat: float32(l.Lat), Lon: float32(l.Lon), RadiusKm: float32(l.RadiusKm), HasCoord: l.HasCoord,
		Country: CountryOf(l.Country), City: t.internString(l.City),
		App: t.internString(app), UserAgent: t.internString(e.UserAgent),
		Operation: t.internString(e.Operation), Source: t.internString(e.Origin.Source),
		Record: int32(e.Origin.Record), Key: e.Key,
		GeoSource: t.internString(l.Source), GeoBuild: t.internString(l.Build),
	}
}

func touch[K comparable](m map[K]Usage, k K, who, day uint32) {
	u := m[k]
	u.touch(who, uint16(day))
	m[k] = u
}

func advance(t *Tenant, e *event.Event) {
	ns := e.Time.UnixNano()
	w, ok := t.Watermarks[e.Kind]
	if !ok {
		w = &Watermark{}
		t.Watermarks[e.Kind] = w
	}
	switch {
	case ns > w.Time:
		w.Time, w.Keys = ns, append(w.Keys[:0], e.Key)
	case ns == w.Time:
		w.Keys = append(w.Keys, e.Key)
	}
}

// Prune forgets IP and place usage last seen before the window at now.
// Principals are kept: their first-seen time is what learning periods and
// inactivity are measured against.
func (b *Baselines) Prune(now time.Time) {
	cut := uint16(b.WindowStart(now))
	for _, t := range b.tenants {
		pruneUsage(t.IPs, cut)
		for k, s := range t.SoloIPs {
			if s.Day < cut {
				delete(t.SoloIPs, k)
			}
		}
		pruneUsage(t.Cells, cut)
	}
}

func pruneUsage[K comparable](m map[K]Usage, cut uint16) {
	for k, u := range m {
		if u.LastDay < cut {
			delete(m, k)
		}
	}
}

// snapshot is the serialized form of Baselines.
type snapshot struct {
	Version int
	Tenants map[string]*Tenant
}

// MarshalBinary serializes the baselines.
func (b *Baselines) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(snapshot{Version: 1, Tenants: b.tenants}); err != nil {
		return nil, fmt.Errorf("baseline: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores baselines written by MarshalBinary.
func (b *Baselines) UnmarshalBinary(data []byte) error {
	var s snapshot
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		return fmt.Errorf("baseline: decode: %w", err)
	}
	if s.Version != 1 {
		return fmt.Errorf("baseline: snapshot version %d not supported", s.Version)
	}
	for id, t := range s.Tenants {
		t.ID = id
		if t.IPs == nil {
			t.IPs = map[IPKey]Usage{}
		}
		if t.SoloIPs == nil {
			t.SoloIPs = map[IPKey]Solo{}
		}
		if t.Countries == nil {
			t.Countries = map[Country]Usage{}
		}
		if t.Cells == nil {
			t.Cells = map[Cell]Usage{}
		}
		if t.Watermarks == nil {
			t.Watermarks = map[event.Kind]*Watermark{}
		}
		if t.Sessions == nil {
			t.Sessions = map[uint32]*Session{}
		}
		t.reindex()
		t.reinternSessions()
	}
	b.tenants, b.last = s.Tenants, nil
	return nil
}
