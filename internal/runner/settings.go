package runner

import (
	"context"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
)

// settingsPoll is how often serve looks for settings changed by another
// process sharing the store (changes made through this process's store
// apply at once).
const settingsPoll = 5 * time.Second

// loadSettings reads the settings overrides from the store into the
// scopes; the pipelines see them from their next event. An override the
// configuration no longer accepts (a parameter renamed) is logged and left
// out, not fatal.
func (env *Env) loadSettings() {
	overrides, err := env.Store.SettingOverrides(context.Background())
	if err != nil {
		env.log.Error("settings overrides not loaded", "err", err)
		return
	}
	activity, network := runtimeOverrides(overrides)
	if err := env.scopes.SetRuntime(&env.cfg, activity); err != nil {
		env.log.Warn("settings overrides skipped", "err", err)
	}
	if err := env.netScopes.SetRuntime(&env.cfg.Network, network); err != nil {
		env.log.Warn("network settings overrides skipped", "err", err)
	}
}

// runtimeOverrides splits the stored overrides into the activity and the
// network detections'.
func runtimeOverrides(os []store.SettingOverride) (activity, network []config.RuntimeOverride) {
	for _, o := range os {
		r := config.RuntimeOverride{Tenant: o.Tenant, Subscription: o.Subscription, Detection: o.Detection, Enabled: o.Enabled, Params: o.Params}
		if config.IsNetworkDetection(o.Detection) {
			network = append(network, r)
		} else {
			activity = append(activity, r)
		}
	}
	return activity, network
}

// watchSettings reloads the overrides whenever another process changed
// them, until ctx ends.
func (env *Env) watchSettings(ctx context.Context) {
	last, _ := env.Store.SettingsVersion(ctx)
	tk := time.NewTicker(settingsPoll)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			v, err := env.Store.SettingsVersion(ctx)
			if err == nil && v != last {
				last = v
				env.loadSettings()
			}
		}
	}
}
