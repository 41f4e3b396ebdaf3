package normalize

import (
	"encoding/json"
	"errors"
	"fmt"

	gojson "github.com/goccy/go-json"
)

// decodeJSON decodes one record. goccy/go-json was the fastest of
// encoding/json, goccy/go-json, segmentio/encoding/json and sonic on our
// records (see BenchmarkRawDecode): sonic loses its lead on the custom
// unmarshalers of the flexible field types. goccy copies the input, so
// decoded strings never alias the reader's reused line buffer.
var decodeJSON = gojson.Unmarshal

// describeDecodeError turns a decoding failure into a rejection reason and
// detail. Decoders word their errors differently, so the record is decoded
// again with encoding/json, whose errors name the field; failures are rare,
// so the second decode costs nothing overall.
func describeDecodeError(raw []byte, err error) (reason, detail string) {
	var r rawRecord
	if stdErr := json.Unmarshal(raw, &r); stdErr != nil {
		err = stdErr
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "(record)"
		}
		return "bad-type", fmt.Sprintf("field %s: %s is not a %s", field, typeErr.Value, typeErr.Type)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return "invalid-json", fmt.Sprintf("byte offset %d: %v", syntaxErr.Offset, syntaxErr)
	}
	return "invalid-json", err.Error()
}
