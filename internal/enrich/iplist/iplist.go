// Package iplist owns IP reputation and range lists: anonymous proxies, Tor
// exits, VPN ranges, corporate networks, allow lists and threat-intel
// blocklists. Lists are loaded from files (plain, CSV, Tor exit lists) into
// an immutable Set with a prefix-trie per list, so a lookup costs a trie
// walk per list rather than a scan; a Watcher reloads them when the files
// change. Parse (one file's prefixes with their labels and lines),
// ParseSpec and FileStamps are the same parsing and change detection for
// packages that keep more per prefix, such as internal/ti.
package iplist

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Category says what being on a list means.
type Category string

// Categories.
const (
	AnonymousProxy Category = "anonymous-proxy"
	AnonymousVPN   Category = "anonymous-vpn" // commercial VPN services
	TorExit        Category = "tor-exit"
	VPN            Category = "vpn"
	Corporate      Category = "corporate" // the organisation's own networks
	Allow          Category = "allow"     // e.g. authorised pen-test sources: suppress alerts
	Malicious      Category = "malicious" // threat intelligence
)

// Categories are the known categories, the ones a list may have.
var Categories = []Category{AnonymousProxy, AnonymousVPN, TorExit, VPN, Corporate, Allow, Malicious}

// Valid reports whether c is one of the known categories.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

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
	format, err := checkFormat(lc.Format)
	if err != nil {
		return lc, fmt.Errorf("iplist: list %s: %w", lc.Name, err)
	}
	lc.Format = format
	return lc, nil
}

// ErrFormat means a list's format is not one of the Format constants.
var ErrFormat = errors.New("unknown format")

// checkFormat returns format, FormatAuto when empty, or ErrFormat.
func checkFormat(format string) (string, error) {
	switch format {
	case "":
		return FormatAuto, nil
	case FormatAuto, FormatPlain, FormatCSV, FormatTorExits:
		return format, nil
	}
	return "", fmt.Errorf("%w %q", ErrFormat, format)
}
