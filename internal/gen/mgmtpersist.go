package gen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// customRole: an administrator's account creates a custom role through
// the Azure CLI and assigns it to a service principal.
func (g *generator) customRole(rng *rand.Rand, u *user, d int) {
	at := g.localTime(u.home, d, 21)
	ip := g.mgmtIP(u)
	sub := g.subs[0]
	def := fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", sub.id, newGUID(rng))
	scenario := fmt.Sprintf("custom role with broad rights created by %s through the Azure CLI and assigned to a service principal", u.upn)
	g.session(rng, g.userActor(u, appCLI, ip, at), u.upn, ip, at, 2*time.Minute, []mgmtStep{
		{op: opRoleDef, sub: sub, scope: def, label: DetPersistenceTechnique},
		{op: opRoleAssign, sub: sub, scope: g.roleAssignmentScope(rng, sub), label: DetPersistenceTechnique},
	}, scenario)
}

// runbookWebhook: a runbook that creates a user and grants it Owner,
// published and given a webhook.
func (g *generator) runbookWebhook(rng *rand.Rand, u *user, d int) {
	at := g.localTime(u.home, d, 23)
	ip := g.mgmtIP(u)
	sub := g.subs[len(g.subs)-1]
	aa := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Automation/automationAccounts/aa-%s-ops", sub.id, sub.groups[2].name, sub.name)
	op := func(step string) operation {
		return operation{action: "Microsoft.Automation/automationAccounts/" + step, status: "OK"}
	}
	g.session(rng, g.userActor(u, appPortal, ip, at), u.upn, ip, at, 90*time.Second, []mgmtStep{
		{op: op("runbooks/write"), sub: sub, scope: aa + "/runbooks/New-BreakGlassOwner"},
		{op: op("runbooks/publish/action"), sub: sub, scope: aa + "/runbooks/New-BreakGlassOwner"},
		{op: op("webhooks/write"), sub: sub, scope: aa + "/webhooks/wh-" + newGUID(rng)[:8], label: DetPersistenceTechnique},
	}, fmt.Sprintf("runbook that creates a user and grants it Owner, published and given a webhook by %s", u.upn))
}

// powerShellNovice: a portal administrator's stolen credentials used from
// Azure PowerShell at night to assign a role and install an extension.
func (g *generator) powerShellNovice(rng *rand.Rand, u *user, d int) {
	at := g.localTime(u.home, d, 21.5)
	ep := u.homeIP
	if ep.IP.IsPrivate() && u.office != nil {
		ep = u.office.Egress[0]
	}
	g.emit(rng, signIn{u: u, t: at, ep: ep, app: appPS, dev: psDevice, interactive: true})
	ip := ep.IP.String()
	sub := g.subs[0]
	g.session(rng, g.userActor(u, appPS, ip, at), u.upn, ip, at.Add(3*time.Minute), time.Minute, []mgmtStep{
		{op: opRoleAssign, sub: sub, scope: g.roleAssignmentScope(rng, sub), label: DetPowerShellPersistence},
		{op: opExtension, sub: sub, scope: g.resourceOf(sub, opExtension, 1)},
	}, fmt.Sprintf("%s, who administers through the portal, signs in to Azure PowerShell for the first time and assigns a role and installs a custom script extension", u.upn))
}

// returnWithPersistence: an account unused since day 1 signs in on day d
// and plants a role assignment and a VM extension.
func (g *generator) returnWithPersistence(rng *rand.Rand, u *user, d int) {
	at := g.localTime(u.home, d, 8.2)
	g.emit(rng, signIn{u: u, t: at, ep: u.homeIP, app: appPortal, dev: u.device, interactive: true})
	ip := g.mgmtIP(u)
	sub := g.subs[0]
	g.session(rng, g.userActor(u, appPortal, ip, at), u.upn, ip, at.Add(4*time.Minute), 2*time.Minute, []mgmtStep{
		{op: adminOps[1], sub: sub, scope: g.resourceOf(sub, adminOps[1], 0)},
		{op: opRoleAssign, sub: sub, scope: g.roleAssignmentScope(rng, sub), label: DetInactiveAccount},
		{op: opExtension, sub: sub, scope: g.resourceOf(sub, opExtension, 0)},
	}, fmt.Sprintf("%s, inactive for %d days, returns and assigns a role and installs a VM extension", u.upn, u.leaveTo-u.leaveFrom+1))
}

