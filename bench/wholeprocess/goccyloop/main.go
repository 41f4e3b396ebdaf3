// Command goccyloop is the reference of the whole-process benchmark
// (bench/wholeprocess): the single-threaded loop a Go programmer would
// write to read Vedette's inputs, bufio.Scanner and goccy/go-json into a
// lean struct of the fields Vedette reads. It prints the records decoded.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	gojson "github.com/goccy/go-json"
)

// record holds the fields of a sign-in or ARM record Vedette reads.
type record struct {
	Time, Category, TenantID, OperationName, ResultType, CallerIPAddress, ResourceID string
	Identity                                                                         json.RawMessage
	Properties                                                                       struct {
		ID, CreatedDateTime, UserPrincipalName, UserID, IPAddress, AppID, AppDisplayName, UserAgent string
		IsInteractive                                                                               bool
		Status                                                                                      struct{ ErrorCode int }
		Location                                                                                    struct {
			City, CountryOrRegion string
			GeoCoordinates        struct{ Latitude, Longitude float64 }
		}
	}
}

func main() {
	n := 0
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var r record
			if gojson.Unmarshal(sc.Bytes(), &r) == nil {
				n++
			}
		}
		f.Close()
	}
	fmt.Println(n)
}
