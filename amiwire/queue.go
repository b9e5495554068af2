package amiwire

import (
	"context"
	"sync"
)

// eventQueue holds async events between the read loop (the only producer)
// and NextEvents. It is bounded by the bytes its packets hold (eventSize);
// what happens when it is full is the overflow policy's business.
type eventQueue struct {
	mu      sync.Mutex
	items   []Packet
	bytes   int
	limit   int
	policy  OverflowPolicy
	dropped uint64
	closed  bool
	cause   error

	ready chan struct{} // wakes a consumer (capacity 1, never lost)
	space chan struct{} // wakes the blocked producer (capacity 1)
	ended chan struct{} // closed by close: wakes every consumer
}

func (q *eventQueue) init(limit int, policy OverflowPolicy) {
	q.limit, q.policy = limit, policy
	q.ready = make(chan struct{}, 1)
	q.space = make(chan struct{}, 1)
	q.ended = make(chan struct{})
}

// signal leaves a token in ch unless one is there already: a wake-up that
// nobody waits for yet is kept for the next waiter.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// eventSize is what a queued packet counts against the limit: its wire
// size, or an estimate of it for a packet built by a program.
func eventSize(p Packet) int {
	if p.Raw != nil {
		return len(p.Raw)
	}
	n := 2
	for _, f := range p.Fields {
		n += len(f.Key) + len(f.Value) + 4
	}
	return n
}

// push appends p, or drops and counts it (OverflowDrop, or block false),
// or waits for room (OverflowBlock) until the queue is closed. An empty
// queue always takes a packet, however big, so a single event never blocks
// forever.
func (q *eventQueue) push(p Packet, block bool) {
	size := eventSize(p)
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		if q.bytes+size <= q.limit || len(q.items) == 0 {
			q.items = append(q.items, p)
			q.bytes += size
			q.mu.Unlock()
			signal(q.ready)
			return
		}
		if q.policy == OverflowDrop || !block {
			q.dropped++
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		<-q.space // next and close both leave a token
	}
}

// next hands every queued packet over at once, waiting for one if needed.
func (q *eventQueue) next(ctx context.Context, dst []Packet) ([]Packet, error) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			var out []Packet
			if len(dst) == 0 && cap(dst) > 0 {
				// Swap buffers: the caller's empty slice becomes the new
				// queue, so a steady stream costs no copying and no
				// allocation.
				out, q.items = q.items, dst[:0]
			} else {
				out = append(dst, q.items...)
				clear(q.items)
				q.items = q.items[:0]
			}
			q.bytes = 0
			q.mu.Unlock()
			signal(q.space)
			return out, nil
		}
		if q.closed {
			cause := q.cause
			q.mu.Unlock()
			return dst, cause
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-q.ended:
		case <-ctx.Done():
			return dst, ctx.Err()
		}
	}
}

// close marks the end of the stream; queued packets can still be taken,
// after which next returns cause. A blocked push returns.
func (q *eventQueue) close(cause error) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.cause = cause
	q.mu.Unlock()
	close(q.ended)
	signal(q.space)
}

func (q *eventQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *eventQueue) droppedCount() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
