package normalize

import (
	"bytes"
	"fmt"
	"testing"
)

// principalLines are Entra sign-ins of n principals in turn, rounds
// times over: a tenant's month as the intern table meets it, every
// principal's UPN (mixed case, as Entra writes it), object ID and display
// name coming back once per round.
func principalLines(n, rounds int) []byte {
	var b bytes.Buffer
	for r := range rounds {
		for i := range n {
			fmt.Fprintf(&b, `{"time":"2026-10-%02dT%02d:%02d:%02d.1234567Z","category":"SignInLogs","tenantId":"8d3f2a61-5b7c-4e1d-9a0f-3c6b2e7d4f10","properties":{"id":"9d24719b-5f2a-4969-%04x-%012x","createdDateTime":"2026-10-%02dT%02d:%02d:%02d.1234567+00:00","userDisplayName":"User %06d","userPrincipalName":"User.%06d@Contoso.example","userId":"4a30ccce-f2ad-4b68-92c4-%012x","appId":"d3590ed6-52b3-4102-aeff-aad2292ab01c","appDisplayName":"Microsoft Office","ipAddress":"79.194.%d.%d","status":{"errorCode":0},"clientAppUsed":"Browser","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36","location":{"city":"Berlin","state":"Berlin","countryOrRegion":"DE","geoCoordinates":{"latitude":52.52,"longitude":13.405}},"isInteractive":true,"resourceDisplayName":"Microsoft Graph","resourceId":"00000003-0000-0000-c000-000000000000"}}`+"\n",
				1+r%28, i/3600%24, i/60%60, i%60, r, i, 1+r%28, i/3600%24, i/60%60, i%60, i, i, i, i/256%256, i%256)
		}
	}
	return b.Bytes()
}

// BenchmarkReadPrincipals is Read on sign-ins of 1k to 100k principals:
// what interning costs as the tenant grows (issue 13: the table of 16k
// entries saturated at 10k users).
func BenchmarkReadPrincipals(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		data := principalLines(n, max(4, 400_000/n))
		records := bytes.Count(data, []byte("\n"))
		b.Run(fmt.Sprintf("principals=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var s countSink
				if _, err := Read("principals.jsonl", bytes.NewReader(data), &s); err != nil || s.events != records {
					b.Fatalf("err %v, %d events of %d, %d rejections", err, s.events, records, s.rejections)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(records*b.N), "ns/record")
		})
	}
}
