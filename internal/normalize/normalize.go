// Package normalize turns raw activity-log records (Azure Activity Log, Entra
// ID sign-ins and audit logs, their Log Analytics tables, AWS CloudTrail) into
// event.Event values. It sniffs compression and format from the content,
// hands every usable record to a Sink and every unusable one to the same
// Sink as a Rejection; a bad record never stops the good ones around it.
package normalize

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/input"
)

// ErrUnknownFormat is returned (wrapped) when a source holds no record of
// any supported format.
var ErrUnknownFormat = errors.New("unknown-format")

// Rejection is a record that could not be used, with where it was.
type Rejection struct {
	Source string // file name or stream name
	Record int    // 1-based record number: array index+1 in a JSON document, line in JSON lines, data row in CSV
	Reason string // short machine-friendly reason: "invalid-json", "missing-time", "bad-type", ...
	Detail string // human explanation incl. the offending field
}

// Error formats the rejection as "source:record: reason: detail".
func (r Rejection) Error() string {
	return r.Source + ":" + strconv.Itoa(r.Record) + ": " + r.Reason + ": " + r.Detail
}

// Sink receives what a reader produces. The reader allocates a fresh
// *event.Event per record; the sink owns it.
type Sink interface {
	Event(e *event.Event)
	Reject(r Rejection)
}

// Format names a detected input format.
type Format string

// Formats Read recognizes. A JSON source whose records are of several
// formats (a JSON-lines file may mix them line by line) is FormatMixed.
const (
	FormatAzureActivity     Format = "azure-activity"      // ARM activity log, diagnostic settings (Event Hub, storage)
	FormatAzureActivityREST Format = "azure-activity-rest" // ARM activity log, REST API / portal export
	FormatEntraSignIn       Format = "entra-signin"        // Entra sign-in log, diagnostic settings
	FormatEntraSignInGraph  Format = "entra-signin-graph"  // Microsoft Graph signIn objects
	FormatCloudTrail        Format = "cloudtrail"          // AWS CloudTrail
	FormatLASignIn          Format = "la-signinlogs"       // Log Analytics SigninLogs rows (JSON)
	FormatLAActivity        Format = "la-azureactivity"    // Log Analytics AzureActivity rows (JSON)
	FormatLASignInCSV       Format = "la-signinlogs-csv"   // Log Analytics portal CSV export of SigninLogs
	FormatLAActivityCSV     Format = "la-azureactivity-csv"
	FormatEntraAudit        Format = "entra-audit"       // Entra audit log, diagnostic settings
	FormatEntraAuditGraph   Format = "entra-audit-graph" // Microsoft Graph directoryAudit objects
	FormatLAAudit           Format = "la-auditlogs"      // Log Analytics AuditLogs rows (JSON)
	FormatLAAuditCSV        Format = "la-auditlogs-csv"  // Log Analytics portal CSV export of AuditLogs
	FormatMixed             Format = "mixed"
)

// maxLine bounds one JSON line or one CSV row. Longer records are rejected
// without being buffered whole.
const maxLine = 4 << 20

// maxDocument bounds a whole-file JSON document (not JSON lines), which is
// held in memory: about this much heap at most while it is read.
const maxDocument = 128 << 20

// Read sniffs gzip (magic bytes; input.Gunzip bounds the ratio) and the
// format from the content, parses every record in r and hands each to sink. It returns an error only when
// the source as a whole cannot be read (unknown format, I/O error); bad
// records are Rejections and never stop the good records around them.
func Read(source string, r io.Reader, sink Sink) (Format, error) {
	br, done, err := input.Gunzip(r, 64<<10)
	if err != nil {
		return "", fmt.Errorf("normalize: %s: %w", source, err)
	}
	defer done()
	if head, _ := br.Peek(16); input.Unsupported(head) != nil {
		return "", fmt.Errorf("normalize: %s: %w", source, input.Unsupported(head))
	}
	if err := skipBOM(br); err != nil {
		return "", fmt.Errorf("normalize: %s: %w", source, err)
	}
	rd := newReader(source, sink)
	first, err := firstByteOf(br)
	switch {
	case err == io.EOF:
		return "", nil
	case err != nil:
		return "", fmt.Errorf("normalize: %s: %w", source, err)
	case first == '{' || first == '[':
		err = rd.readJSON(br)
	default:
		err = rd.readCSV(br)
	}
	if err != nil {
		return rd.format, fmt.Errorf("normalize: %s: %w", source, err)
	}
	return rd.format, nil
}

// ReadFile opens path and calls Read with the path as source.
func ReadFile(path string, sink Sink) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("normalize: %w", err)
	}
	defer f.Close()
	return Read(path, f, sink)
}

func skipBOM(br *bufio.Reader) error {
	b, err := br.Peek(3)
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		_, err = br.Discard(3)
		return err
	}
	if err == io.EOF || err == bufio.ErrBufferFull {
		return nil
	}
	return err
}

// firstByteOf returns the first non-space byte without consuming it.
func firstByteOf(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !isSpace(c) {
			return c, br.UnreadByte()
		}
	}
}
