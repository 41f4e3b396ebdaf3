package s3

import (
	"testing"
	"time"
)

func TestDayOf(t *testing.T) {
	for key, want := range map[string]time.Time{
		"AWSLogs/123456789123/CloudTrail/us-east-1/2020/09/14/123456789123_CloudTrail_us-east-1_20200914T0045Z_a1b2.json.gz": time.Date(2020, 9, 14, 0, 0, 0, 0, time.UTC),
		"AWSLogs/o-abc123/123456789123/CloudTrail/eu-west-1/2026/11/30/x.json.gz":                                            time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		"AWSLogs/123456789123/CloudTrail-Digest/us-east-1/2026/13/01/x.json.gz":                                              {},
		"exports/signins.jsonl": {},
	} {
		got, ok := DayOf(key)
		if ok != !want.IsZero() || !got.Equal(want) {
			t.Errorf("DayOf(%s) = %v %v, want %v", key, got, ok, want)
		}
	}
}
