package flowlog

import "github.com/vedette/vedette/internal/flow"

// Record is the type ReadFile hands out.
type Record = flow.Record

// document is the envelope shared by NSG and VNet flow logs.
type document struct {
	Records []azRecord `json:"records"`
}

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
	MAC        string   `json:"mac"`
	FlowTuples []string `json:"flowTuples"`
}

type vnetFlowRecords struct {
	Flows []vnetACL `json:"flows"`
}

type vnetACL struct {
	ACLID      string      `json:"aclID"`
	FlowGroups []vnetGroup `json:"flowGroups"`
}

type vnetGroup struct {
	Rule       string   `json:"rule"`
	FlowTuples []string `json:"flowTuples"`
}
