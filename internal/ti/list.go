package ti

import (
	"bytes"
	"strconv"

	"github.com/vedette/vedette/internal/enrich/iplist"
)

func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && t[0] == '{'
}

// addList reads an address list with iplist's parser: plain, CSV or Tor
// exit lists, detected from path and content. Each prefix's indicator is
// its line and its name the line's label or comment.
func (s *Set) addList(st *FeedStats, path string, data []byte) error {
	fs, err := iplist.Parse(path, iplist.FormatAuto, bytes.NewReader(data), func(it iplist.Item) {
		st.Prefixes++
		s.insert(it.Prefix, &Entry{
			Feed: st.Feed, Indicator: "line " + strconv.Itoa(it.Line), Name: it.Label,
			Confidence: DefaultConfidence,
		})
	})
	st.Format, st.Skipped, st.FirstBad = fs.Format, fs.BadLines, fs.FirstBad
	return err
}
