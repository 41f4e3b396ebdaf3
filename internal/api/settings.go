package api

import (
	"cmp"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
)

// settingsView is GET /settings: the effective settings of every scope the
// configuration or the API names.
type settingsView struct {
	Settings []config.Effective `json:"settings"`
}

// effective resolves the stored overrides over the configuration, as the
// detections do: the activity detections for every scope named ("*"/"*"
// first), then the network detections for every subscription named.
func (s *Server) effective(r *http.Request) ([]config.Effective, error) {
	os, err := s.store.SettingOverrides(r.Context())
	if err != nil {
		return nil, err
	}
	activity, network := config.SplitRuntime(os)
	sc, nsc := s.cfg.Scopes(), s.cfg.Network.RuntimeScopes()
	if err := errors.Join(sc.SetRuntime(&s.cfg, activity), nsc.SetRuntime(&s.cfg.Network, network)); err != nil {
		s.log.Warn("api: stored settings the configuration refuses", "err", err)
	}
	scopes := map[[2]string]bool{{"*", "*"}: true}
	for _, o := range s.cfg.Overrides {
		scopes[[2]string{cmp.Or(o.Tenant, "*"), cmp.Or(o.Subscription, "*")}] = true
	}
	for _, o := range activity {
		scopes[[2]string{o.Tenant, o.Subscription}] = true
	}
	var out []config.Effective
	for _, k := range slices.SortedFunc(maps.Keys(scopes), compareScope) {
		out = append(out, sc.Effective(k[0], k[1])...)
	}
	return append(out, nsc.EffectiveAll()...), nil
}

// compareScope orders "*" first, then by tenant and subscription.
func compareScope(a, b [2]string) int {
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		switch {
		case a[i] == "*":
			return -1
		case b[i] == "*":
			return 1
		}
		return strings.Compare(a[i], b[i])
	}
	return 0
}

func (s *Server) listSettings(w http.ResponseWriter, r *http.Request) {
	eff, err := s.effective(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsView{Settings: eff})
}

// settingBody is a PUT /settings body: what the API changes over the
// configuration; fields left out keep the configuration's value.
type settingBody struct {
	Enabled *bool          `json:"enabled"`
	Params  map[string]any `json:"params"`
}

// putSetting stores a run-time setting, checked as the configuration file
// would be. The store audits it and tells the detections of this process
// (Store.OnSettingsChange); other processes poll Store.SettingsVersion.
func (s *Server) putSetting(w http.ResponseWriter, r *http.Request) {
	var body settingBody
	if err := decode(r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	o := config.RuntimeOverride{Tenant: r.PathValue("tenant"), Subscription: r.PathValue("subscription"),
		Detection: r.PathValue("detection"), Enabled: body.Enabled, Params: body.Params}
	if o.Enabled == nil && len(o.Params) == 0 {
		s.fail(w, r, badf("nothing to change: set enabled or params"))
		return
	}
	if err := s.validateSetting(o); err != nil {
		s.fail(w, r, badf("%s: %v", o.Detection, err))
		return
	}
	err := s.store.PutSetting(r.Context(), store.SettingOverride{Tenant: o.Tenant, Subscription: o.Subscription,
		Detection: o.Detection, Enabled: o.Enabled, Params: o.Params, UpdatedBy: caller(r.Context()).Name, UpdatedAt: s.now().UTC()})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	eff, err := s.effective(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, e := range eff {
		if e.Tenant == o.Tenant && e.Subscription == o.Subscription && e.Detection == o.Detection {
			writeJSON(w, http.StatusOK, e)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// validateSetting checks o as the detections it names will: a network
// detection's for any tenant, as network.overrides would write it.
func (s *Server) validateSetting(o config.RuntimeOverride) error {
	if !config.IsNetworkDetection(o.Detection) {
		return s.cfg.ValidateRuntime(o)
	}
	if o.Tenant != "*" {
		return errors.New(`network detections are set per subscription: tenant must be "*"`)
	}
	return s.cfg.Network.ValidateNetworkRuntime(o)
}

func (s *Server) deleteSetting(w http.ResponseWriter, r *http.Request) {
	t, sub, d := r.PathValue("tenant"), r.PathValue("subscription"), r.PathValue("detection")
	if err := s.store.DeleteSetting(r.Context(), t, sub, d, caller(r.Context()).Name); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
