package clustertest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/store"
)

// DetectCaughtUp reports whether the detect group's offsets in s have
// reached the end of every internal partition with messages, and how
// many messages the stored offsets cover.
func DetectCaughtUp(ctx context.Context, brokers []string, s *store.Store, group string) (bool, int64, error) {
	end, err := EndOffsets(ctx, brokers, ActivityTopic, FlowTopic)
	if err != nil {
		return false, 0, err
	}
	got, err := s.PartitionOffsets(ctx, group)
	if err != nil {
		return false, 0, err
	}
	var done int64
	for _, o := range got {
		done += o
	}
	return CaughtUp(end, got), done, nil
}

// Total is the number of messages of the internal topics.
func Total(ctx context.Context, brokers []string) (int64, error) {
	end, err := EndOffsets(ctx, brokers, ActivityTopic, FlowTopic)
	var n int64
	for _, o := range end {
		n += o
	}
	return n, err
}

// Poll calls cond every 100 ms until it reports true, fails, or timeout
// passes.
func Poll(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("clustertest: %s: not within %s", what, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Ingest runs serve (an ingest role, stopping with -flush-on-exit) until
// it has read msgs activity messages and caught up on all parts source
// partitions, and the flow-log group has committed every flow-log
// message; then it stops serve and waits for it. serve reports the
// activity messages read and the partitions caught up through progress.
func Ingest(ctx context.Context, brokers []string, msgs, parts int, serve func(context.Context, func(read, caughtUp int)) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	read := make(chan struct{})
	var once bool
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, func(n, caught int) {
			if !once && n >= msgs && caught == parts {
				once = true
				close(read)
			}
		})
	}()
	select {
	case <-read:
	case err := <-done:
		return fmt.Errorf("clustertest: ingest stopped early: %v", err)
	case <-time.After(60 * time.Second):
		return fmt.Errorf("clustertest: ingest did not read the activity within 60s")
	}
	err := Poll(ctx, 60*time.Second, "flow logs ingested", func() (bool, error) {
		end, err := EndOffsets(ctx, brokers, FlowLogSource)
		if err != nil {
			return false, err
		}
		got, err := GroupOffsets(ctx, brokers, "ingest-flowlogs")
		return err == nil && CaughtUp(end, got), err
	})
	cancel()
	return errors.Join(err, <-done)
}
