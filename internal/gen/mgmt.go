package gen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Management scenarios: attacks and look-alikes on the Activity Log, for
// the management-layer detections. They draw from their own random stream
// so that adding them leaves the identity month (victims, trips, sign-ins
// of everyone else) as it was.

// Operations the management scenarios use.
var (
	opListKeys     = operation{action: "Microsoft.Storage/storageAccounts/listKeys/action", typ: "Microsoft.Storage/storageAccounts", status: "OK"}
	opPublishXML   = operation{action: "Microsoft.Web/sites/publishxml/action", typ: "Microsoft.Web/sites", status: "OK"}
	opConfigList   = operation{action: "Microsoft.Web/sites/config/list/action", typ: "Microsoft.Web/sites", child: "config/appsettings", status: "OK"}
	opRunCommand   = operation{action: "Microsoft.Compute/virtualMachines/runCommand/action", typ: "Microsoft.Compute/virtualMachines", status: "OK"}
	opAccessPolicy = operation{action: "Microsoft.KeyVault/vaults/accessPolicies/write", typ: "Microsoft.KeyVault/vaults", child: "accessPolicies/add", status: "OK"}
	opRoleAssign   = operation{action: "Microsoft.Authorization/roleAssignments/write", status: "Created"}
	opRoleDef      = operation{action: "Microsoft.Authorization/roleDefinitions/write", status: "Created"}
	opExtension    = operation{action: "Microsoft.Compute/virtualMachines/extensions/write", typ: "Microsoft.Compute/virtualMachines", child: "extensions/CustomScriptExtension", status: "Created"}
	opDeployment   = operation{action: "Microsoft.Resources/deployments/write", status: "Created"}
)

// mgmtStep is one operation of a scripted session: its scope and whether
// its outcome is the event a label points at.
type mgmtStep struct {
	op    operation
	sub   *subscription
	scope string
	label string // detection the outcome must raise, "" for none
}

// session plays steps serially from at, gap apart (longer than any
// operation lasts, so outcomes keep the steps' order), and labels.
func (g *generator) session(rng *rand.Rand, who actor, principal, ip string, at time.Time, gap time.Duration, steps []mgmtStep, scenario string) {
	for i, s := range steps {
		end := g.emitARM(rng, armOp{at: at.Add(time.Duration(i) * gap), sub: s.sub, op: s.op, scope: s.scope, ip: ip, who: who})
		if s.label != "" {
			g.labels = append(g.labels, Label{Detection: s.label, Principal: principal, Time: end, Scenario: scenario})
		}
	}
}

// mgmtPlan is who the management scenarios involve.
type mgmtPlan struct {
	rng         *rand.Rand
	psAdmins    []*user // administer with Azure PowerShell daily
	otherAdmins []*user // portal and CLI administrators
	bystanders  []*user // home-country staff without trips, attacks or admin rights
}

func (g *generator) newMgmtPlan() *mgmtPlan {
	p := &mgmtPlan{rng: rand.New(rand.NewPCG(g.cfg.Seed, 0x4d67))}
	for _, u := range g.users {
		switch {
		case u.victim:
		case u.has(tPowerShell):
			p.psAdmins = append(p.psAdmins, u)
		case u.has(tAdmin):
			p.otherAdmins = append(p.otherAdmins, u)
		case len(u.trips) == 0 && u.join == 0 && u.setupOffice == nil && u.home.Country == g.cfg.HomeCountry &&
			u.traits&^(tHybrid|tRemote) == 0:
			p.bystanders = append(p.bystanders, u)
		}
	}
	return p
}

// planManagement sends the chosen bystanders on leave; it runs before any
// record is written.
func (g *generator) planManagement() *mgmtPlan {
	p := g.newMgmtPlan()
	if g.cfg.Days >= 26 && len(p.bystanders) >= 2 {
		for _, u := range p.bystanders[:2] {
			u.leaveFrom, u.leaveTo = 2, g.cfg.Days-3
		}
	}
	return p
}

// emitManagement writes the management attacks and their labels.
func (g *generator) emitManagement(p *mgmtPlan) {
	rng := p.rng
	type scenario struct {
		users []*user
		pick  int
		from  int
		run   func(*rand.Rand, *user, int)
	}
	for _, s := range []scenario{
		{p.psAdmins, 0, 8, g.microBurst},
		{p.psAdmins, len(p.psAdmins) - 1, 8, g.azurite},
		{p.otherAdmins, 0, 8, g.customRole},
		{p.otherAdmins, 1, 8, g.runbookWebhook},
		{p.otherAdmins, 2, 16, g.powerShellNovice},
		{p.otherAdmins, 3, 10, g.massDeletion},
	} {
		if s.pick < 0 || s.pick >= len(s.users) {
			continue
		}
		if d := g.homeDay(rng, s.users[s.pick], s.from); d >= 0 {
			s.run(rng, s.users[s.pick], d)
		}
	}
	if g.cfg.Days >= 26 && len(p.bystanders) >= 2 {
		g.returnWithPersistence(rng, p.bystanders[0], g.cfg.Days-3)
		g.returnToWork(rng, p.bystanders[1], g.cfg.Days-3)
	}
}

