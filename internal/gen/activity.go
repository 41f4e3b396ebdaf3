package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// activityRecord is an Azure Activity Log event as diagnostic settings
// export it (resource-log record shape).
type activityRecord struct {
	Time            string        `json:"time"`
	ResourceID      string        `json:"resourceId"`
	OperationName   string        `json:"operationName"`
	Category        string        `json:"category"`
	ResultType      string        `json:"resultType"`
	ResultSignature string        `json:"resultSignature"`
	DurationMs      int           `json:"durationMs"`
	CallerIPAddress string        `json:"callerIpAddress"`
	CorrelationID   string        `json:"correlationId"`
	Identity        armIdentity   `json:"identity"`
	Level           string        `json:"level"`
	Location        string        `json:"location"`
	Properties      activityProps `json:"properties"`
}

type armIdentity struct {
	Authorization armAuthorization  `json:"authorization"`
	Claims        map[string]string `json:"claims"`
}

type armAuthorization struct {
	Scope    string      `json:"scope"`
	Action   string      `json:"action"`
	Evidence armEvidence `json:"evidence"`
}

type armEvidence struct {
	Role                string `json:"role"`
	RoleAssignmentScope string `json:"roleAssignmentScope"`
	RoleAssignmentID    string `json:"roleAssignmentId"`
	RoleDefinitionID    string `json:"roleDefinitionId"`
	PrincipalID         string `json:"principalId"`
	PrincipalType       string `json:"principalType"`
}

type activityProps struct {
	StatusCode       string `json:"statusCode,omitempty"`
	ServiceRequestID string `json:"serviceRequestId,omitempty"`
	EventCategory    string `json:"eventCategory"`
	Entity           string `json:"entity"`
	Message          string `json:"message"`
	Hierarchy        string `json:"hierarchy"`
}

var roleDefinitions = map[string]string{
	"Owner":       "8e3af657a8ff443ca75c2fe8c4bcb635",
	"Contributor": "b24988ac618042a0ab8820f7382dd24c",
}

// actor is who performs an ARM operation.
type actor struct {
	principalType string // "User" or "ServicePrincipal"
	objectID      string
	appID         string
	role          string
	claims        map[string]string
}

// armOp is one operation to emit as its Start and outcome records.
type armOp struct {
	at     time.Time
	sub    *subscription
	op     operation
	scope  string
	ip     string
	who    actor
	failed bool
}

// emitARM writes the Start record and, after the operation's duration, its
// Success or Failure record, both with one correlation ID, and returns the
// outcome record's time.
func (g *generator) emitARM(rng *rand.Rand, o armOp) time.Time {
	corr := newGUID(rng)
	ev := armEvidence{
		Role: o.who.role, RoleAssignmentScope: "/subscriptions/" + o.sub.id,
		RoleAssignmentID: strings.ReplaceAll(newGUID(rng), "-", ""), RoleDefinitionID: roleDefinitions[o.who.role],
		PrincipalID: strings.ReplaceAll(o.who.objectID, "-", ""), PrincipalType: o.who.principalType,
	}
	base := activityRecord{
		ResourceID: strings.ToUpper(o.scope), OperationName: strings.ToUpper(o.op.action),
		Category: "Administrative", CallerIPAddress: o.ip, CorrelationID: corr,
		Identity: armIdentity{Authorization: armAuthorization{Scope: o.scope, Action: o.op.action, Evidence: ev}, Claims: o.who.claims},
		Level:    "Information", Location: "global",
		Properties: activityProps{EventCategory: "Administrative", Entity: o.scope, Message: o.op.action,
			Hierarchy: g.cfg.Tenant + "/" + o.sub.id},
	}
	start := o.at.Truncate(100).Add(time.Duration(rng.Int64N(int64(time.Second))) / 100 * 100)
	s := base
	s.Time, s.ResultType, s.ResultSignature = start.Format(timeLayout), "Start", "Started."
	g.acts.add(start, corr+"/0", &s)
	dur := 150 + rng.IntN(30000)
	end := start.Add(time.Duration(dur) * time.Millisecond)
	e := base
	e.Time, e.DurationMs = end.Format(timeLayout), dur
	e.Properties.ServiceRequestID = newGUID(rng)
	if o.failed {
		e.ResultType, e.ResultSignature, e.Level, e.Properties.StatusCode = "Failure", "Failed.Conflict", "Error", "Conflict"
	} else {
		e.ResultType, e.ResultSignature, e.Properties.StatusCode = "Success", "Succeeded."+o.op.status, o.op.status
	}
	g.acts.add(end, corr+"/1", &e)
	return end
}

