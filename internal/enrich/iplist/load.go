package iplist

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/gaissmai/bart"
)

// Load reads every list. A file that cannot be opened or read, or a
// configuration mistake, is an error naming the list and file; lines that
// do not parse are skipped and counted in the Set's Stats.
func Load(lists []ListConfig) (*Set, error) {
	s := &Set{}
	names := make(map[string]bool, len(lists))
	for _, lc := range lists {
		lc, err := lc.withDefaults()
		if err != nil {
			return nil, err
		}
		if names[lc.Name] {
			return nil, fmt.Errorf("iplist: list %s: name used twice", lc.Name)
		}
		names[lc.Name] = true
		l, st, err := loadList(lc)
		if err != nil {
			return nil, err
		}
		s.lists = append(s.lists, l)
		s.stats = append(s.stats, st)
		s.size += st.Entries
	}
	return s, nil
}

func loadList(lc ListConfig) (list, ListStats, error) {
	f, err := os.Open(lc.Path)
	if err != nil {
		return list{}, ListStats{}, fmt.Errorf("iplist: list %s: %w", lc.Name, err)
	}
	defer f.Close()
	c := newCollector(lc.Path)
	format, err := parse(lc, f, c)
	if err != nil {
		return list{}, ListStats{}, fmt.Errorf("iplist: list %s: %w", lc.Name, err)
	}
	st := ListStats{
		Name: lc.Name, Path: lc.Path, Category: lc.Category, Format: format,
		Entries: c.table.Size(), BadLines: c.badLines, FirstBad: c.firstBad,
	}
	return list{name: lc.Name, category: lc.Category, table: c.table}, st, nil
}

// Item is one prefix read from a list file.
type Item struct {
	Prefix netip.Prefix // masked, IPv4-mapped IPv6 turned into IPv4
	Label  string       // the line's label or comment, or the CSV label column; may be empty
	Line   int          // 1-based line of the file it was read from
}

// FileStats says what parsing one list file found.
type FileStats struct {
	Format   string // the format used, after auto-detection
	BadLines int    // lines skipped as unparseable
	FirstBad string // "path:line: detail" of the first one
}

// Parse reads one list file's content from r in format (FormatAuto or ""
// detects it from path's extension and the content) and calls emit for
// each prefix, in file order; a range gives several, and a prefix listed
// twice is emitted twice. path names the file in FirstBad. Lines that do
// not parse are counted in the stats; the error is for a read error or an
// unknown format. Load is Parse plus a prefix table per list; callers that
// keep more per prefix (internal/ti) call Parse.
func Parse(path, format string, r io.Reader, emit func(Item)) (FileStats, error) {
	format, err := checkFormat(format)
	if err != nil {
		return FileStats{}, fmt.Errorf("iplist: %s: %w", path, err)
	}
	c := &collector{path: path, emit: emit, labels: map[string]string{}}
	format, err = parse(ListConfig{Path: path, Format: format}, r, c)
	if err != nil {
		return FileStats{}, fmt.Errorf("iplist: %w", err)
	}
	return FileStats{Format: format, BadLines: c.badLines, FirstBad: c.firstBad}, nil
}

// parse reads r in lc's format (detected when "auto") into c, and returns
// the format used. Errors are read errors, not bad lines.
func parse(lc ListConfig, r io.Reader, c *collector) (string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	skipBOM(br)
	format := lc.Format
	if format == FormatAuto {
		format = sniff(lc.Path, br)
	}
	var err error
	switch format {
	case FormatCSV:
		err = parseCSV(br, c)
	case FormatTorExits:
		err = parseLines(br, c, torExitLine)
	default:
		err = parseLines(br, c, plainLine)
	}
	return format, err
}

// skipBOM drops a UTF-8 byte order mark, as Excel and Log Analytics
// exports start with one.
func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3) //nolint:errcheck // the bytes were just peeked
	}
}

// sniff picks a format from the file extension, else from the first line
// that is neither blank nor a comment.
func sniff(path string, br *bufio.Reader) string {
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return FormatCSV
	}
	head, _ := br.Peek(br.Size())
	for line := range strings.Lines(string(head)) {
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i] // a comment may hold commas
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		switch {
		case strings.HasPrefix(line, "ExitNode "), strings.HasPrefix(line, "@type tor-exit"),
			strings.HasPrefix(line, "Downloaded "):
			return FormatTorExits
		case strings.Contains(line, ","):
			return FormatCSV
		}
		return FormatPlain
	}
	return FormatPlain
}

// collector gathers one list's prefixes, passing each to emit, and counts
// its bad lines.
type collector struct {
	path     string
	emit     func(Item)
	line     int               // the line being parsed
	labels   map[string]string // interned labels: many rows share one
	badLines int
	firstBad string
	// table is where newCollector's emit puts the prefixes, as Load keeps
	// them; nil for Parse's.
	table *bart.Table[string]
}

// newCollector returns a collector that builds a table.
func newCollector(path string) *collector {
	c := &collector{path: path, table: new(bart.Table[string]), labels: map[string]string{}}
	c.emit = c.insert
	return c
}

// insert puts it in the table unless the list already has its prefix: the
// first label wins.
func (c *collector) insert(it Item) {
	if _, ok := c.table.Get(it.Prefix); !ok {
		c.table.Insert(it.Prefix, it.Label)
	}
}

// add emits p with the current line and label, the label interned.
func (c *collector) add(p netip.Prefix, label string) {
	if l, ok := c.labels[label]; ok {
		label = l
	} else {
		label = strings.Clone(label) // do not pin the line it was cut from
		c.labels[label] = label
	}
	c.emit(Item{Prefix: p, Label: label, Line: c.line})
}

// bad counts a skipped line and keeps the first one's position.
func (c *collector) bad(line int, detail string) {
	c.badLines++
	if c.firstBad == "" {
		c.firstBad = fmt.Sprintf("%s:%d: %s", c.path, line, detail)
	}
}
