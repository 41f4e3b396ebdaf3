package detect

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vedette/vedette/internal/event"
)

// roleDefinition is the part of an ARM role definition (the request or
// response body of roleDefinitions/write, in event.Event.Detail) that says
// how much it grants.
type roleDefinition struct {
	Properties rolePermissions `json:"properties"`
	rolePermissions
}

type rolePermissions struct {
	RoleName    string `json:"roleName"`
	Permissions []struct {
		Actions        []string `json:"actions"`
		NotActions     []string `json:"notActions"`
		DataActions    []string `json:"dataActions"`
		NotDataActions []string `json:"notDataActions"`
	} `json:"permissions"`
}

// Control-plane rights that make a role a path to more: handing out roles
// (itself included), writing role definitions, elevating to User Access
// Administrator over every subscription.
const (
	elevateAccessAction = "microsoft.authorization/elevateaccess/action"
)

// roleBreadth judges a role definition body: factors for what makes it
// broad, and whether it is narrow (a body that parsed and grants none of
// it). ok is false when the body is absent or does not parse.
func roleBreadth(body string) (factors []event.Factor, name string, ok bool) {
	if body == "" {
		return nil, "", false
	}
	var def roleDefinition
	if err := json.Unmarshal([]byte(body), &def); err != nil {
		return nil, "", false
	}
	p := def.Properties
	if len(p.Permissions) == 0 {
		p = def.rolePermissions // a body without the "properties" wrapper
	}
	if len(p.Permissions) == 0 {
		return nil, p.RoleName, false
	}
	var wildcard, dataWildcard bool
	granted := map[string]bool{}
	for _, perm := range p.Permissions {
		for _, a := range perm.Actions {
			wildcard = wildcard || strings.TrimSpace(a) == "*"
		}
		for _, a := range perm.DataActions {
			dataWildcard = dataWildcard || strings.TrimSpace(a) == "*"
		}
		for _, op := range []string{roleAssignmentWrite, roleDefinitionWrite, elevateAccessAction} {
			if grants(perm.Actions, perm.NotActions, op) {
				granted[op] = true
			}
		}
	}
	if wildcard {
		detail := `actions include "*": every control-plane operation`
		if !granted[roleAssignmentWrite] {
			detail += " except those its notActions exclude"
		}
		factors = append(factors, event.Factor{Name: "wildcard-actions", Weight: 0.3, Detail: detail})
	}
	if granted[roleAssignmentWrite] || granted[roleDefinitionWrite] {
		factors = append(factors, event.Factor{Name: "role-assignment-rights", Weight: 0.35,
			Detail: "grants " + grantedList(granted, roleAssignmentWrite, roleDefinitionWrite) + ": whoever holds it can hand out any role, Owner included"})
	}
	if granted[elevateAccessAction] {
		factors = append(factors, event.Factor{Name: "elevate-access-rights", Weight: 0.35, Detail: "grants " + elevateAccessAction})
	}
	if dataWildcard {
		factors = append(factors, event.Factor{Name: "wildcard-data-actions", Weight: 0.2, Detail: `dataActions include "*": every blob, queue, secret and key the scope holds`})
	}
	return factors, p.RoleName, true
}

func grantedList(granted map[string]bool, ops ...string) string {
	var out []string
	for _, op := range ops {
		if granted[op] {
			out = append(out, op)
		}
	}
	return strings.Join(out, " and ")
}

// grants reports whether actions, less notActions, cover op. Patterns may
// hold "*" anywhere (e.g. "Microsoft.Authorization/*", "*/write"); they are
// matched case-insensitively, as ARM does.
func grants(actions, notActions []string, op string) bool {
	for _, n := range notActions {
		if globMatch(strings.ToLower(strings.TrimSpace(n)), op) {
			return false
		}
	}
	for _, a := range actions {
		if globMatch(strings.ToLower(strings.TrimSpace(a)), op) {
			return true
		}
	}
	return false
}

// globMatch matches s against pattern, where "*" stands for any run of
// characters. Greedy with one backtrack point, so O(len(pattern)·len(s))
// whatever the pattern: definitions are attacker-written.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// roleDefinitionFactors are the factors of a role definition write: what
// its body grants, or that the body is missing. narrow is true when the
// body grants nothing broad: no alert then.
func roleDefinitionFactors(e *event.Event) (factors []event.Factor, narrow bool) {
	breadth, name, ok := roleBreadth(e.Detail)
	written := event.Factor{Name: "custom-role-written", Weight: 0.5, Detail: "custom role definition created or changed"}
	if name != "" {
		written.Detail = fmt.Sprintf("custom role definition %q created or changed", name)
	}
	switch {
	case !ok:
		return []event.Factor{written, {Name: "role-body-unavailable", Weight: -0.15,
			Detail: "the definition's actions (\"*\", role assignment or elevate rights) are not in the event: its request body was not logged"}}, false
	case len(breadth) == 0:
		return nil, true
	}
	return append([]event.Factor{written}, breadth...), false
}
