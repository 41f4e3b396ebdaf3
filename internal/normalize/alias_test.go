package normalize

import (
	"bytes"
	"testing"
)

// TestDecodedStringsOwnTheirBytes guards the decoder choice: events must
// not alias the reader's buffer, which is reused for the next line.
func TestDecodedStringsOwnTheirBytes(t *testing.T) {
	in := []byte(`{"time":"2024-03-11T09:00:00Z","category":"SignInLogs","properties":{"id":"abc","userPrincipalName":"megan@contoso.com","userAgent":"Mozilla/5.0"}}`)
	var r rawRecord
	if err := decodeJSON(in, &r); err != nil {
		t.Fatal(err)
	}
	copy(in, bytes.Repeat([]byte("X"), len(in)))
	var other rawRecord
	_ = decodeJSON([]byte(`{"time":"2099-01-01T00:00:00Z","category":"Write","properties":{"id":"zzz","userPrincipalName":"other@example.org","userAgent":"curl/8"}}`), &other)
	if r.Time != "2024-03-11T09:00:00Z" || r.Properties.UserPrincipalName != "megan@contoso.com" || r.Properties.UserAgent != "Mozilla/5.0" || string(r.Category) != "SignInLogs" {
		t.Errorf("decoded strings changed with the input: %+v %+v", r, *r.Properties)
	}
}
