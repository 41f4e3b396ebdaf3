// Package flowlog reads Azure network flow log files into flow.Records:
// NSG flow logs version 2 (records[].properties.flows[].flows[].flowTuples,
// 13-field tuples "ts,src,dst,sport,dport,T|U,I|O,A|D,B|C|E,pkts,bytes,
// pkts,bytes") and VNet flow logs version 4
// (records[].flowRecords.flows[].flowGroups[].flowTuples, 13-field tuples
// "ts,src,dst,sport,dport,proto#,I|O,B|C|E|D,encryption,pkts,bytes,pkts,
// bytes"). Files may be plain JSON or gzip. Tuple timestamps may be Unix
// seconds or milliseconds; both are accepted in either format.
//
// It also reads Zeek conn.log and ssh.log files (JSON lines or TSV, plain
// or gzip; see zeek.go), so that `vedette detect` takes them like flow logs.
//
// Bad tuples are rejected one by one through the rej callback and never
// stop the read: only an unreadable file or invalid JSON is an error.
package flowlog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/input"
)

// Formats returned by ReadFile.
const (
	FormatNSGv2  = "nsg-v2"
	FormatVNetv4 = "vnet-v4"
	FormatMixed  = "mixed"
)

// MaxFileBytes bounds how much (decompressed) JSON one file may hold. It is
// read one record at a time (MaxRecordBytes), so this bounds time, not
// memory.
const MaxFileBytes = 1 << 30

// ErrFormat means the file is JSON but not an NSG or VNet flow log.
var ErrFormat = errors.New("not an azure flow log")

// RejectFunc receives each rejected tuple: the source (file base name), the
// 1-based record number, a short reason and a detail.
type RejectFunc func(source string, record int, reason, detail string)

// ReadFile reads the flow log at path and calls fn for every tuple (or
// Zeek log line), in file order. It returns the format of the file
// (FormatNSGv2, FormatVNetv4, FormatMixed, FormatZeekConn or FormatZeekSSH).
func ReadFile(path string, fn func(flow.Record), rej RejectFunc) (format string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("flowlog: %w", err)
	}
	defer f.Close()
	format, err = Read(f, filepath.Base(path), fn, rej)
	if err != nil {
		return format, fmt.Errorf("flowlog: %s: %w", path, err)
	}
	return format, nil
}

// Read is ReadFile on an open stream; source names it in records and
// rejections.
func Read(r io.Reader, source string, fn func(flow.Record), rej RejectFunc) (string, error) {
	br, done, err := decompress(r)
	if err != nil {
		return "", err
	}
	defer done()
	if rej == nil {
		rej = func(string, int, string, string) {}
	}
	head, _ := br.Peek(sniffBytes)
	if kind := zeekKind(head); kind != "" {
		return kind, readZeek(br, source, kind, fn, rej)
	}
	p := parser{source: source, fn: fn, rej: rej}
	err = readAzure(br, &p)
	return p.format(), err
}

// decompress returns r, gunzipped if it starts with the gzip magic (behind
// input.Gunzip's ratio guard), behind a buffer large enough to Peek
// sniffBytes; done releases the gzip reader.
func decompress(r io.Reader) (br *bufio.Reader, done func(), err error) {
	return input.Gunzip(r, sniffBytes)
}
