package gen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Resource deletions: an administrator's stolen session destroying the
// estate (as in the Sentinel training lab's Adele data), and the nightly
// clean-up of the hourly VM snapshots that must stay quiet.

var (
	opDeleteVM      = operation{action: "Microsoft.Compute/virtualMachines/delete", typ: "Microsoft.Compute/virtualMachines", status: "OK"}
	opDeleteStorage = operation{action: "Microsoft.Storage/storageAccounts/delete", typ: "Microsoft.Storage/storageAccounts", status: "OK"}
	opDeleteVault   = operation{action: "Microsoft.KeyVault/vaults/delete", typ: "Microsoft.KeyVault/vaults", status: "OK"}
	opDeleteGroup   = operation{action: "Microsoft.Resources/subscriptions/resourceGroups/delete", status: "Accepted"}
	opDeleteSnap    = operation{action: "Microsoft.Compute/snapshots/delete", status: "OK"}
)

// massDeletion deletes VMs, storage accounts, key vaults and whole
// resource groups of every subscription through the portal, one a minute,
// late in the evening; the tenth deletion is the one to alert on.
func (g *generator) massDeletion(rng *rand.Rand, u *user, d int) {
	at := g.localTime(u.home, d, 21.5)
	ip := g.mgmtIP(u)
	var steps []mgmtStep
	for _, sub := range g.subs {
		for i := range 2 {
			steps = append(steps, mgmtStep{op: opDeleteVM, sub: sub, scope: g.resourceOf(sub, opDeleteVM, i)})
		}
		steps = append(steps,
			mgmtStep{op: opDeleteStorage, sub: sub, scope: g.resourceOf(sub, opDeleteStorage, 0)},
			mgmtStep{op: opDeleteVault, sub: sub, scope: g.resourceOf(sub, opDeleteVault, 0)},
			mgmtStep{op: opDeleteGroup, sub: sub, scope: "/subscriptions/" + sub.id + "/resourceGroups/" + sub.groups[len(sub.groups)-1].name})
	}
	if len(steps) < 10 {
		return
	}
	steps[9].label = DetMassDeletion
	g.session(rng, g.userActor(u, appPortal, ip, at), u.upn, ip, at, time.Minute, steps,
		fmt.Sprintf("mass deletion with %s's session: %d VMs, storage accounts, key vaults and resource groups in %d minutes", u.upn, len(steps), len(steps)))
}

// cleanupDay deletes the previous day's snapshots shortly after 02:00, as
// the snapshot automation's own service principal: usual for it.
func (g *generator) cleanupDay(rng *rand.Rand, d int) {
	if d == 0 {
		return
	}
	j := jobs[0]
	step := max(1, int(1/(g.cfg.Density*g.cfg.Density)+0.5))
	sp := g.sp[j.sp]
	at := g.dayStart(d).Add(2*time.Hour + time.Duration(rng.IntN(600))*time.Second)
	for s := 0; s < int(24*time.Hour/j.period); s += step {
		sub := g.subs[rng.IntN(len(g.subs))]
		rg := sub.groups[1]
		vm := rg.resources["Microsoft.Compute/virtualMachines"][0]
		snap := sub.resourceID(rg, "Microsoft.Compute/snapshots", fmt.Sprintf("snap-%s-%s", vm, g.dayStart(d-1).Add(time.Duration(s)*j.period).Format("2006010215")))
		g.emitARM(rng, armOp{at: at.Add(time.Duration(s) * 20 * time.Second), sub: sub, op: opDeleteSnap, scope: snap,
			ip: sp.ips[rng.IntN(len(sp.ips))].String(), who: g.spActor(sp, at)})
	}
}
