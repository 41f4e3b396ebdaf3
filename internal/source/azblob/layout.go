package azblob

import (
	"regexp"
	"strconv"
	"time"
)

// hourPath matches the hour of Azure's diagnostic and flow-log layout:
// .../y=2026/m=11/d=30/h=07/m=00/PT1H.json.
var hourPath = regexp.MustCompile(`(?i)/y=(\d{4})/m=(\d{1,2})/d=(\d{1,2})/h=(\d{1,2})/m=(\d{1,2})/`)

// HourOf returns the UTC hour a blob's path names, and false for a path
// outside the layout.
func HourOf(name string) (time.Time, bool) {
	m := hourPath.FindStringSubmatch("/" + name)
	if m == nil {
		return time.Time{}, false
	}
	var v [5]int
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	if v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 {
		return time.Time{}, false
	}
	return time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], 0, 0, time.UTC), true
}
