package api

import (
	"net/http"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
)

// settingsView is GET /settings: the effective settings of every scope the
// configuration or the API names.
type settingsView struct {
	Settings []config.Setting `json:"settings"`
}

// Layers converts the store's setting overrides to configuration layers.
func Layers(os []store.SettingOverride) []config.Layer {
	ls := make([]config.Layer, len(os))
	for i, o := range os {
		ls[i] = config.Layer{Tenant: o.Tenant, Subscription: o.Subscription, Detection: o.Detection, Enabled: o.Enabled, Params: o.Params}
	}
	return ls
}

func (s *Server) listSettings(w http.ResponseWriter, r *http.Request) {
	os, err := s.store.SettingOverrides(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsView{Settings: s.cfg.Effective(Layers(os))})
}

// settingBody is a PUT /settings body: what the API changes over the
// configuration; fields left out keep the configuration's value.
type settingBody struct {
	Enabled *bool          `json:"enabled"`
	Params  map[string]any `json:"params"`
}

// putSetting stores a run-time setting. The store audits it and tells
// the detections of this process (Store.OnSettingsChange); others poll
// Store.SettingsVersion.
func (s *Server) putSetting(w http.ResponseWriter, r *http.Request) {
	var body settingBody
	if err := decode(r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	l := config.Layer{Tenant: r.PathValue("tenant"), Subscription: r.PathValue("subscription"),
		Detection: r.PathValue("detection"), Enabled: body.Enabled, Params: body.Params}
	if l.Enabled == nil && len(l.Params) == 0 {
		s.fail(w, r, badf("nothing to change: set enabled or params"))
		return
	}
	if err := s.cfg.CheckLayer(l); err != nil {
		s.fail(w, r, badf("%v", err))
		return
	}
	o := store.SettingOverride{Tenant: l.Tenant, Subscription: l.Subscription, Detection: l.Detection,
		Enabled: l.Enabled, Params: l.Params, UpdatedBy: caller(r.Context()).Name, UpdatedAt: s.now().UTC()}
	if err := s.store.PutSetting(r.Context(), o); err != nil {
		s.fail(w, r, err)
		return
	}
	os, err := s.store.SettingOverrides(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, st := range s.cfg.Effective(Layers(os)) {
		if st.Tenant == l.Tenant && st.Subscription == l.Subscription && st.Detection == l.Detection {
			writeJSON(w, http.StatusOK, st)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteSetting(w http.ResponseWriter, r *http.Request) {
	t, sub, d := r.PathValue("tenant"), r.PathValue("subscription"), r.PathValue("detection")
	if err := s.store.DeleteSetting(r.Context(), t, sub, d, caller(r.Context()).Name); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
