package baseline

import (
	"math/rand/v2"
	"testing"
)

// touchOneLoop is Usage.touch as it was written before its two loops:
// one pass finding who's slot, an empty one or the least recently used.
func touchOneLoop(u *Usage, who uint32, day uint16) (changed bool, evicted uint32) {
	changed = day > u.LastDay
	u.LastDay = max(u.LastDay, day)
	victim := 0
	for i := range u.Who {
		if u.Who[i] == who+1 {
			if day > u.Day[i] {
				u.Day[i], changed = day, true
			}
			return changed, 0
		}
		if u.Who[i] == 0 {
			victim = i
			break
		}
		if u.Day[i] < u.Day[victim] {
			victim = i
		}
	}
	evicted = u.Who[victim]
	u.Who[victim], u.Day[victim] = who+1, day
	return true, evicted
}

// TestUsageTouchAsOneLoop touches usages as a shared office IP and a
// city see them (more principals than slots, days going forward with
// repeats), plus slots emptied in the middle as a repair leaves them: the
// slots, the changes and the evictions are those of the one-loop touch.
func TestUsageTouchAsOneLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	for round := range 200 {
		var got, want Usage
		principals := uint32(1 + r.IntN(24))
		day := uint16(20000)
		for range 400 {
			if r.IntN(4) == 0 {
				day++
			}
			if r.IntN(50) == 0 {
				i := r.IntN(recentSlots)
				got.Who[i], want.Who[i] = 0, 0
			}
			who, d := r.Uint32N(principals), day-uint16(r.IntN(3))
			c1, e1 := got.touch(who, d)
			c2, e2 := touchOneLoop(&want, who, d)
			if c1 != c2 || e1 != e2 || got != want {
				t.Fatalf("round %d, touch(%d, %d): changed %v evicted %d %+v, want %v %d %+v", round, who, d, c1, e1, got, c2, e2, want)
			}
		}
	}
}
