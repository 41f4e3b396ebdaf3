package api

import (
	"fmt"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressResponses compresses the API's answers for clients that accept
// it (gzip, or zstd when preferred): alert listings and exports are JSON
// that shrinks several times over a SOC's slow links. Answers under 1 KiB
// are sent as they are; a streamed export is flushed page by page through
// the compressor, its trailer intact. Request bodies are never
// decompressed (limitBody caps what a request may send, and a compressed
// body would escape that cap). Tokens travel in the Authorization header,
// never in a cookie, so a cross-site page cannot make a browser send
// authenticated requests whose compressed sizes would leak a secret
// (BREACH).
func compressResponses() (middleware, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(gzhttp.DefaultMinSize))
	if err != nil {
		return nil, fmt.Errorf("api: response compression: %w", err)
	}
	return func(next http.Handler) http.Handler { return wrap(next) }, nil
}
