package normalize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestExactDecimal checks plainMembers' float reader against the full
// path's (number, then exactFloat or strconv): what it takes it reads to
// the same bits and the same end, and it leaves everything else.
func TestExactDecimal(t *testing.T) {
	for _, tc := range []struct {
		in    string
		taken bool
	}{
		{"12.9716,", true}, {"77.5946}", true}, {"-33.8688,", true}, {"0,", true},
		{"-0}", true}, {"0.1,", true}, {"-0.000001}", true}, {"123456789012345,", true},
		{"1234567890.12345}", true}, {"7}", true},
		{"1234567890123456,", false}, {"0.0000000000000001,", false}, // more than 15 digits
		{"01,", false}, {"-,", false}, {"1.,", false}, {".5,", false}, {"1e5,", false},
		{"1.5E-3}", false}, {"12.5 ,", false}, {"12.5", false}, {"12", false},
		{"12.", false}, {"-", false}, {"+1,", false}, {"1.2.3,", false}, {`"1",`, false},
		{"Infinity,", false}, {"1_0,", false},
	} {
		b := []byte(tc.in)
		v, end := exactDecimal(b, 0)
		if (end >= 0) != tc.taken {
			t.Errorf("%q: taken %v, want %v", tc.in, end >= 0, tc.taken)
		}
		if end < 0 {
			continue
		}
		nend, ok := number(b, 0)
		want, exact := exactFloat(b[:nend])
		if !exact {
			want, _ = strconv.ParseFloat(string(b[:nend]), 64)
		}
		if !ok || nend != end || math.Float64bits(v) != math.Float64bits(want) {
			t.Errorf("%q: %v up to %d, the full path %v up to %d (ok %v)", tc.in, v, end, want, nend, ok)
		}
	}
}

// TestAllocTables checks that the object types alloc recognises exist:
// without them the fast decoder would allocate every record's properties.
func TestAllocTables(t *testing.T) {
	tb := typeTables()
	if tb.props == nil || tb.coords == nil || tb.props == tb.coords {
		t.Fatalf("props %p, coords %p", tb.props, tb.coords)
	}
}

// TestPlainLongKeys decodes near misses of the long claim keys a warm
// decoder remembers (compared as 32 bytes of words and the rest as a
// string): a key is taken from the shape only when the record holds
// exactly it, and the warm record's claims are read.
func TestPlainLongKeys(t *testing.T) {
	const oid = `http://schemas.microsoft.com/identity/claims/objectidentifier`
	warm := `{"claims":{"appid":"a","` + oid + `":"o1","http://schemas.microsoft.com/identity/claims/scope":"user_impersonation","idtyp":"app"}}`
	d := newFastDecoder()
	for _, raw := range []string{
		warm,
		strings.Replace(warm, oid, oid+"x", 1),
		strings.Replace(warm, oid, oid[:len(oid)-1], 1),
		strings.Replace(warm, oid, oid[:len(oid)-1]+"X", 1),
		strings.Replace(warm, oid+`":`, oid+`" :`, 1),
		strings.Replace(warm, oid+`":`, oid+`"`, 1),
		strings.Replace(warm, `/scope":"user_impersonation"`, `/scope":1`, 1),
		strings.Replace(warm, `/scope":"user_impersonation"`, `/scope":{"a":true}`, 1),
		`{"claims":{"appid":"a","` + oid + `":"o1","appid":"b"}}`,
		warm[:len(warm)-40],
		warm[:60],
		warm,
	} {
		d.decode([]byte(warm), &rawRecord{}) // the shape remembered is warm's
		checkSameDecode(t, d, []byte(raw))
	}
	var r rawRecord
	if !d.decode([]byte(warm), &r) || r.Claims.V.ObjectID != "o1" || r.Claims.V.AppID != "a" {
		t.Errorf("warm record decoded as %+v", r.Claims)
	}
}

// TestPlainLanes decodes, with a warm decoder, records whose values are
// of each JSON type for fields of each kind plainMembers meets (a string
// where a struct, a location or a status pointer is expected, a number
// where a string is): plainMembers takes only what its lane reads, and
// leaves the rest to the full path, which decodes it or gives up as it
// would on a cold decoder.
func TestPlainLanes(t *testing.T) {
	values := []string{`"IN"`, `"{\"a\":1}"`, `12.5`, `-3`, `true`, `{"city":"Z"}`, `{"errorCode":0}`, `[]`, `null`}
	// Each value is followed by 33 bytes or more, which plainMembers
	// needs to look at a member.
	const pad = `"resultSignature":"padding padding padding padding"`
	templates := []string{
		`{"time":"t","properties":{"id":"i","location":%s,"appId":"a",` + pad + `},` + pad + `}`,
		`{"time":"t","properties":{"id":"i","status":%s,"appId":"a",` + pad + `},` + pad + `}`,
		`{"time":"t","properties":{"id":"i","isInteractive":%s,"appId":"a",` + pad + `},` + pad + `}`,
		`{"time":"t","properties":{"id":"i","userId":%s,"appId":"a",` + pad + `},` + pad + `}`,
		`{"time":"t","properties":{"id":"i","deviceDetail":%s,"appId":"a",` + pad + `},` + pad + `}`,
		`{"time":"t","status":%s,"location":"IN",` + pad + `}`,
		`{"time":"t","location":%s,"category":"c",` + pad + `}`,
		`{"time":"t","properties":{"location":{"city":"c","geoCoordinates":%s,` + pad + `}},` + pad + `}`,
		`{"time":"t","properties":{"location":{"geoCoordinates":{"latitude":%s,"longitude":1.5,` + pad + `}}},` + pad + `}`,
	}
	taken := 0
	for _, tmpl := range templates {
		for _, v := range values {
			rec := fmt.Sprintf(tmpl, v)
			d := newFastDecoder()
			for range 3 { // cold, then warm on its own shape
				if checkSameDecode(t, d, []byte(rec)) {
					taken++
				}
			}
		}
	}
	if taken == 0 {
		t.Error("no record decoded fast")
	}
}
