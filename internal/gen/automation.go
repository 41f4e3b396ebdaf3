package gen

import (
	"fmt"
	"math"
	"time"
)

// job is a scheduled automation: every period (from the day's start, with
// a little jitter) sp performs op on resources chosen by target.
type job struct {
	sp       int // index into g.sp
	period   time.Duration
	op       operation
	workdays bool // business hours on workdays only
	target   func(g *generator, j job, at time.Time) (*subscription, string)
}

// jobs are the organisation's automations. The deployment pipeline lists
// the data storage account's keys every half hour to hand them to its
// release stages.
var jobs = []job{
	{0, time.Hour, operation{action: "Microsoft.Compute/snapshots/write", status: "OK"}, false, snapshotTarget},
	{1, 10 * time.Minute, operation{action: "Microsoft.Compute/virtualMachineScaleSets/write", typ: "Microsoft.Compute/virtualMachineScaleSets", status: "OK"}, false, firstSubTarget},
	{2, 30 * time.Minute, operation{action: "Microsoft.Storage/storageAccounts/listKeys/action", typ: "Microsoft.Storage/storageAccounts", status: "OK"}, false, firstSubTarget},
	{2, 90 * time.Minute, operation{action: "Microsoft.Resources/deployments/write", status: "Created"}, true, deploymentTarget},
	{3, 4 * time.Hour, operation{action: "Microsoft.Network/networkSecurityGroups/securityRules/write", typ: "Microsoft.Network/networkSecurityGroups", child: "securityRules/allow-lb-probe", status: "OK"}, false, anySubTarget},
	{4, 150 * time.Minute, operation{action: "Microsoft.Resources/tags/write", typ: "Microsoft.Compute/virtualMachines", status: "OK"}, false, tagTarget},
}

// automationDay runs every job's schedule for day d.
func (g *generator) automationDay(d int) {
	rng := g.rng
	// Thinner densities thin automation quadratically: samples stay small.
	step := max(1, int(math.Round(1/(g.cfg.Density*g.cfg.Density))))
	for _, j := range jobs {
		sp := g.sp[j.sp]
		slots := int(24 * time.Hour / j.period)
		for s := 0; s < slots; s += step {
			at := g.dayStart(d).Add(time.Duration(s)*j.period + time.Duration(rng.IntN(90))*time.Second)
			if j.workdays && (!g.workday(d) || at.Hour() < 13 || at.Hour() > 23) {
				continue
			}
			sub, scope := j.target(g, j, at)
			g.emitARM(rng, armOp{at: at, sub: sub, op: j.op, scope: scope,
				ip: sp.ips[rng.IntN(len(sp.ips))].String(), who: g.spActor(sp, at), failed: rng.IntN(200) == 0})
		}
	}
}

// firstSubTarget acts on a resource of the production subscription.
func firstSubTarget(g *generator, j job, _ time.Time) (*subscription, string) {
	return g.subs[0], g.pickResource(g.rng, g.subs[0], j.op)
}

// anySubTarget acts on a resource of any subscription.
func anySubTarget(g *generator, j job, _ time.Time) (*subscription, string) {
	sub := g.subs[g.rng.IntN(len(g.subs))]
	return sub, g.pickResource(g.rng, sub, j.op)
}

func snapshotTarget(g *generator, _ job, at time.Time) (*subscription, string) {
	sub := g.subs[g.rng.IntN(len(g.subs))]
	rg := sub.groups[1]
	vm := rg.resources["Microsoft.Compute/virtualMachines"][0]
	return sub, sub.resourceID(rg, "Microsoft.Compute/snapshots", fmt.Sprintf("snap-%s-%s", vm, at.Format("2006010215")))
}

func deploymentTarget(g *generator, _ job, at time.Time) (*subscription, string) {
	sub := g.subs[g.rng.IntN(len(g.subs))]
	rg := sub.groups[0]
	return sub, sub.resourceID(rg, "Microsoft.Resources/deployments", "release-"+at.Format("20060102-1504"))
}

func tagTarget(g *generator, _ job, _ time.Time) (*subscription, string) {
	sub := g.subs[g.rng.IntN(len(g.subs))]
	vm := g.pickResource(g.rng, sub, operation{typ: "Microsoft.Compute/virtualMachines"})
	return sub, vm + "/providers/Microsoft.Resources/tags/default"
}
