package recycle

import (
	"sync"
	"testing"

	"github.com/vedette/vedette/internal/event"
)

// release releases n new events into p and returns them.
func release(p *Pool, n int) map[*event.Event]bool {
	out := map[*event.Event]bool{}
	for range n {
		e := &event.Event{Key: "k"}
		out[e] = true
		p.Release(e)
	}
	return out
}

func TestPoolHandsBackWholeBatches(t *testing.T) {
	if Poisoning {
		t.Skip("released events are held in quarantine first")
	}
	p := New(2)
	if b := p.Take(nil); b != nil {
		t.Fatalf("empty pool gave %d events", len(b))
	}
	released := release(p, BatchSize+10) // one batch, and 10 in the making
	b := p.Take(nil)
	if len(b) != BatchSize {
		t.Fatalf("took %d events, want a batch of %d", len(b), BatchSize)
	}
	for _, e := range b {
		if !released[e] {
			t.Fatalf("took %p, never released", e)
		}
		delete(released, e)
	}
	if b2 := p.Take(b[:0]); b2 != nil {
		t.Fatalf("took %d events of a batch not yet full", len(b2))
	}
	if len(released) != 10 {
		t.Fatalf("%d events left, want the 10 of the batch in the making", len(released))
	}
}

func TestPoolBoundedWhenNobodyTakes(t *testing.T) {
	if Poisoning {
		t.Skip("released events are held in quarantine first")
	}
	p := New(3)
	release(p, 10*BatchSize)
	n := 0
	for b := p.Take(nil); b != nil; b = p.Take(b) {
		n++
	}
	if n != 3 {
		t.Fatalf("took %d batches, want the pool's 3 (the rest left to the collector)", n)
	}
}

// TestPoolConcurrentTakers runs one releaser against takers that write
// into what they take, as decoders do: under -race, any event handed to
// two takers at once, or taken while the releaser still holds it, fails.
func TestPoolConcurrentTakers(t *testing.T) {
	p := New(4)
	const takers, rounds = 4, 120
	var wg sync.WaitGroup
	stop := make(chan struct{})
	taken := make([]int, takers)
	for i := range takers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b []*event.Event
			for {
				select {
				case <-stop:
					return
				default:
				}
				if nb := p.Take(b); nb != nil {
					for _, e := range nb {
						*e = event.Event{Key: "reused"}
					}
					taken[i] += len(nb)
					b = nb[:0]
				}
			}
		}()
	}
	for range rounds * BatchSize {
		e := &event.Event{}
		e.Key = "processed" // the releaser's last write, before Release
		p.Release(e)
	}
	close(stop)
	wg.Wait()
	sum := 0
	for _, n := range taken {
		sum += n
	}
	if sum == 0 && !Poisoning {
		t.Fatal("no taker got any released event")
	}
	if sum%BatchSize != 0 {
		t.Fatalf("took %d events: not whole batches", sum)
	}
}

func TestNilPoolReleasesNothing(t *testing.T) {
	var p *Pool
	e := &event.Event{Key: "k"}
	p.Release(e)
	if e.Key != "k" {
		t.Fatal("a nil pool touched the event")
	}
}
