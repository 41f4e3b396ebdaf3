package cluster

import (
	"cmp"
	"strconv"
)

// Position is where an internal message came from: the source topic,
// partition and offset of the record it was read from, and Index, which
// message of that record it is (a flow-log document yields several
// flows, each flow one message per monitored side). Positions of one
// source partition are produced in increasing order by the ingest
// instance that owns it. UDP flows have no position.
type Position struct {
	Topic     string `json:"t"`
	Partition int32  `json:"p"`
	Offset    int64  `json:"o"`
	Index     int    `json:"i"`
}

// Mark is the highest position applied of one source partition.
type Mark struct {
	Offset int64 `json:"o"`
	Index  int   `json:"i"`
}

// Marks are a detect partition's highest applied positions, one per
// source partition: saved with the partition's state in the same
// transaction. An ingest instance that dies between producing and
// committing its source offsets, or a source partition that moves to
// another ingest instance, re-produces from the last committed source
// offset: in source order, so every message already applied is at or
// below its source partition's mark.
type Marks map[string]Mark

// Apply records p and reports true when p is past its source
// partition's mark; false means the message was applied before (a
// replay) and must be dropped. A message with no position (UDP flows,
// older ingest versions) is always applied.
func (m Marks) Apply(p *Position) bool {
	if p == nil {
		return true
	}
	k := p.Topic + "/" + strconv.Itoa(int(p.Partition))
	if old, ok := m[k]; ok && cmp.Or(cmp.Compare(p.Offset, old.Offset), cmp.Compare(p.Index, old.Index)) <= 0 {
		return false
	}
	m[k] = Mark{Offset: p.Offset, Index: p.Index}
	return true
}
