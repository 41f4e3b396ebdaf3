package runner

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/metrics"
)

// statusRecheck is how often a status loop that is off looks whether a
// reload turned it on.
const statusRecheck = time.Minute

// statusLoop logs a one-line status every ops.status_interval until ctx
// ends.
func (o *ops) statusLoop(ctx context.Context) {
	for {
		every := time.Duration(o.status.Load())
		wait := every
		if wait <= 0 {
			wait = statusRecheck
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if every > 0 {
			o.log.Info("serve status", statusAttrs(o.snapshot(), time.Now(), o.newAlerts.Load())...)
		}
	}
}

// statusAttrs is the status line: totals since start and current levels.
func statusAttrs(s metrics.Snapshot, now time.Time, newAlerts uint64) []any {
	attrs := []any{slog.Uint64("new_alerts", newAlerts)}
	if f := s.Flows; f != nil {
		d := f.Decoder
		attrs = append(attrs,
			slog.Uint64("flow_packets", d.Packets), slog.Uint64("flows_decoded", d.Flows),
			slog.Uint64("flow_drops", d.Dropped+d.Truncated+d.UnknownTemplate+d.BadVersion+d.TemplateRejected+d.Malformed+d.NotAllowed+d.TemplateMemory),
			slog.Uint64("flow_set_overruns", d.Overruns),
			slog.Int("open_hours", f.Gauges.OpenHours), slog.Int("hosts", f.Gauges.Hosts),
			slog.Int("exporter_clocks", f.Gauges.Clocks), slog.Uint64("flows_clock_refused", f.Engine.ClockRefused))
		if f.KernelDropsErr == nil {
			attrs = append(attrs, slog.Uint64("kernel_drops", f.KernelDrops))
		}
	}
	for _, src := range s.Sources {
		var rejected uint64
		for _, n := range src.Rejected {
			rejected += n
		}
		p := src.Kind + "_"
		attrs = append(attrs, slog.Uint64(p+"read", src.Read), slog.Uint64(p+"rejected", rejected), slog.Uint64(p+"late", src.Late))
		if !src.Newest.IsZero() {
			attrs = append(attrs, slog.Duration(p+"lag", now.Sub(src.Newest).Round(time.Second)))
		}
	}
	if a := s.Activity; a != nil {
		attrs = append(attrs, slog.Int("principals", a.Principals), slog.Int("held", a.Held),
			slog.Int("partitions", a.Kafka.Partitions), slog.Int("caught_up", a.Kafka.CaughtUp))
	}
	return attrs
}

// reloadLoop applies a reload for each request (SIGHUP) until ctx ends.
func (o *ops) reloadLoop(ctx context.Context, reqs <-chan struct{}, load func() (config.Config, error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-reqs:
		}
		next, err := load()
		o.metrics.Reload("config", err)
		if err != nil {
			o.log.Error("reload: configuration rejected, keeping the running one", "err", err)
			continue
		}
		o.reload(next)
	}
}

// reload applies what can change while serve runs: the activity
// detections and their overrides, the IP lists (their set and their
// files), the inventory file, the TI feeds' files and the status interval. Other changed settings are logged: they take effect at
// the next start. API tokens reload too.
func (o *ops) reload(next config.Config) {
	cur := o.cfg
	if changed := restartNeeded(cur, next); len(changed) > 0 {
		o.log.Warn("reload: these settings change only with a restart", "sections", strings.Join(changed, ","))
	}
	if !reflect.DeepEqual(cur.Detections, next.Detections) || !reflect.DeepEqual(cur.Overrides, next.Overrides) {
		o.reloadDetections(&next)
	}
	if !reflect.DeepEqual(cur.API.Tokens, next.API.Tokens) {
		err := o.env.reloadAPITokens(next.API.Tokens)
		o.metrics.Reload("api_tokens", err)
		if err != nil {
			o.log.Error("reload: API tokens rejected, keeping the previous ones", "err", err)
			next.API.Tokens = cur.API.Tokens
		} else {
			o.log.Info("reload: API tokens in force", "tokens", len(next.API.Tokens))
		}
	}
	var err error
	if reflect.DeepEqual(cur.Lists, next.Lists) {
		err = o.env.Lists.Reload()
	} else {
		err = o.env.Lists.SetLists(listConfigs(next.Lists))
	}
	o.metrics.Reload("lists", err)
	if err != nil {
		o.log.Error("reload: IP lists rejected, keeping the previous ones", "err", err)
	} else {
		o.log.Info("reload: IP lists loaded", "lists", len(next.Lists), "prefixes", o.env.Lists.Current().Len())
	}
	o.mu.Lock()
	inv, tiw := o.inv, o.ti
	o.mu.Unlock()
	if inv != nil {
		n, err := inv.ReloadFile(next.Network.Inventory)
		o.metrics.Reload("inventory", err)
		if err != nil {
			o.log.Error("reload: inventory rejected, keeping the previous one", "err", err)
		} else {
			o.log.Info("reload: inventory loaded", "file", next.Network.Inventory, "ips", n)
		}
	}
	if tiw != nil {
		tiw.Reload() // re-reads changed feed files; logs what it did
	}
	o.status.Store(int64(next.Ops.StatusInterval))
	o.cfg = next
}

// reloadDetections puts the file's detections and overrides in force,
// with the run-time settings stored through the API layered over them
// again (checked against the new file); every pipeline sees them from its
// next event.
func (o *ops) reloadDetections(next *config.Config) {
	o.env.scopes.SetFile(next)
	overrides, err := o.env.Store.SettingOverrides(context.Background())
	if err == nil {
		activity, network := config.SplitRuntime(overrides)
		err = errors.Join(o.env.scopes.SetRuntime(next, activity), o.env.netScopes.SetRuntime(&next.Network, network))
	}
	o.metrics.Reload("detections", err)
	if err != nil {
		o.log.Warn("reload: detections from the file in force, run-time settings skipped", "err", err)
		return
	}
	o.log.Info("reload: detections and overrides in force", "overrides", len(next.Overrides), "runtime_settings", len(overrides))
}

// restartNeeded names the top-level sections (by YAML key) that differ
// between a and b, ignoring the settings reload applies live.
func restartNeeded(a, b config.Config) []string {
	for _, c := range []*config.Config{&a, &b} {
		c.Lists, c.Network.Inventory, c.Ops.StatusInterval, c.API.Tokens = nil, "", 0, nil
		c.Detections, c.Overrides = config.Detections{}, nil
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			name, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("yaml"), ",")
			out = append(out, name)
		}
	}
	return out
}
