package normalize

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// readCSV reads a Log Analytics portal CSV export of SigninLogs,
// AzureActivity or AuditLogs. Other tables are an unknown format.
func (rd *reader) readCSV(br *bufio.Reader) error {
	in := newCSVInput(br)
	cr := csv.NewReader(in.br)
	in.startRecord()
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%w: no CSV header: %v", ErrUnknownFormat, err)
	}
	f, setters := csvTable(header)
	if f == "" {
		return fmt.Errorf("%w: CSV columns are not a SigninLogs, AzureActivity or AuditLogs table", ErrUnknownFormat)
	}
	rd.format = f
	rd.recognized = 1
	var joined []byte
	for row := 1; ; row++ {
		in.startRecord()
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, errRecordTooLong) {
			rd.reject(row, "record-too-long", fmt.Sprintf("CSV record longer than %d bytes (an unclosed quote?); reading resumes at the next line", maxLine))
			if !in.skipLine() {
				return nil
			}
			continue
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			rd.reject(row, "invalid-csv", perr.Error())
			continue
		}
		if err != nil {
			return err
		}
		joined = joinFields(joined[:0], fields)
		r, reason, detail := csvRecord(fields, setters)
		if reason != "" {
			rd.reject(row, reason, detail)
			continue
		}
		rd.emitAs(f, r, joined, row)
	}
}

// joinFields appends the row's fields to b, each followed by 0x1f (the
// record a content key is computed from), and points each field at its
// copy there. The event's strings then point into its record, as a JSON
// record's do, and ownEvent interns or copies them: left as the CSV
// reader's, each would be a slice of one string holding the whole row,
// which any value an event or the baseline kept would keep alive.
func joinFields(b []byte, fields []string) []byte {
	for _, v := range fields {
		b = append(append(b, v...), 0x1f)
	}
	off := 0
	for i, v := range fields {
		if v != "" {
			fields[i] = unsafe.String(&b[off], len(v))
		}
		off += len(v) + 1
	}
	return b
}

// csvRecord fills a record from one row.
func csvRecord(fields []string, setters []csvSetter) (r *rawRecord, reason, detail string) {
	r = new(rawRecord)
	for i, v := range fields {
		s := setters[i]
		if s.set == nil || v == "" {
			continue
		}
		if err := s.set(r, v); err != nil {
			return nil, "bad-field", fmt.Sprintf("column %s: %v", s.column, err)
		}
	}
	return r, "", ""
}

type csvSetter struct {
	column string
	set    func(r *rawRecord, v string) error
}

// csvTable recognizes the table from the header and maps its columns.
func csvTable(header []string) (Format, []csvSetter) {
	names := make([]string, len(header))
	has := make(map[string]bool, len(header))
	for i, h := range header {
		names[i] = csvColumn(h)
		has[names[i]] = true
	}
	var f Format
	var columns map[string]func(*rawRecord, string) error
	switch {
	case has["userprincipalname"] && has["ipaddress"] && (has["resulttype"] || has["status"]):
		f, columns = FormatLASignInCSV, signInColumns
	case has["initiatedby"] && has["operationname"] && (has["targetresources"] || has["activitydisplayname"]):
		f, columns = FormatLAAuditCSV, auditColumns
	case has["caller"] && has["timegenerated"] && (has["operationnamevalue"] || has["operationname"] || has["authorization"]):
		f, columns = FormatLAActivityCSV, activityColumns
	default:
		return "", nil
	}
	setters := make([]csvSetter, len(header))
	for i, n := range names {
		setters[i] = csvSetter{column: header[i], set: columns[n]}
	}
	return f, setters
}

// csvColumn normalizes a header: "TimeGenerated [UTC]" is timegenerated,
// "LocationDetails_dynamic" and "LocationDetails_string" are
// locationdetails.
func csvColumn(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.Index(h, " ["); i > 0 {
		h = h[:i]
	}
	h = strings.TrimSuffix(strings.TrimSuffix(h, "_dynamic"), "_string")
	return strings.ToLower(h)
}
