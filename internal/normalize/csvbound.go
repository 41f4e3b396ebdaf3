package normalize

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
)

// errRecordTooLong is what boundedReader returns past its limit.
var errRecordTooLong = fmt.Errorf("record longer than %d bytes", maxLine)

// boundedReader feeds encoding/csv, which buffers a whole record however
// long (an unclosed quote runs to the end of the file): it fails once the
// current record has taken more than maxLine bytes.
type boundedReader struct {
	r     io.Reader
	read  int64 // bytes handed out
	limit int64 // read may not pass this
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.read >= b.limit {
		return 0, errRecordTooLong
	}
	if rest := b.limit - b.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// csvInput is the bounded stream a csv.Reader reads: br is the buffer csv
// uses as is (it is a *bufio.Reader of sufficient size), lim bounds what
// br may take from the source for one record.
type csvInput struct {
	lim *boundedReader
	br  *bufio.Reader
}

func newCSVInput(r io.Reader) *csvInput {
	lim := &boundedReader{r: r}
	return &csvInput{lim: lim, br: bufio.NewReaderSize(lim, 64<<10)}
}

// startRecord allows the next record maxLine bytes past what csv has
// consumed, plus what the buffer already holds.
func (c *csvInput) startRecord() {
	consumed := c.lim.read - int64(c.br.Buffered())
	c.lim.limit = consumed + maxLine + int64(c.br.Size())
}

// skipLine discards up to the next newline after an over-long record, so
// reading resumes at the next line; false when the source has ended.
func (c *csvInput) skipLine() bool {
	c.lim.limit = math.MaxInt64
	for {
		_, err := c.br.ReadSlice('\n')
		if err == nil {
			return true
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return false
		}
	}
}
