package asn

import "strings"

// Class is what kind of operator an AS is, for detections' factors and
// suppressions.
type Class string

// Classes. An AS has at most one: Microsoft before cloud before mobile
// before hosting.
const (
	ClassNone      Class = ""
	ClassMicrosoft Class = "microsoft" // Microsoft's own networks (Azure, Microsoft 365, Entra)
	ClassCloud     Class = "cloud"     // large public clouds
	ClassMobile    Class = "mobile"    // mobile carriers: CGNAT pools placed far from the user
	ClassHosting   Class = "hosting"   // hosting and VPS providers, where attackers rent relays
)

// Well-known AS numbers. Names alone cannot tell a carrier's fixed and
// mobile networks apart, so the largest mobile networks are listed.
var (
	microsoftASNs = set(8075, 8068, 8069, 8070, 8071, 8072, 8073, 8074, 12076, 3598, 6584, 6182, 13811, 14719, 23468, 35106, 45139, 58862, 63314)
	cloudASNs     = set(16509, 14618, 8987, 15169, 396982, 19527, 36040, 139070, 31898, 45102, 37963, 132203, 45090, 36351, 13335, 209242, 20940, 16625, 54113)
	hostingASNs   = set(14061, 63949, 16276, 24940, 20473, 51167, 197540, 12876, 60781, 9009, 62240, 212238, 136787, 141995, 40021, 46606, 53667, 8100, 202425, 62904, 35916, 399629, 174, 29802, 64425, 49981, 211252, 44477, 210644, 206092)
	mobileASNs    = set(21928, 22394, 6167, 20057, 3209, 12430, 3352, 12576, 25135, 6805, 16135, 15557, 5432, 12353, 15617, 9829, 45609, 55836, 45271, 24560, 2856, 12844, 1136, 31334, 39651, 26599, 27699, 28573, 17676, 7303)
	mobileWords   = []string{"mobile", "wireless", "cellular", "mobility", " lte", "telefonica moviles", "vodafone"}
	hostingWords  = []string{"hosting", "datacenter", "data center", "data centre", "vps", "server", "colocation", "dedicated", "cloud"}
)

func set(asns ...uint32) map[uint32]struct{} {
	m := make(map[uint32]struct{}, len(asns))
	for _, a := range asns {
		m[a] = struct{}{}
	}
	return m
}

// Classify says what kind of operator AS a, named org, is: listed AS
// numbers first, then words in the name.
func Classify(a uint32, org string) Class {
	for _, c := range []struct {
		m     map[uint32]struct{}
		class Class
	}{{microsoftASNs, ClassMicrosoft}, {cloudASNs, ClassCloud}, {mobileASNs, ClassMobile}, {hostingASNs, ClassHosting}} {
		if _, ok := c.m[a]; ok {
			return c.class
		}
	}
	lower := strings.ToLower(org)
	switch {
	case strings.HasPrefix(lower, "microsoft"):
		return ClassMicrosoft
	case containsAny(lower, mobileWords):
		return ClassMobile
	case containsAny(lower, hostingWords):
		return ClassHosting
	}
	return ClassNone
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