// returnToWork: a colleague back from the same leave does ordinary work.
func (g *generator) returnToWork(rng *rand.Rand, u *user, d int) {
	at := g.localTime(u.home, d, 9.1)
	g.emit(rng, signIn{u: u, t: at, ep: u.homeIP, app: appPortal, dev: u.device, interactive: true})
	ip := g.mgmtIP(u)
	sub := g.subs[0]
	var steps []mgmtStep
	for _, i := range []int{1, 2, 10, 11} {
		steps = append(steps, mgmtStep{op: adminOps[i], sub: sub, scope: g.resourceOf(sub, adminOps[i], i)})
	}
	g.session(rng, g.userActor(u, appPortal, ip, at), u.upn, ip, at.Add(5*time.Minute), 3*time.Minute, steps, "")
}

// managementDay adds the look-alikes of day d: PowerShell administrators'
// routine persistence and credential work, a pipeline's role definitions
// inside its deployments, and a patching service's run-commands.
func (g *generator) managementDay(p *mgmtPlan, d int) {
	rng := p.rng
	if !g.workday(d) {
		return
	}
	for _, u := range p.psAdmins {
		if rng.IntN(3) > 0 || g.away(u, d) {
			continue
		}
		at := g.localTime(u.home, d, 13+rng.Float64()*3)
		ip, sub := g.mgmtIP(u), g.subs[rng.IntN(len(g.subs))]
		g.session(rng, g.userActor(u, appPS, ip, at), u.upn, ip, at, 4*time.Minute, []mgmtStep{
			{op: opListKeys, sub: sub, scope: g.resourceOf(sub, opListKeys, rng.IntN(2))},
			{op: opConfigList, sub: sub, scope: g.resourceOf(sub, opConfigList, 0)},
			{op: opPublishXML, sub: sub, scope: g.resourceOf(sub, opPublishXML, 0)},
			{op: opPublishXML, sub: sub, scope: g.resourceOf(sub, opPublishXML, 0)},
			{op: opRoleAssign, sub: sub, scope: g.roleAssignmentScope(rng, sub)},
			{op: opExtension, sub: sub, scope: g.resourceOf(sub, opExtension, rng.IntN(3))},
		}, "")
	}
	pipe := g.sp[2]
	at := g.dayStart(d).Add(14*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
	sub := g.subs[rng.IntN(len(g.subs))]
	who := g.spActor(pipe, at)
	ip := pipe.ips[0].String()
	g.session(rng, who, pipe.objectID, ip, at, 30*time.Second, []mgmtStep{
		{op: opDeployment, sub: sub, scope: sub.resourceID(sub.groups[0], "Microsoft.Resources/deployments", "roles-"+at.Format("20060102-1504"))},
		{op: opRoleDef, sub: sub, scope: fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", sub.id, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")},
		{op: opRoleAssign, sub: sub, scope: g.roleAssignmentScope(rng, sub)},
	}, "")
	patch := g.sp[0]
	at = g.dayStart(d).Add(2*time.Hour + time.Duration(rng.IntN(1800))*time.Second)
	var steps []mgmtStep
	for i := range 4 {
		steps = append(steps, mgmtStep{op: opRunCommand, sub: g.subs[0], scope: g.resourceOf(g.subs[0], opRunCommand, i)})
	}
	g.session(rng, g.spActor(patch, at), patch.objectID, patch.ips[0].String(), at, time.Minute, steps, "")
}
