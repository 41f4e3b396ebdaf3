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
	if err := env.scopes.SetRuntime(&env.cfg, runtimeOverrides(overrides)); err != nil {
		env.log.Warn("settings overrides skipped", "err", err)
	}
}

func runtimeOverrides(os []store.SettingOverride) []config.RuntimeOverride {
	out := make([]config.RuntimeOverride, len(os))
	for i, o := range os {
		out[i] = config.RuntimeOverride{Tenant: o.Tenant, Subscription: o.Subscription, Detection: o.Detection, Enabled: o.Enabled, Params: o.Params}
	}
	return out
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
