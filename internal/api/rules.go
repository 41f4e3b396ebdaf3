package api

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vedette/vedette/internal/store"
)

func (s *Server) listRules(w http.ResponseWriter, r *http.Request) {
	rules, err := s.store.Rules(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rules == nil {
		rules = []store.Rule{}
	}
	writeJSON(w, http.StatusOK, rules)
}

// ruleBody reads and checks a rule from the request: the caller and the
// clock set who made it and when; the ID is the store's.
func (s *Server) ruleBody(r *http.Request) (store.Rule, error) {
	var rule store.Rule
	if err := decode(r, &rule); err != nil {
		return rule, err
	}
	if rule.ID != 0 {
		return rule, badf("id: set by the server")
	}
	if strings.TrimSpace(rule.Name) == "" || len(rule.Name) > 200 || len(rule.Reason) > 2000 {
		return rule, badf("name: must be non-empty and at most 200 bytes; reason at most 2000")
	}
	if rule.Match == (store.RuleMatch{}) {
		return rule, badf("match: set at least one field")
	}
	if ip := rule.Match.IP; ip != "" {
		if _, err := netip.ParsePrefix(ip); err != nil {
			if _, err := netip.ParseAddr(ip); err != nil {
				return rule, badf("match.ip: %q is neither an IP address nor a CIDR", ip)
			}
		}
	}
	now := s.now().UTC()
	if rule.ExpiresAt != nil && !rule.ExpiresAt.After(now) {
		return rule, badf("expires_at: in the past")
	}
	rule.CreatedBy, rule.CreatedAt = caller(r.Context()).Name, now
	return rule, nil
}

// addRule saves a rule; the store audits rule changes itself.
func (s *Server) addRule(w http.ResponseWriter, r *http.Request) {
	rule, err := s.ruleBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rule, err = s.store.AddRule(r.Context(), rule); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rule)
}

// simulation is which stored alerts a rule would have suppressed.
type simulation struct {
	Count  int                 `json:"count"`
	Alerts []store.StoredAlert `json:"alerts"`
}

func (s *Server) simulateRule(w http.ResponseWriter, r *http.Request) {
	rule, err := s.ruleBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	alerts, err := s.store.SimulateRule(r.Context(), rule)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if alerts == nil {
		alerts = []store.StoredAlert{}
	}
	writeJSON(w, http.StatusOK, simulation{Count: len(alerts), Alerts: alerts})
}

func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.fail(w, r, badf("id: want a positive integer"))
		return
	}
	if err := s.store.DeleteRule(r.Context(), id, caller(r.Context()).Name); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
