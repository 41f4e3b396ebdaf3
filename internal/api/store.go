package api

import (
	"context"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/store"
)

// Store is what the API reads and changes in the alert store
// (*store.Store implements it).
type Store interface {
	Alerts(ctx context.Context, f store.AlertFilter) (store.AlertPage, error)
	CountAlerts(ctx context.Context, f store.AlertFilter) (store.AlertCounts, error)
	Alert(ctx context.Context, id string) (store.StoredAlert, error)
	UpdateTriage(ctx context.Context, id, actor string, u store.TriageUpdate) (store.StoredAlert, error)
	History(ctx context.Context, id string) ([]store.HistoryEntry, error)
	AddComment(ctx context.Context, id, author, text string) (store.Comment, error)
	Comments(ctx context.Context, id string) ([]store.Comment, error)

	Incidents(ctx context.Context, f store.IncidentFilter) (store.IncidentPage, error)
	Incident(ctx context.Context, id string) (store.Incident, error)
	UpdateIncident(ctx context.Context, id, actor string, u store.TriageUpdate) (store.Incident, error)

	Rules(ctx context.Context) ([]store.Rule, error)
	AddRule(ctx context.Context, r store.Rule) (store.Rule, error)
	DeleteRule(ctx context.Context, id int64, actor string) error
	SimulateRule(ctx context.Context, r store.Rule) ([]store.StoredAlert, error)

	SettingOverrides(ctx context.Context) ([]store.SettingOverride, error)
	PutSetting(ctx context.Context, o store.SettingOverride) error
	DeleteSetting(ctx context.Context, tenant, subscription, detection, actor string) error

	AddAudit(ctx context.Context, e store.AuditEntry) error

	DeadLetters(ctx context.Context, output string, limit int) ([]store.DeadLetter, error)
}

// Entities answers what the baselines know of a principal or a host: the
// live state in `vedette serve`, the saved state in `vedette api`.
type Entities interface {
	Principal(tenant, name string) (baseline.PrincipalSummary, bool)
	Host(name string) (netdetect.HostSummary, bool)
}

// TenantCountries is implemented by Entities that also know an
// organisation's countries of the window (the console's infrequent-country
// map); without it /tenants/{tenant}/countries answers 404.
type TenantCountries interface {
	Countries(tenant string) ([]baseline.TenantCountry, bool)
}

// TenantEgress is implemented by Entities that also know an organisation's
// learned shared egress (what impossible travel treats as infrastructure);
// without it /tenants/{tenant}/egress answers 404.
type TenantEgress interface {
	SharedEgress(tenant string, min int) ([]baseline.Egress, bool)
}

var _ Store = (*store.Store)(nil)
