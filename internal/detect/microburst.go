package detect

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// MicroBurst raises "MicroBurst exploitation toolkit run": through Azure
// PowerShell, one principal extracts credentials from many kinds of
// service within minutes, as NetSPI's MicroBurst (Get-AzPasswords and its
// siblings) does: storage account keys, App Service publishing profiles and
// settings, function keys, container registry and Cosmos DB keys, AKS admin
// credentials, a Key Vault access policy granted to itself (and restored),
// an Automation runbook created, published, run and deleted to dump the
// account's credentials, run-command on VM after VM, and elevateAccess.
//
// One alert per run: it fires on the outcome that brings the number of
// kinds within the window to MinKinds, listing all of them. An
// administrator who lists a storage account's keys and a web app's settings
// in a day's work uses two kinds; a deployment pipeline listing keys on
// schedule uses one, and not through PowerShell.
type MicroBurst struct {
	// MinKinds is how many kinds of credential action make a run. Default 4.
	MinKinds int `yaml:"min_kinds"`
	// Window is how close together they must be. Default 30m; at most
	// baseline.SessionIdle (2h).
	Window time.Duration `yaml:"window"`
}

var _ Detector = (*MicroBurst)(nil)

// DefaultMicroBurst returns the defaults.
func DefaultMicroBurst() MicroBurst { return MicroBurst{MinKinds: 4, Window: 30 * time.Minute} }

// credentialKinds maps MicroBurst's operations to the kind of credential
// they reach. The runbook operations count as one kind only when most of
// the create-publish-run-delete cycle is seen (see kindsOf).
var credentialKinds = map[string]string{
	"microsoft.storage/storageaccounts/listkeys/action":                            "storage-account-keys",
	"microsoft.web/sites/publishxml/action":                                        "app-service-publishing-profile",
	"microsoft.web/sites/config/list/action":                                       "app-service-settings",
	"microsoft.web/sites/host/listkeys/action":                                     "function-keys",
	"microsoft.containerregistry/registries/listcredentials/action":                "container-registry-credentials",
	"microsoft.documentdb/databaseaccounts/listkeys/action":                        "cosmos-db-keys",
	"microsoft.containerservice/managedclusters/listclusteradmincredential/action": "aks-admin-credentials",
	"microsoft.keyvault/vaults/accesspolicies/write":                               "key-vault-access-policy",
	"microsoft.compute/virtualmachines/runcommand/action":                          "vm-run-command",
	"microsoft.authorization/elevateaccess/action":                                 "elevate-access",
}

// runbookCycle are the steps of MicroBurst's Automation credential dump.
var runbookCycle = []string{
	"microsoft.automation/automationaccounts/runbooks/write",
	"microsoft.automation/automationaccounts/runbooks/publish/action",
	"microsoft.automation/automationaccounts/jobs/write",
	"microsoft.automation/automationaccounts/runbooks/delete",
}

// Meta implements Detector.
func (d *MicroBurst) Meta() Meta {
	return Meta{
		ID: "microburst", Name: "MicroBurst exploitation toolkit run",
		AlertType: "ARM_MicroBurst", Severity: event.SeverityHigh,
		MITRE:  event.MITRE{Tactic: "Credential Access", Technique: "Unsecured Credentials", TechniqueID: "T1552"},
		Inputs: []event.Kind{event.KindManagement},
	}
}

// Detect implements Detector.
func (d *MicroBurst) Detect(in *Input) []event.Alert {
	e := in.Event
	if !managementOutcome(e) || !isPowerShell(e) || !d.relevant(e.Operation) {
		return nil
	}
	before, after := sessionPair(in)
	now := e.Time.Unix()
	was, is := d.kindsOf(before, now), d.kindsOf(after, now)
	if len(was) >= d.MinKinds || len(is) < d.MinKinds {
		return nil
	}
	kinds := slices.Sorted(maps.Keys(is))
	factors := []event.Factor{
		{Name: "credential-kinds", Weight: min(0.9, 0.5+0.08*float64(len(is)-d.MinKinds+1)),
			Detail: fmt.Sprintf("%d kinds within %s: %s", len(is), d.Window, strings.Join(kinds, ", "))},
		{Name: "azure-powershell", Weight: 0.2, Detail: "every counted action came through Azure PowerShell (appid " + e.AppID + ")"},
	}
	if is["key-vault-access-policy"] != "" && strings.Contains(is["key-vault-access-policy"], "restored") {
		factors = append(factors, event.Factor{Name: "access-policy-grant-and-restore", Weight: 0.2, Detail: is["key-vault-access-policy"]})
	}
	if is["automation-runbook-cycle"] != "" {
		factors = append(factors, event.Factor{Name: "runbook-lifecycle", Weight: 0.2, Detail: is["automation-runbook-cycle"]})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = managementEntities(e)
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s extracted credentials of %d kinds through Azure PowerShell within %s, ending with %q at %s: %s. This is the pattern of the MicroBurst toolkit (Get-AzPasswords). Operations of the session: %s.",
		e.Principal, len(is), d.Window, e.Operation, e.Time.UTC().Format(time.RFC3339), strings.Join(kinds, ", "), opsSummary(after))
	a.Remediation = []string{
		"Confirm with the principal's owner whether this was an authorised test; if not, disable the account and revoke its sessions.",
		"Rotate every credential the run reached: storage and Cosmos DB keys, publishing profiles and app settings, function and registry keys, AKS admin credentials, Key Vault secrets.",
		"Check for access policies, runbooks, role assignments or run commands it left behind.",
	}
	return []event.Alert{a}
}

func (d *MicroBurst) relevant(op string) bool {
	_, ok := credentialKinds[op]
	return ok || slices.Contains(runbookCycle, op)
}

// kindsOf returns the credential kinds among ops seen through PowerShell
// within the window before now, each with a detail.
func (d *MicroBurst) kindsOf(ops []sessionView, now int64) map[string]string {
	cut := now - int64(d.Window/time.Second)
	kinds := map[string]string{}
	cycle := 0
	for _, o := range ops {
		if !o.PowerShell || o.Last < cut {
			continue
		}
		if slices.Contains(runbookCycle, o.Op) {
			cycle++
			continue
		}
		k, ok := credentialKinds[o.Op]
		if !ok {
			continue
		}
		detail := fmt.Sprintf("%d on %d resource(s)", o.N, o.Distinct)
		if k == "key-vault-access-policy" && o.N > o.Distinct {
			detail += ", granted and restored"
		}
		kinds[k] = detail
	}
	if cycle >= 3 {
		kinds["automation-runbook-cycle"] = fmt.Sprintf("%d of the %d steps of create, publish, run, delete", cycle, len(runbookCycle))
	}
	return kinds
}