// userActor describes an administrator acting through client a.
func (g *generator) userActor(u *user, a *app, ip string, at time.Time) actor {
	first, last, _ := strings.Cut(u.name, " ")
	iat := at.Add(-20 * time.Minute).Unix()
	return actor{principalType: "User", objectID: u.id, appID: a.ID, role: "Owner", claims: map[string]string{
		"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/" + g.cfg.Tenant + "/",
		"iat": fmt.Sprint(iat), "nbf": fmt.Sprint(iat), "exp": fmt.Sprint(iat + 4500), "ver": "1.0",
		"http://schemas.microsoft.com/identity/claims/tenantid":           g.cfg.Tenant,
		"http://schemas.microsoft.com/identity/claims/objectidentifier":   u.id,
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":       u.upn,
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":      u.upn,
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": first,
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname":   last,
		"http://schemas.microsoft.com/claims/authnmethodsreferences":      "pwd,mfa",
		"http://schemas.microsoft.com/identity/claims/scope":              "user_impersonation",
		"name": u.name, "appid": a.ID, "appidacr": "0", "ipaddr": ip,
	}}
}

// spActor describes an automation service principal.
func (g *generator) spActor(sp *servicePrincipal, at time.Time) actor {
	iat := at.Add(-30 * time.Minute).Unix()
	return actor{principalType: "ServicePrincipal", objectID: sp.objectID, appID: sp.appID, role: sp.role, claims: map[string]string{
		"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/" + g.cfg.Tenant + "/",
		"iat": fmt.Sprint(iat), "nbf": fmt.Sprint(iat), "exp": fmt.Sprint(iat + 86400), "ver": "1.0",
		"http://schemas.microsoft.com/identity/claims/tenantid":         g.cfg.Tenant,
		"http://schemas.microsoft.com/identity/claims/objectidentifier": sp.objectID,
		"http://schemas.microsoft.com/identity/claims/identityprovider": "https://sts.windows.net/" + g.cfg.Tenant + "/",
		"appid": sp.appID, "appidacr": "2", "idtyp": "app",
	}}
}

// adminSession is the ARM work an administrator does after signing in to a
// management client at t from ep.
func (g *generator) adminSession(u *user, t time.Time, ep endpoint, a *app) {
	rng := u.rng
	ip := ep.IP
	if ip.IsPrivate() && u.office != nil {
		ip = u.office.Egress[0].IP
	}
	for range g.scaled(rng, 2+rng.IntN(11)) {
		at := t.Add(time.Duration(1+rng.IntN(90)) * time.Minute)
		if u.quietAt(at) {
			continue
		}
		sub := g.subs[rng.IntN(len(g.subs))]
		op := g.pickAdminOp(rng.IntN(adminOpsTotal))
		scope := g.pickResource(rng, sub, op)
		g.emitARM(rng, armOp{at: at, sub: sub, op: op, scope: scope, ip: ip.String(),
			who: g.userActor(u, a, ip.String(), at), failed: rng.IntN(100) < 3})
	}
}

// pickResource returns the scope of a random resource op can act on.
func (g *generator) pickResource(rng *rand.Rand, sub *subscription, op operation) string {
	var rgs []*resourceGroup
	for _, rg := range sub.groups {
		if len(rg.resources[op.typ]) > 0 {
			rgs = append(rgs, rg)
		}
	}
	rg := rgs[rng.IntN(len(rgs))]
	names := rg.resources[op.typ]
	id := sub.resourceID(rg, op.typ, names[rng.IntN(len(names))])
	if op.child != "" {
		id += "/" + op.child
	}
	return id
}
