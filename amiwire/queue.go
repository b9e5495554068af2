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

	// Packet numbers (Reader.Seq) for memory reuse (Config.BorrowEvents):
	// tail is the number of the last packet queued, handed that of the last
	// one next handed out, released by release when next is called again.
	tail    uint64
	handed  uint64
	release func(seq uint64) // nil: packets own their memory

	full func() // tests: called (unlocked) each time push waits for room

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

// push queues p, numbered seq, as pushBatch does.
func (q *eventQueue) push(p Packet, seq uint64, block bool) {
	q.pushBatch([]Packet{p}, []uint64{seq}, block)
}

// pushBatch appends ps (numbered seqs) in order, taking the lock once for
// the lot. A packet that does not fit is dropped and counted
// (OverflowDrop, or block false), or waited for room for (OverflowBlock)
// until the queue is closed. An empty queue always takes a packet, however
// big, so a single event never blocks forever.
func (q *eventQueue) pushBatch(ps []Packet, seqs []uint64, block bool) {
	for len(ps) > 0 {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		n, added := 0, false
		for ; n < len(ps); n++ {
			size := eventSize(ps[n])
			if q.bytes+size <= q.limit || len(q.items) == 0 {
				added = true
				q.items = append(q.items, ps[n])
				q.bytes += size
				q.tail = seqs[n]
				continue
			}
			if q.policy == OverflowDrop || !block {
				q.dropped++
				continue
			}
			break // full: wait for room
		}
		full := q.full
		q.mu.Unlock()
		if added {
			signal(q.ready)
		}
		ps, seqs = ps[n:], seqs[n:]
		if len(ps) > 0 {
			if full != nil {
				full()
			}
			<-q.space // next and close both leave a token
		}
	}
}

// next hands every queued packet over at once, waiting for one if needed.
func (q *eventQueue) next(ctx context.Context, dst []Packet) ([]Packet, error) {
	if q.release != nil {
		q.mu.Lock()
		handed := q.handed
		q.mu.Unlock()
		if handed > 0 {
			q.release(handed) // the caller is done with the last batch
		}
	}
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			q.handed = q.tail
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
