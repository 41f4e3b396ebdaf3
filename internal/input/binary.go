package input

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrUnsupported is returned (wrapped) for a recognised format Vedette does
// not read from files, with what to do instead.
var ErrUnsupported = errors.New("unsupported input")

// captures are the magic numbers of packet captures: pcap (micro- and
// nanosecond, either byte order) and pcapng's section header block.
var captures = [][]byte{
	{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
	{0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
	{0x0a, 0x0d, 0x0d, 0x0a},
}

// Unsupported returns why head, the start of an input, is of a format
// `vedette detect` cannot read, with what to do with it, or nil.
func Unsupported(head []byte) error {
	for _, m := range captures {
		if bytes.HasPrefix(head, m) {
			return fmt.Errorf("%w: this is a packet capture (pcap/pcapng), and Vedette reads flow records, "+
				"not packets: run Zeek over it (zeek -r FILE) and give `vedette detect` the conn.log and ssh.log it writes", ErrUnsupported)
		}
	}
	// nfdump's file header: magic 0xA50C little-endian, layout version 1 or 2.
	if len(head) >= 4 && head[0] == 0x0c && head[1] == 0xa5 && (head[2] == 1 || head[2] == 2) && head[3] == 0 {
		return fmt.Errorf("%w: this is an nfcapd file (nfdump's binary format): replay it to "+
			"`vedette serve` over UDP (nfreplay -H 127.0.0.1 -p 2055 -r FILE, with serve listening on that port)", ErrUnsupported)
	}
	return nil
}
