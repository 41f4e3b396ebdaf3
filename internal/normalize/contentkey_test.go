package normalize

import (
	"strings"
	"testing"
)

// TestARMKeyFields checks that ARM records without IDs are keyed by what
// tells events apart: a record delivered twice keeps its key, another
// correlation ID or status code gives another key.
func TestARMKeyFields(t *testing.T) {
	const rec = `{"time":"2024-03-11T09:14:02.1234567Z","resourceId":"/SUBSCRIPTIONS/9B3C/RESOURCEGROUPS/RG","operationName":"MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION","category":"Action","resultType":"Success","callerIpAddress":"203.0.113.45","correlationId":"C1","level":"Information","identity":{"claims":{"upn":"megan@contoso.com"}},"properties":{"statusCode":"OK","message":"m1"}}`
	keyOf := func(in string) string {
		t.Helper()
		c := &collector{}
		if _, err := Read("arm.jsonl", strings.NewReader(in), c); err != nil || len(c.events) != 1 {
			t.Fatalf("%v, %d events from %s", err, len(c.events), in)
		}
		return c.events[0].Key
	}
	base := keyOf(rec)
	if k := keyOf(strings.Replace(rec, `"level":"Information"`, `"level" : "Warning"`, 1)); k != base {
		t.Errorf("a field outside the key changed the key")
	}
	for _, change := range [][2]string{{`"C1"`, `"C2"`}, {`"OK"`, `"Created"`}, {`02.1234567Z`, `02.1234568Z`}, {`megan@`, `bob@`}} {
		if k := keyOf(strings.Replace(rec, change[0], change[1], 1)); k == base {
			t.Errorf("%s → %s left the key as it was", change[0], change[1])
		}
	}
}
