package flowlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vedette/vedette/internal/input"
)

// MaxRecordBytes bounds one record of an NSG or VNet flow log (Azure
// writes one per NSG or NIC per minute, a few hundred KiB at most).
const MaxRecordBytes = 64 << 20

// errRecordTooLarge is what the record bound returns past its limit.
var errRecordTooLarge = fmt.Errorf("record larger than %d bytes", MaxRecordBytes)

// readAzure streams the records array of an NSG or VNet flow log, one
// record in memory at a time. A record that does not decode is rejected
// alone, and so is a tuple that is not a string; records before a syntax
// error are kept, and the error is returned.
func readAzure(r io.Reader, p *parser) error {
	lim := &input.Bound{R: io.LimitReader(r, MaxFileBytes), Limit: MaxRecordBytes, Err: errRecordTooLarge}
	dec := json.NewDecoder(lim)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	found := false
	for dec.More() {
		lim.Limit = dec.InputOffset() + MaxRecordBytes + 64<<10
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("decode json: %w", err)
		}
		if key, _ := tok.(string); !strings.EqualFold(key, "records") {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("decode json: %w", err)
			}
			continue
		}
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		found = true
		if err := readRecords(dec, lim, p); err != nil {
			return err
		}
	}
	if !found {
		return ErrFormat
	}
	return nil
}

// readRecords decodes the elements of the records array one by one.
func readRecords(dec *json.Decoder, lim *input.Bound, p *parser) error {
	for n := 1; dec.More(); n++ {
		lim.Limit = dec.InputOffset() + MaxRecordBytes + 64<<10
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("decode json: record %d: %w", n, err)
		}
		var rec azRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			p.rej(p.source, n, "bad_record", describe(err))
			continue
		}
		p.record(&rec, n)
	}
	_, err := dec.Token() // ']'
	if err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

// expectDelim reads the next token, which must be d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	if tok != d {
		if d == '[' && tok == nil {
			return ErrFormat // "records": null
		}
		return fmt.Errorf("decode json: %v where %v was expected: %w", tok, d, ErrFormat)
	}
	return nil
}

// describe says which field of a record had the wrong type.
func describe(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s: a JSON %s where %s was expected", te.Field, te.Value, te.Type)
	}
	return err.Error()
}
