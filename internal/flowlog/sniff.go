package flowlog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// sniffBytes is how much of a (decompressed) file IsFlowLog looks at.
const sniffBytes = 64 << 10

// flowMarkers appear near the start of every NSG v2 and VNet v4 file: the
// categories Azure writes and the tuple array name. No activity log,
// sign-in or CloudTrail record carries them.
var flowMarkers = [][]byte{
	[]byte(`"NetworkSecurityGroupFlowEvent"`), []byte(`"FlowLogFlowEvent"`),
	[]byte(`"flowTuples"`), []byte(`"flowRecords"`),
}

// IsFlowLog reports whether the file at path, plain or gzip, looks like an
// Azure NSG or VNet flow log or a Zeek conn.log or ssh.log, from its first
// 64 KiB. It reads nothing else, so callers can route files before parsing
// them.
func IsFlowLog(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("flowlog: %w", err)
	}
	defer f.Close()
	return sniff(f), nil
}

func sniff(r io.Reader) bool {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	var src io.Reader = br
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		defer zr.Close()
		src = zr
	}
	head, _ := io.ReadAll(io.LimitReader(src, sniffBytes))
	return IsFlowLogHead(head)
}

// IsFlowLogHead reports whether head, the first (decompressed) bytes of an
// input, look like an Azure NSG or VNet flow log or a Zeek conn.log or
// ssh.log.
func IsFlowLogHead(head []byte) bool {
	if zeekKind(head) != "" {
		return true
	}
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	for _, m := range flowMarkers {
		if bytes.Contains(head, m) {
			return true
		}
	}
	return false
}
