package notify

import (
	"bytes"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
)

// Lines renders changes one per line with f. A change the format cannot
// render is a permanent failure: retrying cannot fix it.
func Lines(changes []event.Change, f format.Func) ([]byte, error) {
	var buf bytes.Buffer
	for _, c := range changes {
		b, err := f(c)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}
