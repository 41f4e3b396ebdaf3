// Package event holds Vedette's plain data types: the normalized activity
// Event every input format is turned into, and the Alert every detection
// emits. It does no I/O and depends on nothing else in Vedette.
package event

import (
	"net/netip"
	"time"
)

// Kind says which family of log an activity event came from. Baseline
// watermarks are kept per (tenant, kind) so that sign-ins and management
// activity of the same tenant can be fed in separate runs.
type Kind uint8

// Kinds of activity events.
const (
	KindUnknown    Kind = iota
	KindSignIn          // Entra ID sign-in (interactive or not, see Event.Interactive)
	KindManagement      // Azure Resource Manager activity log
	KindCloudTrail      // AWS CloudTrail management event
	// KindDirectory is an Entra ID audit log entry (AuditLogs): a change to
	// the directory itself (applications and their credentials, service
	// principals, permission grants, role memberships, users and guests).
	// Operation is the activity display name as Entra writes it ("Add
	// service principal credentials"), not lower-cased.
	KindDirectory
)

func (k Kind) String() string {
	switch k {
	case KindSignIn:
		return "signin"
	case KindManagement:
		return "management"
	case KindCloudTrail:
		return "cloudtrail"
	case KindDirectory:
		return "directory"
	}
	return "unknown"
}

// PrincipalKind says what kind of identity acted.
type PrincipalKind uint8

// Principal kinds. Travel and country detections only consider users:
// service principals and managed identities run from cloud regions.
const (
	PrincipalUnknown PrincipalKind = iota
	PrincipalUser
	PrincipalServicePrincipal
	PrincipalManagedIdentity
	PrincipalService // a cloud provider's own service acting (e.g. ec2.amazonaws.com)
)

func (p PrincipalKind) String() string {
	switch p {
	case PrincipalUser:
		return "user"
	case PrincipalServicePrincipal:
		return "service_principal"
	case PrincipalManagedIdentity:
		return "managed_identity"
	case PrincipalService:
		return "service"
	}
	return "unknown"
}

// Result is the outcome of an activity.
type Result uint8

// Results. Only successful activities are evidence of where a principal is.
const (
	ResultUnknown Result = iota
	ResultSuccess
	ResultFailure
)

func (r Result) String() string {
	switch r {
	case ResultSuccess:
		return "success"
	case ResultFailure:
		return "failure"
	}
	return "unknown"
}

// Location is a place on earth with its uncertainty. The zero value means
// "unknown"; check Known.
type Location struct {
	Country  string  `json:"country,omitempty"` // ISO 3166-1 alpha-2, upper case
	City     string  `json:"city,omitempty"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	RadiusKm float64 `json:"radius_km"`        // accuracy radius: the true place is within this distance
	HasCoord bool    `json:"has_coord"`        // Lat/Lon are meaningful
	Source   string  `json:"source,omitempty"` // "record", "mmdb", "builtin"
	Build    string  `json:"build,omitempty"`  // geo database build, so an IP "moving" after an update is explainable
}

// Known reports whether anything is known about the location.
func (l Location) Known() bool { return l.Country != "" || l.HasCoord }

// Network is who operates an address: its autonomous system and what kind
// of operator that is.
type Network struct {
	ASN   uint32 `json:"asn,omitempty"`
	Org   string `json:"org,omitempty"`
	Class string `json:"class,omitempty"` // "microsoft", "cloud", "mobile", "hosting" or ""
}

// Known reports whether the address's AS is known.
func (n Network) Known() bool { return n.ASN != 0 }

// Network classes (Network.Class).
const (
	NetMicrosoft = "microsoft"
	NetCloud     = "cloud"
	NetMobile    = "mobile"
	NetHosting   = "hosting"
)

// Origin names the record an event came from, for evidence.
type Origin struct {
	Source string `json:"source"` // file name or stream name
	Record int    `json:"record"` // 1-based record number within the source
}

// MaxDetail bounds Event.Detail.
const MaxDetail = 16 << 10

// Event is one normalized activity: a sign-in, a management operation or an
// API call. Parsers fill what the record has and leave the rest zero.
type Event struct {
	// Key identifies the activity itself, stable across re-reads: the
	// record's own ID where it has one, otherwise a hash of its content.
	Key  string
	Kind Kind
	Time time.Time

	Tenant       string // Entra tenant, AWS account
	Subscription string // Azure subscription ID (lower case), empty for sign-ins

	Principal     string // lower-case UPN, ARN or object ID: the identity acting
	PrincipalID   string // object ID where known
	PrincipalKind PrincipalKind
	DisplayName   string

	SourceIP  netip.Addr
	UserAgent string
	AppID     string // Entra client app ID / ARM appid claim
	AppName   string

	Operation  string // sign-in: "sign-in"; ARM: operationName; CloudTrail: eventSource:eventName; directory: activity display name
	Category   string // ARM category (Administrative, ...), sign-in log category
	Result     Result
	ResultCode string // sign-in error code, ARM status, CloudTrail errorCode

	// Interactive is false for non-interactive sign-ins (token refreshes by
	// a client), which are not evidence of where the user is.
	Interactive bool

	Resource string // resource ID, ARN or target app; directory: the first target's object ID

	// Detail is operation-specific text a detection needs, kept only for
	// the operations that use it so that events stay small: the request
	// body of an ARM role definition write (at most MaxDetail bytes, else
	// empty), the directory role named by an Entra role membership change.
	Detail string

	// Location is what the record itself says (Entra's own coordinates),
	// filled by the parser; enrichment fills it from the IP when empty.
	Location Location
	// Network is the source IP's AS, filled by enrichment.
	Network Network

	Origin Origin

	// Enrichment is what the pipeline computed ahead, on another
	// goroutine (see Enrichment); zero when it did not.
	Enrichment Enrichment `json:"-"`
}
