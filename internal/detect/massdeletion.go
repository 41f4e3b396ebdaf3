package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// MassDeletion raises "Mass resource deletion": one principal deleting
// many resources whose loss matters (VMs, disks, snapshots, storage
// accounts, key vaults, SQL servers, backup vaults, resource groups; see
// baseline.IsResourceDeletion) within an hour, more than it ever did
// before. It alerts once per run, on the deletion that reaches
// max(MinDeletions, UsualFactor × the principal's largest earlier run): a
// clean-up automation that deletes twenty disks every night is usual for
// itself. It waits for the principal's learning period.
type MassDeletion struct {
	// MinDeletions is the least run worth an alert. Default 10.
	MinDeletions int `yaml:"min_deletions"`
	// UsualFactor: the run must exceed the principal's largest earlier run
	// this many times. Default 2.
	UsualFactor int `yaml:"usual_factor"`
	// Learning is each principal's learning period from its first
	// activity: a nightly clean-up that predates Vedette must first be
	// seen. Default 7 days.
	Learning time.Duration `yaml:"learning"`
}

var _ Detector = (*MassDeletion)(nil)

// DefaultMassDeletion returns the defaults.
func DefaultMassDeletion() MassDeletion {
	return MassDeletion{MinDeletions: 10, UsualFactor: 2, Learning: 7 * 24 * time.Hour}
}

// Meta implements Detector.
func (d *MassDeletion) Meta() Meta {
	return Meta{
		ID: "mass-resource-deletion", Name: "Mass resource deletion",
		AlertType: "MassResourceDeletion", Severity: event.SeverityHigh,
		MITRE:  event.MITRE{Tactic: "Impact", Technique: "Data Destruction", TechniqueID: "T1485"},
		Inputs: []event.Kind{event.KindManagement, event.KindCloudTrail},
	}
}

// Detect implements Detector.
func (d *MassDeletion) Detect(in *Input) []event.Alert {
	e := in.Event
	if !baseline.IsResourceDeletion(e) || in.Principal == nil || sinceUnix(e.Time, in.Principal.FirstSeen) < d.Learning {
		return nil
	}
	del := in.Tenant.DeletionsOf(in.Index)
	sec := e.Time.Unix()
	pending, usual := del.Pending(sec), del.Usual(sec)
	need := max(d.MinDeletions, d.UsualFactor*usual+1)
	if pending+1 != need {
		return nil
	}
	factors := []event.Factor{{Name: "deletions", Weight: 0.7, Detail: fmt.Sprintf("%d deletions within %s", need, baseline.DeletionRun)}}
	if usual == 0 {
		factors = append(factors, event.Factor{Name: "never-deleted-before", Weight: 0.2})
	} else {
		factors = append(factors, event.Factor{Name: "usual-run", Weight: -0.1, Detail: fmt.Sprintf("largest earlier run %d", usual)})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = baseEntities(e)
	if e.SourceIP.IsValid() {
		a.Entities = append(a.Entities, ipEntity(e, "source"))
	}
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	recent := []string{e.Resource}
	if del != nil && pending > 0 {
		recent = append(append([]string(nil), del.Recent...), e.Resource)
	}
	a.Description = fmt.Sprintf("%s deleted %d resources within %s (largest earlier run: %d), the latest at %s: %s.",
		e.Principal, need, baseline.DeletionRun, usual, e.Time.UTC().Format(time.RFC3339), strings.Join(recent, ", "))
	a.Remediation = []string{
		"Stop the principal now: disable the account or remove its role assignments, revoke its sessions.",
		"Recover what can be recovered: soft-deleted key vaults and storage, backups, disk snapshots.",
		"Put delete locks on critical resource groups.",
	}
	return []event.Alert{a}
}
