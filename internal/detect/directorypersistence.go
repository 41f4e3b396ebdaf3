package detect

import (
	"strings"

	"github.com/vedette/vedette/internal/event"
)

// Entra audit activities the persistence-technique detection follows.
const (
	spCredentialAdd   = "add service principal credentials"
	appCredentialEdit = "update application – certificates and secrets management"
	roleMemberAdd     = "add member to role"
)

// tierZeroRoles are the directory roles that own the tenant: their holder
// can make itself or anyone Global Administrator.
var tierZeroRoles = map[string]bool{
	"global administrator":                    true,
	"privileged role administrator":           true,
	"privileged authentication administrator": true,
}

// privilegedRoles are the other built-in directory roles Microsoft marks
// privileged: each can take over accounts, applications or the tenant's
// security configuration.
var privilegedRoles = map[string]bool{
	"application administrator":                true,
	"cloud application administrator":          true,
	"authentication administrator":             true,
	"user administrator":                       true,
	"security administrator":                   true,
	"hybrid identity administrator":            true,
	"conditional access administrator":         true,
	"exchange administrator":                   true,
	"sharepoint administrator":                 true,
	"intune administrator":                     true,
	"partner tier2 support":                    true,
	"directory synchronization accounts":       true,
	"domain name administrator":                true,
	"external identity provider administrator": true,
}

// directoryFactors judges a successful directory change for the
// persistence-technique detection; nil means no alert. tierZero raises the
// alert's severity.
//
//   - "Add service principal credentials": always. Credentials on the
//     service principal rather than the app registration are not shown on
//     the app's page and ordinary administration does not add them (the
//     Solorigate tradecraft).
//   - "Update application – Certificates and secrets management": when a
//     workload identity made it (one app adding credentials to another) or
//     a script did (PowerShell, Python, the CLI, curl...); an app owner
//     rotating a secret in the portal's browser page stays quiet.
//   - "Add member to role": when the role is privileged (tier-zero roles
//     raise the severity to high); other roles, or no role named, stay
//     quiet.
func directoryFactors(e *event.Event) (factors []event.Factor, tierZero bool) {
	workload := e.PrincipalKind != event.PrincipalUser
	switch strings.ToLower(e.Operation) {
	case spCredentialAdd:
		factors = []event.Factor{{Name: "sp-credential-added", Weight: 0.5,
			Detail: "secret or certificate added to service principal " + e.Resource + ", where the app registration's page does not show it"}}
	case appCredentialEdit:
		if !workload && !isScripted(e) {
			return nil, false
		}
		factors = []event.Factor{{Name: "app-credential-added", Weight: 0.4,
			Detail: "secret or certificate of application " + e.Resource + " changed by a script or an application, not in the portal"}}
	case roleMemberAdd:
		role := strings.ToLower(strings.TrimSpace(e.Detail))
		tierZero = tierZeroRoles[role]
		if !tierZero && !privilegedRoles[role] {
			return nil, false
		}
		factors = []event.Factor{{Name: "privileged-role-added", Weight: 0.5, Detail: e.Resource + " made member of directory role " + e.Detail}}
		if tierZero {
			factors = append(factors, event.Factor{Name: "tier-zero-role", Weight: 0.3, Detail: e.Detail + " controls the whole tenant"})
		}
	default:
		return nil, false
	}
	if workload {
		factors = append(factors, event.Factor{Name: "workload-initiator", Weight: 0.2, Detail: "made by " + e.PrincipalKind.String() + " " + firstNonEmpty(e.DisplayName, e.Principal)})
	}
	return factors, tierZero
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
