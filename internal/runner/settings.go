package runner

import (
	"context"
	"time"

	"github.com/vedette/vedette/internal/api"
)

// settingsPoll is how often serve looks for settings changed by another
// process (`vedette api` on the same data directory or database).
const settingsPoll = 5 * time.Second

// loadSettings layers the run-time settings the store holds (changed
// through the API) over the configuration's detections; the next event of
// every scope sees them.
func (env *Env) loadSettings(ctx context.Context) error {
	os, err := env.Store.SettingOverrides(ctx)
	if err != nil {
		return err
	}
	env.scopes.SetLayers(api.Layers(os))
	return nil
}

// settingsChanged reloads the settings after a change through this
// process's store.
func (env *Env) settingsChanged() {
	if err := env.loadSettings(context.Background()); err != nil {
		env.log.Warn("settings reload", "err", err)
	}
}

// watchSettings reloads the settings when another process changed them,
// until ctx ends.
func (env *Env) watchSettings(ctx context.Context, every time.Duration) {
	seen, _ := env.Store.SettingsVersion(ctx)
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
		v, err := env.Store.SettingsVersion(ctx)
		if err != nil || v == seen {
			continue
		}
		seen = v
		env.settingsChanged()
	}
}
