package normalize

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/vedette/vedette/internal/input"
)

// errRecordTooLong is what the record bound returns past its limit.
var errRecordTooLong = fmt.Errorf("record longer than %d bytes", maxLine)

// csvInput is the bounded stream a csv.Reader reads. encoding/csv buffers
// a whole record however long (an unclosed quote runs to the end of the
// file); br is the buffer csv uses as is (a *bufio.Reader of sufficient
// size), lim bounds what br may take from the source for one record.
type csvInput struct {
	lim *input.Bound
	br  *bufio.Reader
}

func newCSVInput(r io.Reader) *csvInput {
	lim := &input.Bound{R: r, Err: errRecordTooLong}
	return &csvInput{lim: lim, br: bufio.NewReaderSize(lim, 64<<10)}
}

// startRecord allows the next record maxLine bytes past what csv has
// consumed, plus what the buffer already holds.
func (c *csvInput) startRecord() {
	consumed := c.lim.N - int64(c.br.Buffered())
	c.lim.Limit = consumed + maxLine + int64(c.br.Size())
}

// skipLine discards up to the next newline after an over-long record, so
// reading resumes at the next line; false when the source has ended.
func (c *csvInput) skipLine() bool {
	c.lim.Limit = math.MaxInt64
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
