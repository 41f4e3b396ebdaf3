package detect

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// sessionView is a session operation with absolute times (Unix seconds).
type sessionView struct {
	Op          string
	First, Last int64
	N, Distinct int
	PowerShell  bool
	op          baseline.SessionOp
}

// viewOps returns s's operations current at now, with absolute times.
func viewOps(s *baseline.Session, now time.Time) []sessionView {
	ops := s.Current(now)
	out := make([]sessionView, 0, len(ops))
	for _, o := range ops {
		out = append(out, sessionView{
			Op: o.Op, First: s.Start + int64(o.First), Last: s.Start + int64(o.Last),
			N: int(o.N), Distinct: int(o.Distinct), PowerShell: o.PowerShell, op: o,
		})
	}
	return out
}

// sessionPair returns the principal's session operations before e and as
// they will be once e is learned.
func sessionPair(in *Input) (before, after []sessionView) {
	e := in.Event
	if in.Principal != nil {
		before = viewOps(in.Tenant.Session(in.Index), e.Time)
	}
	after = viewOps(in.Tenant.SessionAfter(in.Index, e), e.Time)
	return before, after
}

// findOp returns the view of operation op, if the session has it.
func findOp(ops []sessionView, op string) (sessionView, bool) {
	for _, o := range ops {
		if o.Op == op {
			return o, true
		}
	}
	return sessionView{}, false
}

// isPowerShell reports whether e came through PowerShell: Azure PowerShell
// by its app ID (ARM records have no user agent), or for directory events
// a user agent naming PowerShell: Windows PowerShell's web cmdlets and the
// AzureAD and MSOnline modules ("WindowsPowerShell/5.1"), PowerShell 7
// ("PowerShell/7.4"), Az ("AzurePowershell/v3") and the Microsoft Graph
// PowerShell SDK.
func isPowerShell(e *event.Event) bool { return baseline.IsPowerShell(e) }

// scriptedAgents are user-agent marks of scripts and SDKs, as opposed to a
// browser on the portal.
var scriptedAgents = []string{"powershell", "python", "azure-cli", "msrest", "curl/", "go-http-client", "node-fetch", "axios", "okhttp"}

// isScripted reports whether e came through a script or command-line
// client: Azure PowerShell or the Azure CLI by app ID, or a directory
// event's user agent.
func isScripted(e *event.Event) bool {
	if isPowerShell(e) || e.AppID == azureCLIAppID {
		return true
	}
	if e.Kind != event.KindDirectory {
		return false
	}
	for _, s := range scriptedAgents {
		if containsFold(e.UserAgent, s) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII sub,
// ignoring case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// clientOf names the client of e for alert text.
func clientOf(e *event.Event) string {
	if e.Kind == event.KindDirectory && e.UserAgent != "" {
		return "user agent " + e.UserAgent
	}
	return appOf(e)
}

// opsSummary lists operations as "op ×n on k resources", sorted.
func opsSummary(ops []sessionView) string {
	parts := make([]string, 0, len(ops))
	for _, o := range ops {
		parts = append(parts, fmt.Sprintf("%s ×%d on %d resource(s)", o.Op, o.N, o.Distinct))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// managementEntities are the principal, tenant, subscription, source IP and
// resource of a management event.
func managementEntities(e *event.Event) []event.Entity {
	ents := baseEntities(e)
	if e.SourceIP.IsValid() {
		ents = append(ents, ipEntity(e, "current"))
	}
	if e.Resource != "" {
		ents = append(ents, event.Entity{Type: "resource", ID: e.Resource})
	}
	return ents
}

func unixUTC(s int64) string { return time.Unix(s, 0).UTC().Format(time.RFC3339) }
