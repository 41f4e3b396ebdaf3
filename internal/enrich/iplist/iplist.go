// Package iplist owns IP reputation and range lists: anonymous proxies, Tor
// exits, VPN ranges, corporate networks, allow lists and threat-intel
// blocklists. Lists are loaded from files (plain, CSV, Tor exit lists) into
// an immutable Set with a prefix-trie per list, so a lookup costs a trie
// walk per list rather than a scan; a Watcher reloads them when the files
// change.
package iplist

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Category says what being on a list means.
type Category string

// Categories.
const (
	AnonymousProxy Category = "anonymous-proxy"
	TorExit        Category = "tor-exit"
	VPN            Category = "vpn"
	Corporate      Category = "corporate" // the organisation's own networks
	Allow          Category = "allow"     // e.g. authorised pen-test sources: suppress alerts
	Malicious      Category = "malicious" // threat intelligence
)

// Valid reports whether c is one of the known categories.
func (c Category) Valid() bool {
	switch c {
	case AnonymousProxy, TorExit, VPN, Corporate, Allow, Malicious:
		return true
	}
	return false
}

// Entry is one list that contains an address.
type Entry struct {
	Category Category `json:"category"`
	List     string   `json:"list"`            // list name
	Label    string   `json:"label,omitempty"` // provider or comment, may be empty
}

// File formats.
const (
	FormatAuto     = "auto"  // by extension and content; the default
	FormatPlain    = "plain" // one IP, CIDR or a-b range per line; Tor's bulk exit list
	FormatCSV      = "csv"
	FormatTorExits = "tor-exit-addresses" // Tor's exit-addresses (ExitNode/ExitAddress records)
)

// ListConfig names one list file.
type ListConfig struct {
	Path     string   `yaml:"path"`
	Category Category `yaml:"category"`
	// Name identifies the list in alerts; default: the file name without
	// its extension.
	Name string `yaml:"name"`
	// Format is "auto" (default), "plain", "csv" or "tor-exit-addresses".
	Format string `yaml:"format"`
}

// ListStats says what loading one list found.
type ListStats struct {
	Name     string   `json:"name"`
	Path     string   `json:"path"`
	Category Category `json:"category"`
	Format   string   `json:"format"`              // the format used, after auto-detection
	Entries  int      `json:"entries"`             // distinct prefixes
	BadLines int      `json:"bad_lines"`           // lines skipped as unparseable
	FirstBad string   `json:"first_bad,omitempty"` // "file:line: detail" of the first one
}

// withDefaults fills Name and Format and validates the rest. It does no I/O.
func (lc ListConfig) withDefaults() (ListConfig, error) {
	if lc.Path == "" {
		return lc, fmt.Errorf("iplist: list %q: no path", lc.Name)
	}
	if lc.Name == "" {
		base := filepath.Base(lc.Path)
		lc.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if !lc.Category.Valid() {
		return lc, fmt.Errorf("iplist: list %s: unknown category %q", lc.Name, lc.Category)
	}
	switch lc.Format {
	case "":
		lc.Format = FormatAuto
	case FormatAuto, FormatPlain, FormatCSV, FormatTorExits:
	default:
		return lc, fmt.Errorf("iplist: list %s: unknown format %q", lc.Name, lc.Format)
	}
	return lc, nil
}
