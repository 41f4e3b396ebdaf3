package flowlog

import (
	"encoding/json"

	"github.com/vedette/vedette/internal/flow"
)

// Record is the type ReadFile hands out.
type Record = flow.Record

// azRecord holds the fields of both formats; which are set tells them apart.
type azRecord struct {
	Time        string           `json:"time"`
	MACAddress  string           `json:"macAddress"`
	Category    string           `json:"category"`
	ResourceID  string           `json:"resourceId"`
	TargetID    string           `json:"targetResourceID"`
	FlowLogVer  int              `json:"flowLogVersion"`
	Properties  *nsgProperties   `json:"properties"`
	FlowRecords *vnetFlowRecords `json:"flowRecords"`
}

type nsgProperties struct {
	Version int       `json:"Version"`
	Flows   []nsgRule `json:"flows"`
}

type nsgRule struct {
	Rule  string    `json:"rule"`
	Flows []nsgFlow `json:"flows"`
}

type nsgFlow struct {
	MAC        string            `json:"mac"`
	FlowTuples []json.RawMessage `json:"flowTuples"` // strings; anything else is rejected alone
}

type vnetFlowRecords struct {
	Flows []vnetACL `json:"flows"`
}

type vnetACL struct {
	ACLID      string      `json:"aclID"`
	FlowGroups []vnetGroup `json:"flowGroups"`
}

type vnetGroup struct {
	Rule       string            `json:"rule"`
	FlowTuples []json.RawMessage `json:"flowTuples"` // strings; anything else is rejected alone
}
