package input

import "io"

// Bound is a reader whose limit the caller moves: a parser that buffers a
// whole value (encoding/csv a record, encoding/json a value) sets Limit
// before each one, and Bound fails with Err once the value has taken more.
type Bound struct {
	R     io.Reader
	N     int64 // bytes handed out so far
	Limit int64 // N may not pass this
	Err   error // returned at the limit
}

func (b *Bound) Read(p []byte) (int, error) {
	if b.N >= b.Limit {
		return 0, b.Err
	}
	if rest := b.Limit - b.N; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.R.Read(p)
	b.N += int64(n)
	return n, err
}
