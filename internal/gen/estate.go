package gen

import (
	"fmt"
	"net/netip"
	"strings"
)

// subscription is an Azure subscription with its resource groups.
type subscription struct {
	id, name string
	groups   []*resourceGroup
}

// resourceGroup holds resources by type ("Microsoft.Compute/virtualMachines").
type resourceGroup struct {
	name      string
	resources map[string][]string
}

// resourceID is the canonical ARM ID of resource name of type typ in rg.
func (s *subscription) resourceID(rg *resourceGroup, typ, name string) string {
	provider, kind, _ := strings.Cut(typ, "/")
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/%s/%s/%s", s.id, rg.name, provider, kind, name)
}

// servicePrincipal is an automation identity acting on the estate.
type servicePrincipal struct {
	name, appID, objectID string
	role                  string
	ips                   []netip.Addr
}

var subscriptionNames = []string{"prod", "dev", "shared", "data", "sandbox"}

// buildEstate creates the subscriptions, their resources and the automation
// service principals.
func (g *generator) buildEstate() {
	for i := range g.cfg.Subscriptions {
		name := subscriptionNames[i%len(subscriptionNames)]
		if i >= len(subscriptionNames) {
			name += fmt.Sprint(i / len(subscriptionNames))
		}
		s := &subscription{id: newGUID(g.rng), name: name}
		for _, tier := range []string{"web", "data", "net"} {
			s.groups = append(s.groups, g.resourceGroup(name, tier))
		}
		g.subs = append(g.subs, s)
	}
	for _, n := range []string{"sp-backup-automation", "sp-vmss-autoscale", "sp-deploy-pipeline", "sp-nsg-sync", "sp-cost-tagger"} {
		sp := &servicePrincipal{name: n, appID: newGUID(g.rng), objectID: newGUID(g.rng), role: "Contributor"}
		for range 3 {
			sp.ips = append(sp.ips, g.net.azure[g.rng.IntN(len(g.net.azure))])
		}
		g.sp = append(g.sp, sp)
	}
}

func (g *generator) resourceGroup(sub, tier string) *resourceGroup {
	rg := &resourceGroup{name: "rg-" + sub + "-" + tier, resources: map[string][]string{}}
	add := func(typ, name string) { rg.resources[typ] = append(rg.resources[typ], name) }
	switch tier {
	case "web":
		for i := range 2 + g.rng.IntN(3) {
			add("Microsoft.Compute/virtualMachines", fmt.Sprintf("vm-%s-web-%02d", sub, i+1))
		}
		add("Microsoft.Compute/virtualMachineScaleSets", "vmss-"+sub+"-web")
		add("Microsoft.Web/sites", "app-"+sub+"-portal")
		add("Microsoft.Network/publicIPAddresses", "pip-"+sub+"-web")
	case "data":
		add("Microsoft.Storage/storageAccounts", "st"+sub+"data01")
		add("Microsoft.Storage/storageAccounts", "st"+sub+"logs01")
		add("Microsoft.KeyVault/vaults", "kv-"+sub+"-01")
		add("Microsoft.Compute/virtualMachines", "vm-"+sub+"-sql-01")
	case "net":
		add("Microsoft.Network/virtualNetworks", "vnet-"+sub)
		add("Microsoft.Network/networkSecurityGroups", "nsg-"+sub+"-web")
		add("Microsoft.Network/networkSecurityGroups", "nsg-"+sub+"-data")
	}
	return rg
}

// operation is an ARM action administrators or automation perform.
type operation struct {
	action string // e.g. "Microsoft.Compute/virtualMachines/write"
	typ    string // resource type it acts on
	child  string // child path appended to the resource name, if any
	status string // HTTP status name on success
	weight int
}

// adminOps are routine operations of administrators, weighted by frequency.
var adminOps = []operation{
	{"Microsoft.Compute/virtualMachines/write", "Microsoft.Compute/virtualMachines", "", "OK", 6},
	{"Microsoft.Compute/virtualMachines/start/action", "Microsoft.Compute/virtualMachines", "", "Accepted", 5},
	{"Microsoft.Compute/virtualMachines/deallocate/action", "Microsoft.Compute/virtualMachines", "", "Accepted", 4},
	{"Microsoft.Compute/virtualMachines/restart/action", "Microsoft.Compute/virtualMachines", "", "Accepted", 3},
	{"Microsoft.Storage/storageAccounts/write", "Microsoft.Storage/storageAccounts", "", "OK", 3},
	{"Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts", "", "OK", 2},
	{"Microsoft.Network/networkSecurityGroups/write", "Microsoft.Network/networkSecurityGroups", "", "OK", 2},
	{"Microsoft.Network/networkSecurityGroups/securityRules/write", "Microsoft.Network/networkSecurityGroups", "securityRules/allow-https-in", "Created", 3},
	{"Microsoft.Network/virtualNetworks/write", "Microsoft.Network/virtualNetworks", "", "OK", 1},
	{"Microsoft.Network/publicIPAddresses/write", "Microsoft.Network/publicIPAddresses", "", "OK", 1},
	{"Microsoft.Web/sites/write", "Microsoft.Web/sites", "", "OK", 3},
	{"Microsoft.Web/sites/restart/action", "Microsoft.Web/sites", "", "OK", 2},
	{"Microsoft.KeyVault/vaults/write", "Microsoft.KeyVault/vaults", "", "OK", 1},
}

var adminOpsTotal = func() int {
	n := 0
	for _, o := range adminOps {
		n += o.weight
	}
	return n
}()

// pickAdminOp draws an operation by weight.
func (g *generator) pickAdminOp(x int) operation {
	x %= adminOpsTotal
	for _, o := range adminOps {
		if x < o.weight {
			return o
		}
		x -= o.weight
	}
	return adminOps[0]
}
