package flowsource

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ErrNoKernelDrops is returned where the kernel's per-socket drop counts
// cannot be read (not Linux, or no /proc).
var ErrNoKernelDrops = errors.New("flowsource: kernel socket drops not available")

// procUDP are the kernel's UDP socket tables of this process's network
// namespace; the last column of each row counts the datagrams the kernel
// dropped for that socket (receive buffer full, checksum errors).
var procUDP = []string{"/proc/self/net/udp", "/proc/self/net/udp6"}

// KernelDrops returns how many datagrams the kernel dropped for the
// collector's sockets before Vedette could read them, mostly because the
// receive buffer was full (raise read_buffer, or net.core.rmem_max). It is
// read from /proc at each call, off the read path.
func (c *Collector) KernelDrops() (uint64, error) {
	inodes := make(map[uint64]bool, len(c.conns))
	for _, conn := range c.conns {
		ino, err := socketInode(conn)
		if err != nil {
			return 0, err
		}
		inodes[ino] = true
	}
	var total uint64
	found := 0
	for _, path := range procUDP {
		f, err := os.Open(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return 0, fmt.Errorf("flowsource: kernel drops: %w", err)
		}
		n, drops, err := udpDrops(f, inodes)
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("flowsource: kernel drops: %s: %w", path, err)
		}
		found += n
		total += drops
	}
	if found == 0 && len(inodes) > 0 {
		return 0, ErrNoKernelDrops
	}
	return total, nil
}

// udpDrops sums the drops column of the rows of a /proc/net/udp table
// whose inode is in inodes, and counts those rows.
func udpDrops(r io.Reader, inodes map[uint64]bool) (found int, drops uint64, err error) {
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		// sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
		if len(f) < 13 {
			continue
		}
		ino, err := strconv.ParseUint(string(f[9]), 10, 64)
		if err != nil || !inodes[ino] {
			continue
		}
		d, err := strconv.ParseUint(string(f[len(f)-1]), 10, 64)
		if err != nil {
			return found, drops, fmt.Errorf("drops column %q: %w", f[len(f)-1], err)
		}
		found++
		drops += d
	}
	return found, drops, sc.Err()
}
