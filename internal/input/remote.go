package input

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// FromBytes is an input already read into memory, a cloud-storage blob
// or object: name (azblob:<account>/<container>/<path>, s3:<bucket>/<key>)
// is kept whole in records and rejections, since every blob of a
// flow-log container is called PT1H.json. It can be opened again.
func FromBytes(name string, data []byte) (*Input, error) {
	src := &stoppable{r: bytes.NewReader(data)}
	br, done, err := Gunzip(src, HeadSize)
	if err != nil {
		return nil, fmt.Errorf("input: %s: %w", name, err)
	}
	in := &Input{Name: name, Remote: true, src: src, br: br, done: done}
	in.head, err = br.Peek(HeadSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		in.Close()
		return nil, fmt.Errorf("input: %s: %w", name, err)
	}
	return in, nil
}