// homeDay picks a workday from day from on, before the month's last two,
// that u spends at home (no trip, no attack nearby): -1 if there is none.
func (g *generator) homeDay(rng *rand.Rand, u *user, from int) int {
	var days []int
	for d := from; d <= g.cfg.Days-2; d++ {
		if g.workday(d) && !g.away(u, d) {
			days = append(days, d)
		}
	}
	if len(days) == 0 {
		return -1
	}
	return days[rng.IntN(len(days))]
}

// away reports whether u is travelling or kept quiet at any time of day d
// (local), when management activity from home would be misplaced.
func (g *generator) away(u *user, d int) bool {
	for h := 0.0; h < 24; h += 0.5 {
		t := g.localTime(u.home, d, h)
		if tr, transit := u.where(t); tr != nil || transit || u.quietAt(t) {
			return true
		}
	}
	return d >= u.leaveFrom && d < u.leaveTo
}

// mgmtIP is where u administers from at home.
func (g *generator) mgmtIP(u *user) string {
	if u.homeIP.IP.IsPrivate() && u.office != nil {
		return u.office.Egress[0].IP.String()
	}
	return u.homeIP.IP.String()
}

// resourceOf returns the scope of a resource of type op.typ in sub (the
// i-th of them, wrapping), with op's child path.
func (g *generator) resourceOf(sub *subscription, op operation, i int) string {
	var ids []string
	for _, rg := range sub.groups {
		for _, n := range rg.resources[op.typ] {
			ids = append(ids, sub.resourceID(rg, op.typ, n))
		}
	}
	id := ids[i%len(ids)]
	if op.child != "" {
		id += "/" + op.child
	}
	return id
}

func (g *generator) roleAssignmentScope(rng *rand.Rand, sub *subscription) string {
	return fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments/%s", sub.id, newGUID(rng))
}

// microBurst is Get-AzPasswords run with a PS administrator's stolen
// session from their own machine, late in the evening.
func (g *generator) microBurst(rng *rand.Rand, u *user, d int) {
	at := g.localTime(u.home, d, 22.5)
	ip := g.mgmtIP(u)
	prod := g.subs[0]
	var steps []mgmtStep
	for _, sub := range g.subs {
		steps = append(steps, mgmtStep{op: opListKeys, sub: sub, scope: g.resourceOf(sub, opListKeys, 0)},
			mgmtStep{op: opListKeys, sub: sub, scope: g.resourceOf(sub, opListKeys, 1)})
	}
	steps = append(steps,
		mgmtStep{op: opPublishXML, sub: prod, scope: g.resourceOf(prod, opPublishXML, 0)},
		mgmtStep{op: opConfigList, sub: prod, scope: g.resourceOf(prod, opConfigList, 0)},
		mgmtStep{op: opAccessPolicy, sub: prod, scope: g.resourceOf(prod, opAccessPolicy, 0), label: DetMicroBurst},
		mgmtStep{op: opAccessPolicy, sub: prod, scope: g.resourceOf(prod, opAccessPolicy, 0)})
	aa := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Automation/automationAccounts/aa-%s-ops", prod.id, prod.groups[2].name, prod.name)
	for _, step := range []string{"runbooks/write", "runbooks/publish/action", "jobs/write", "runbooks/delete"} {
		scope := aa + "/runbooks/Get-AzPasswords"
		if step == "jobs/write" {
			scope = aa + "/jobs/" + newGUID(rng)
		}
		steps = append(steps, mgmtStep{op: operation{action: "Microsoft.Automation/automationAccounts/" + step, status: "OK"}, sub: prod, scope: scope})
	}
	for i := range 3 {
		steps = append(steps, mgmtStep{op: opRunCommand, sub: prod, scope: g.resourceOf(prod, opRunCommand, i)})
	}
	g.session(rng, g.userActor(u, appPS, ip, at), u.upn, ip, at, 40*time.Second, steps,
		fmt.Sprintf("MicroBurst Get-AzPasswords through Azure PowerShell with %s's session: storage keys of %d accounts, a publishing profile, app settings, a Key Vault access policy granted and restored, an Automation runbook created, run and deleted, run-command on three VMs", u.upn, 2*len(g.subs)))
}

// azurite is Azurite Explorer fetching every web app's publishing profile
// three times.
func (g *generator) azurite(rng *rand.Rand, u *user, d int) {
	if len(g.subs) < 3 {
		return
	}
	at := g.localTime(u.home, d, 22)
	ip := g.mgmtIP(u)
	var steps []mgmtStep
	for i, sub := range g.subs[:3] {
		for k := range 3 {
			s := mgmtStep{op: opPublishXML, sub: sub, scope: g.resourceOf(sub, opPublishXML, 0)}
			if i == 2 && k == 2 {
				s.label = DetAzurite
			}
			steps = append(steps, s)
		}
	}
	g.session(rng, g.userActor(u, appPS, ip, at), u.upn, ip, at, 35*time.Second, steps,
		fmt.Sprintf("Azurite Explorer through Azure PowerShell with %s's session: publishing profiles of %d web apps, three times each", u.upn, 3))
}
