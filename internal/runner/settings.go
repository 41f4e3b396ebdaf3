package runner

import (
	"context"
	"time"

	"github.com/vedette/vedette/internal/config"
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
	activity, network := config.SplitRuntime(overrides)
	if err := env.scopes.SetRuntime(&env.cfg, activity); err != nil {
		env.log.Warn("settings overrides skipped", "err", err)
	}
	if err := env.netScopes.SetRuntime(&env.cfg.Network, network); err != nil {
		env.log.Warn("network settings overrides skipped", "err", err)
	}
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
