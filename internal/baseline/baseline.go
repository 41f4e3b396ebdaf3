package baseline

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// AzurePowerShellAppID is the client app ID of Azure PowerShell.
const AzurePowerShellAppID = "1950a258-227b-4e31-a9cf-717495945fc2"

// IsPowerShell reports whether e came through PowerShell: the Azure
// PowerShell client app (sign-ins and ARM), or a directory (Entra audit)
// event whose user agent names PowerShell (WindowsPowerShell, PowerShell 7,
// Microsoft Graph PowerShell), the only mark audit records carry.
func IsPowerShell(e *event.Event) bool {
	return isPowerShellApp(e.AppID) ||
		e.Kind == event.KindDirectory && strings.Contains(strings.ToLower(e.UserAgent), "powershell")
}

// isPowerShellApp reports whether app is AzurePowerShellAppID. Learn asks
// for every event, and most app IDs are GUIDs of the same length: the
// first byte tells most apart without comparing the rest.
func isPowerShellApp(app string) bool {
	return len(app) == len(AzurePowerShellAppID) && app[0] == AzurePowerShellAppID[0] && app == AzurePowerShellAppID
}

// Config sets how long behaviour is remembered.
type Config struct {
	// Window is how far back "recently" reaches: countries, IPs and places
	// used within it count as known. Default 30 days.
	Window time.Duration `yaml:"window"`
	// EgressV4Bits and EgressV6Bits are the prefix lengths of a network
	// for shared egress: addresses of one pool (SASE gateways, carrier
	// CGNAT, office NAT) mostly share one. Defaults 24 and 48.
	EgressV4Bits int `yaml:"egress_prefix_v4"`
	EgressV6Bits int `yaml:"egress_prefix_v6"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Window: 30 * 24 * time.Hour, EgressV4Bits: 24, EgressV6Bits: 48}
}

// Baselines is the learned state of every tenant. It is not safe for
// concurrent use: the pipeline feeds it from one goroutine, in event order.
type Baselines struct {
	cfg     Config
	tenants map[string]*Tenant
	last    *Tenant // the tenant Tenant returned last
	lastID  string  // the ID last asked for that was last's (another copy, often)
	// caches are Learn's and Seen's derived state by tenant ID; lastCache
	// is last's.
	caches    map[string]*tenantCache
	lastCache *tenantCache
}

// New returns empty baselines.
func New(cfg Config) *Baselines {
	return &Baselines{cfg: cfg, tenants: map[string]*Tenant{}, caches: map[string]*tenantCache{}}
}

// Config returns the configuration the baselines were made with.
func (b *Baselines) Config() Config { return b.cfg }

// Tenant returns the state of tenant id, creating it if needed.
func (b *Baselines) Tenant(id string) *Tenant {
	t, _ := b.tenant(id)
	return t
}

// tenant returns the state of tenant id and its cache, creating them if
// needed.
func (b *Baselines) tenant(id string) (*Tenant, *tenantCache) {
	// Events come in runs of one tenant: remember the last one.
	if b.isLast(id) {
		return b.last, b.lastCache
	}
	t, ok := b.tenants[id]
	if !ok {
		t = newTenant(id, b.cfg)
		b.tenants[id] = t
	}
	c, ok := b.caches[id]
	if !ok {
		c = &tenantCache{}
		b.caches[id] = c
	}
	b.last, b.lastCache, b.lastID = t, c, id
	return t, c
}

// isLast reports whether id is the last tenant's. The events' tenant IDs
// are a decoder's copies: comparing addresses first spares comparing
// their bytes for every event.
func (b *Baselines) isLast(id string) bool {
	if b.last == nil {
		return false
	}
	if same(b.lastID, id) {
		return true
	}
	if b.last.ID == id {
		b.lastID = id
		return true
	}
	return false
}

// WindowStart is the first day that counts as "recent" at time now.
func (b *Baselines) WindowStart(now time.Time) uint32 {
	// Day(now.Add(-b.cfg.Window)) in whole seconds and nanoseconds: the
	// pipeline asks for every event, and Time.Add is most of the cost.
	w := b.cfg.Window
	sec := now.Unix() - int64(w/time.Second)
	switch ns := int64(now.Nanosecond()) - int64(w%time.Second); {
	case ns < 0:
		sec--
	case ns >= int64(time.Second):
		sec++
	}
	return uint32(sec / 86400)
}

// Seen reports whether e was already processed, judged by its stream's
// watermark: events older than the watermark, or at the watermark with a
// key already seen there, have been. A replayed or overlapping input is
// thereby neither learned nor alerted twice.
func (b *Baselines) Seen(e *event.Event) bool {
	if !b.isLast(e.Tenant) {
		// Seen never creates a tenant.
		if _, ok := b.tenants[e.Tenant]; !ok {
			return false
		}
	}
	t, c := b.tenant(e.Tenant)
	w := c.watermark(t, e.Kind)
	if w == nil {
		return false
	}
	ns := e.Time.UnixNano()
	return ns < w.Time || (ns == w.Time && slices.Contains(w.Keys, e.Key))
}

// Learn folds e into the baselines. Call it after the detections have looked
// at e, so that an event is never compared with itself.
func (b *Baselines) Learn(e *event.Event) {
	t, c := b.tenant(e.Tenant)
	advance(t, c, e)
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
	if p.FirstSeen == 0 {
		p.FirstSeen = sec // forgotten by Repair
	}
	t.learnSession(c, i, p, !ok, e)
	p.LastSeen = max(p.LastSeen, sec)
	p.countHour(int((sec%86400+86400)%86400) / 3600) // the UTC hour
	if IsPowerShell(e) {
		p.LastPowerShell = max(p.LastPowerShell, sec)
	}
	if e.Result != event.ResultSuccess {
		if e.SourceIP.IsValid() && IsCredentialFailure(e) {
			t.learnFailure(i, e)
		}
		return
	}
	p.LastSuccess = max(p.LastSuccess, sec)
	if IsResourceDeletion(e) {
		t.learnDeletion(i, e)
	}
	t.touchApp(p, e, day)
	if !e.SourceIP.IsValid() || !event.IsPublicIP(e.SourceIP) {
		return
	}
	t.endRun(i, e)
	t.learnUse(c, i, p, e, day)
	if IsLocationEvidence(e) && sec >= p.Fix.Time {
		t.learnHop(i, p, e, day)
		t.moveFix(&p.Fix, e)
	}
}

// IsLocationEvidence reports whether e says where its principal is: a
// successful interactive activity of a user from a public IP with a place.
// A management operation from Microsoft's own network is a call the
// service made on the user's behalf (the portal's back end, a deployment),
// and says where Microsoft is.
func IsLocationEvidence(e *event.Event) bool {
	return e.PrincipalKind == event.PrincipalUser &&
		e.Result == event.ResultSuccess && e.Interactive &&
		e.SourceIP.IsValid() && event.IsPublicIP(e.SourceIP) &&
		e.Location.Known() && !IsServiceCall(e)
}

// IsServiceCall reports whether e is a management operation that came from
// Microsoft's own network.
func IsServiceCall(e *event.Event) bool {
	return e.Kind == event.KindManagement && e.Network.Class == event.NetMicrosoft
}

// learnUse records principal i's use of ip, and of the place in loc, on
// day. A principal repeating a use one of its marks vouches for (the same
// IP and place on the same day) changes nothing and is skipped.
//
// Countries count only a user's interactive activity: token refreshes and
// service calls run wherever the client or the service is.
func (t *Tenant) learnUse(c *tenantCache, i uint32, p *Principal, e *event.Event, day uint32) {
	ip, loc := e.SourceIP.Unmap(), e.Location
	u := use{ip: KeyOf(ip), hasCell: loc.HasCoord}
	if e.Interactive && e.PrincipalKind == event.PrincipalUser && !IsServiceCall(e) {
		u.country = CountryOf(loc.Country)
	}
	if u.hasCell {
		u.cell = CellOf(loc.Lat, loc.Lon)
	}
	ms := c.marksOf(i, len(t.Principals))
	if known(ms, p, &u, day) {
		return
	}
	// A mark of the same IP leaves only the country or the cell to learn.
	var m mark
	if mp := ipMark(ms, p, &u, day); mp != nil {
		m = *mp
	}
	slot, reused := int(m.slot), false
	if m.flags&markOK == 0 {
		slot, reused = p.touchIP(ip, day)
	}
	if m.flags&(markOK|markIP) != markOK|markIP {
		c.forget(t.touchIP(u.ip, i, uint16(day)), markIP)
	}
	if m.flags&(markOK|markNet) != markOK|markNet {
		c.forget(touchShared(t.SoloNets, t.Nets, t.cfg.netOf(ip), i, uint16(day)), markNet)
	}
	var evicted Country // m, if not a mark, needs u's country and cell
	if m.needsCountry(&u) {
		evicted = p.touchCountry(u.country, day)
		c.forgetCountry(touch(t.Countries, u.country, i, day), u.country)
	}
	if m.needsCell(&u) {
		c.forgetCell(touch(t.Cells, u.cell, i, day), u.cell)
	}
	remember(ms, &u, day, slot, reused, evicted)
}

// moveFix makes e the principal's fix. Strings are interned only when they
// change: a fix mostly moves between activities of one client.
func (t *Tenant) moveFix(f *Fix, e *event.Event) {
	l := e.Location
	app := e.AppName
	if app == "" {
		app = e.AppID
	}
	*f = Fix{
		Time: e.Time.Unix(), IP: e.SourceIP.Unmap(),
		Lat: float32(l.Lat), Lon: float32(l.Lon), RadiusKm: float32(l.RadiusKm), HasCoord: l.HasCoord,
		Country: CountryOf(l.Country), City: t.reintern(f.City, l.City),
		App: t.reintern(f.App, app), UserAgent: t.reintern(f.UserAgent, e.UserAgent),
		Operation: t.reintern(f.Operation, e.Operation), Source: t.reintern(f.Source, e.Origin.Source),
		Record: int32(e.Origin.Record), Key: e.Key,
		GeoSource: t.reintern(f.GeoSource, l.Source), GeoBuild: t.reintern(f.GeoBuild, l.Build),
		ASN: e.Network.ASN, ASClass: netClassCode(e.Network.Class),
	}
}

// reintern returns old, already interned, when it equals s, and s interned
// otherwise.
func (t *Tenant) reintern(old, s string) string {
	if old == s {
		return old
	}
	return t.internString(s)
}

// touch records that who used k on day, writing the map only when that
// changes something. It returns the use (principal index + 1) evicted to
// make room, 0 if none.
func touch[K comparable](m map[K]Usage, k K, who, day uint32) (evicted uint32) {
	u := m[k]
	changed, evicted := u.touch(who, uint16(day))
	if changed {
		m[k] = u
	}
	return evicted
}

func advance(t *Tenant, c *tenantCache, e *event.Event) {
	ns := e.Time.UnixNano()
	w := c.watermark(t, e.Kind)
	if w == nil {
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
	for _, c := range b.caches {
		c.prune(uint32(cut))
	}
	for _, t := range b.tenants {
		t.pruneIPs(cut)
		pruneShared(t.SoloNets, t.Nets, cut)
		pruneShared(t.SoloHops, t.Hops, cut)
		pruneUsage(t.Cells, cut)
		t.pruneFailures(now.Add(-FailureRun).Unix())
	}
}

func pruneUsage[K comparable](m map[K]Usage, cut uint16) {
	for k, u := range m {
		if u.LastDay < cut {
			delete(m, k)
		}
	}
}

// snapshotVersion is the version snapshots are written with. Version 1
// kept IPv4 solo IPs in SoloIPs (restore moves them to SoloIPs4); a binary
// that knows only version 1 refuses version 2 rather than drop SoloIPs4.
const snapshotVersion = 2

// snapshot is the serialized form of Baselines.
type snapshot struct {
	Version int
	Tenants map[string]*Tenant
}

// MarshalBinary serializes the baselines.
func (b *Baselines) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(snapshot{Version: snapshotVersion, Tenants: b.tenants}); err != nil {
		return nil, fmt.Errorf("baseline: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores baselines written by MarshalBinary.
func (b *Baselines) UnmarshalBinary(data []byte) error {
	tenants, err := decodeSnapshot(data)
	if err != nil {
		return err
	}
	b.restore(tenants)
	return nil
}

func decodeSnapshot(data []byte) (map[string]*Tenant, error) {
	var s snapshot
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		return nil, fmt.Errorf("baseline: decode: %w", err)
	}
	if s.Version < 1 || s.Version > snapshotVersion {
		return nil, fmt.Errorf("baseline: snapshot version %d not supported", s.Version)
	}
	return s.Tenants, nil
}

// restore replaces the baselines with decoded tenants.
func (b *Baselines) restore(tenants map[string]*Tenant) {
	if tenants == nil {
		tenants = map[string]*Tenant{}
	}
	for id, t := range tenants {
		t.ID, t.cfg = id, b.cfg
		t.initMaps()
		t.splitIPv4()
		t.reindex()
		t.reinternSessions()
		t.refail()
	}
	b.tenants, b.last = tenants, nil
	b.caches, b.lastCache = map[string]*tenantCache{}, nil
}
