package inventory

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"
)

// Load reads an inventory CSV file (format in the package doc).
func Load(path string) (*Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer f.Close()
	inv := New(0)
	if err := inv.ReadCSV(f); err != nil {
		return nil, fmt.Errorf("inventory: %s: %w", path, err)
	}
	return inv, nil
}

// ReadCSV adds the mappings of an inventory CSV stream.
func (inv *Inventory) ReadCSV(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if n == 1 && strings.EqualFold(f[0], "ip") {
			continue
		}
		if err := inv.addLine(f); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

func (inv *Inventory) addLine(f []string) error {
	if len(f) < 2 || len(f) > 5 || f[1] == "" {
		return fmt.Errorf("want ip,host[,subscription[,valid_from[,valid_to]]], got %d fields", len(f))
	}
	ip, err := netip.ParseAddr(f[0])
	if err != nil {
		return fmt.Errorf("ip: %w", err)
	}
	h := Host{Name: f[1]}
	if len(f) > 2 {
		h.Subscription = strings.ToLower(f[2])
	}
	var from, to time.Time
	if len(f) > 3 && f[3] != "" {
		if from, err = time.Parse(time.RFC3339, f[3]); err != nil {
			return fmt.Errorf("valid_from: %w", err)
		}
	}
	if len(f) > 4 && f[4] != "" {
		if to, err = time.Parse(time.RFC3339, f[4]); err != nil {
			return fmt.Errorf("valid_to: %w", err)
		}
	}
	inv.Add(ip, h, from, to)
	return nil
}
