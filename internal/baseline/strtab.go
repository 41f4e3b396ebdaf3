package baseline

// internBudget bounds a generation of a tenant's string table: 4 MiB of
// strings and map entries. A tenant's names of cities, client apps, user
// agents, operations and sources are a few thousand strings; records carry
// attacker-chosen text (user agents), so the table must not grow with it.
const internBudget = 4 << 20

// internEntryCost is what an entry costs the map beyond its bytes: the
// key and value headers and the map's slot.
const internEntryCost = 48

// stringTable interns a tenant's strings (a fix's city, app, user agent,
// operation and source; a session's operations), so that equal strings
// kept in the state share one copy. It is bounded by memory: the young
// map grows until its strings and entries cost budget, then becomes the
// old one and a new young map starts; a string found in the old map moves
// to the young one, so what the state keeps meeting survives every turn.
// At most two generations are held. A string dropped from the table stays
// valid wherever the state holds it; only its sharing with strings
// interned later is lost.
type stringTable struct {
	young, old map[string]string
	cost       int // young's
	budget     int
}

func newStringTable(budget int) stringTable {
	return stringTable{young: map[string]string{}, budget: budget}
}

// intern returns the table's copy of s, adding s if it has none.
func (st *stringTable) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := st.young[s]; ok {
		return v
	}
	v, ok := st.old[s]
	if !ok {
		v = s
	}
	if st.cost+len(v)+internEntryCost > st.budget && len(st.young) > 0 {
		st.old, st.young, st.cost = st.young, make(map[string]string, len(st.young)), 0
	}
	st.young[v] = v
	st.cost += len(v) + internEntryCost
	return v
}

// size is the cost of what the table holds: its strings and entries.
func (st *stringTable) size() int {
	n := st.cost
	for k := range st.old {
		n += len(k) + internEntryCost
	}
	return n
}
