package baseline

import (
	"slices"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// DeletionRun is how long a run of deletions lasts: a deletion more than
// this after the run's first starts a new run.
const DeletionRun = time.Hour

// Deletions are a principal's resource deletions: the current run and the
// largest earlier one, which says what is usual for the principal.
type Deletions struct {
	First int64  // Unix seconds of the run's first deletion
	Last  int64  // Unix seconds of its latest
	Count uint16 // deletions in the run (saturating)
	Peak  uint16 // largest earlier run
	// Recent are the resource IDs of the run's latest deletions, newest
	// last, for the alert's description.
	Recent []string
}

// recentDeletions is how many resource IDs a run keeps.
const recentDeletions = 5

// deletedTypes are the ARM resource types whose deletion destroys data or
// service: VMs, disks, snapshots, storage accounts, key vaults, SQL servers
// and databases, Recovery Services vaults and resource groups.
var deletedTypes = []string{
	"microsoft.compute/virtualmachines", "microsoft.compute/disks", "microsoft.compute/snapshots",
	"microsoft.storage/storageaccounts", "microsoft.keyvault/vaults", "microsoft.sql/servers",
	"microsoft.sql/servers/databases", "microsoft.recoveryservices/vaults",
	"microsoft.resources/subscriptions/resourcegroups",
}

// deletedAWS are the CloudTrail calls that destroy the same kinds of
// resources.
var deletedAWS = []string{
	"ec2.amazonaws.com:TerminateInstances", "ec2.amazonaws.com:DeleteVolume", "ec2.amazonaws.com:DeleteSnapshot",
	"s3.amazonaws.com:DeleteBucket", "rds.amazonaws.com:DeleteDBInstance", "rds.amazonaws.com:DeleteDBCluster",
	"kms.amazonaws.com:ScheduleKeyDeletion", "dynamodb.amazonaws.com:DeleteTable",
}

// IsResourceDeletion reports whether e successfully deleted a resource of
// a kind whose loss matters.
func IsResourceDeletion(e *event.Event) bool {
	if e.Result != event.ResultSuccess {
		return false
	}
	switch e.Kind {
	case event.KindManagement:
		typ, ok := strings.CutSuffix(e.Operation, "/delete")
		return ok && slices.Contains(deletedTypes, typ)
	case event.KindCloudTrail:
		return slices.Contains(deletedAWS, e.Operation)
	}
	return false
}

// DeletionsOf returns principal who's deletions, nil if it never deleted.
func (t *Tenant) DeletionsOf(who uint32) *Deletions { return t.Deletions[who] }

// learnDeletion adds e, a resource deletion by principal who.
func (t *Tenant) learnDeletion(who uint32, e *event.Event) {
	d := t.Deletions[who]
	if d == nil {
		d = &Deletions{}
		t.Deletions[who] = d
	}
	sec := e.Time.Unix()
	if d.Count > 0 && sec-d.First > int64(DeletionRun/time.Second) {
		d.Peak = max(d.Peak, d.Count)
		d.Count, d.Recent = 0, d.Recent[:0]
	}
	if d.Count == 0 {
		d.First = sec
	}
	d.Last = max(d.Last, sec)
	d.Count = min(d.Count+1, 1<<16-1)
	if len(d.Recent) == recentDeletions {
		d.Recent = append(d.Recent[:0], d.Recent[1:]...)
	}
	d.Recent = append(d.Recent, e.Resource)
}

// Pending returns how many deletions the principal's run holds at sec,
// 0 when the run is over.
func (d *Deletions) Pending(sec int64) int {
	if d == nil || d.Count == 0 || sec-d.First > int64(DeletionRun/time.Second) {
		return 0
	}
	return int(d.Count)
}

// Usual returns the largest run the principal made before, including a
// finished current run.
func (d *Deletions) Usual(sec int64) int {
	if d == nil {
		return 0
	}
	if d.Count > 0 && sec-d.First > int64(DeletionRun/time.Second) {
		return int(max(d.Peak, d.Count))
	}
	return int(d.Peak)
}
