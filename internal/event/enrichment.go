package event

// IPTag is one IP list (or threat-intelligence feed) an address is on.
type IPTag struct {
	Category string
	List     string
	Label    string
}

// Enrichment is what the activity pipeline computed for an event ahead of
// processing it, from the event and the lookup tables alone (its location,
// its network, the tags of its source IP), on another goroutine: `detect`
// enriches events in its parallel decode workers. The pipeline uses it
// when it was computed against the tables in force and computes what is
// missing itself otherwise. It is not part of the event's data: never in
// JSON (the cluster's messages); gob (detect's spill files, read back by
// the same process) keeps it, and the versions it carries are unique
// within a process.
type Enrichment struct {
	// Done: Location and Network are final; Located says whether a
	// location was found (the pipeline counts it).
	Done, Located bool
	// Tagged: Tags are the source IP's tags under the IP lists of version
	// Lists and the threat intelligence of version Intel; when IntelTag is
	// set, the last tag is the threat-intelligence match.
	Tagged, IntelTag bool
	Lists, Intel     uint64
	// Tags points to the tags, nil for none: a pointer, not a slice, so
	// that events stay comparable.
	Tags *[]IPTag
}

// SourceTags are the tags of the source IP.
func (x *Enrichment) SourceTags() []IPTag {
	if x.Tags == nil {
		return nil
	}
	return *x.Tags
}

// ListTags are the tags of the IP lists alone (without the threat
// intelligence match).
func (x *Enrichment) ListTags() []IPTag {
	tags := x.SourceTags()
	if x.IntelTag {
		return tags[: len(tags)-1 : len(tags)-1]
	}
	return tags
}
