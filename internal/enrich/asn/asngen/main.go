// Command asngen builds the embedded ASN table from the ip-location-db ASN
// CSV files (asn-ipv4.csv and asn-ipv6.csv: first address, last address,
// AS number, organisation):
//
//	npm pack @ip-location-db/asn && tar xzf ip-location-db-asn-*.tgz
//	go run ./internal/enrich/asn/asngen -src package -out internal/enrich/asn/data/asn.bin.zst
//
// It also writes data/BUILD (the package version) beside the output.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vedette/vedette/internal/enrich/asn"
)

func main() {
	src := flag.String("src", "package", "directory of the unpacked @ip-location-db/asn npm package")
	out := flag.String("out", "internal/enrich/asn/data/asn.bin.zst", "table to write")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "asngen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	var rows []asn.Range
	for _, name := range []string{"asn-ipv4.csv", "asn-ipv6.csv"} {
		rs, err := readCSV(filepath.Join(src, name))
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	var buf bytes.Buffer
	if err := asn.Encode(&buf, rows); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	version, err := packageVersion(src)
	if err != nil {
		return err
	}
	build := "ip-location-db/asn " + version + "\n"
	fmt.Printf("%d ranges, %d bytes\n", len(rows), buf.Len())
	return os.WriteFile(filepath.Join(filepath.Dir(out), "BUILD"), []byte(build), 0o644)
}

func readCSV(path string) ([]asn.Range, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	var rows []asn.Range
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		from, err1 := netip.ParseAddr(rec[0])
		to, err2 := netip.ParseAddr(rec[1])
		n, err3 := strconv.ParseUint(rec[2], 10, 32)
		if err := errors.Join(err1, err2, err3); err != nil {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		rows = append(rows, asn.Range{From: from, To: to, ASN: uint32(n), Org: rec[3]})
	}
}

func packageVersion(src string) (string, error) {
	data, err := os.ReadFile(filepath.Join(src, "package.json"))
	if err != nil {
		return "", err
	}
	var p struct{ Version string }
	if err := json.Unmarshal(data, &p); err != nil {
		return "", fmt.Errorf("package.json: %w", err)
	}
	return p.Version, nil
}
