package amiwire

import (
	"context"
	"sync"
	"time"
)

// Pacing: the read loop waits for the consumer to take a batch before
// queueing more than paceBytes, so that a consumer slower than the socket
// leaves the stream in the kernel's socket buffer, still hot in the cache,
// rather than in a queue that grows to its limit and out of the cache (and
// RSS). That holds whether the consumer is working through a batch or has
// been woken and not yet run (which on a busy machine can take a while).
// The wait is paceMax at most; then another paceBytes may come in, and so on: a consumer held up for long (a
// slow stdout) still has the socket drained at paceBytes per paceMax
// (20 MB/s, more than a busy Asterisk sends), into the whole queue, so
// Asterisk's write timeout never strikes.
const (
	paceBytes = 1 << 20
	paceMax   = 50 * time.Millisecond
)

// eventQueue holds async events between the read loop (the only producer)
// and NextEvents. It is bounded by the memory its packets hold (eventSize);
// what happens when it is full is Config.DropWhenFull's business.
type eventQueue struct {
	mu      sync.Mutex
	items   []Packet
	bytes   int
	limit   int
	drop    bool // Config.DropWhenFull
	dropped uint64
	closed  bool
	cause   error
	ending  bool // endWaits: a full queue drops, as with drop

	// Packet numbers (Reader.seq) for lending (Client.queueLends): tail
	// is the number of the last packet queued, handed that of the last one
	// next handed out, given back by giveBack when next is called again.
	tail     uint64
	handed   uint64
	giveBack func(seq uint64) // nil: the queue's packets are owned

	// answersDue reports whether an action waits for its answer: then a
	// full queue drops events rather than hold the answer up.
	answersDue func() bool

	full  func() // tests: called (unlocked) each time push waits for room
	paced func() // tests: called (unlocked) each time the read loop paces

	paceNext int         // queued bytes at which the read loop next waits
	pace     *time.Timer // the read loop's, for paced waits

	ready chan struct{} // wakes a consumer (capacity 1, never lost)
	space chan struct{} // wakes the blocked producer (capacity 1)
	ended chan struct{} // closed by close: wakes every consumer
}

func (q *eventQueue) init(limit int, drop bool) {
	q.limit, q.drop = limit, drop
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

// eventSize is what a queued packet counts against the limit.
func eventSize(p Packet) int { return p.heldSize() }

// push queues p, numbered seq, as pushBatch does.
func (q *eventQueue) push(p Packet, seq uint64, block bool) {
	q.pushBatch([]Packet{p}, []uint64{seq}, block)
}

// pushBatch appends ps (numbered seqs) in order, taking the lock once for
// the lot. A packet that does not fit is dropped and counted
// (DropWhenFull, block false, an action waiting for its answer, or the
// session ending: endWaits), or waited for room for (without DropWhenFull)
// until the queue is closed or an action is sent. An empty queue always takes a packet, however big, so a
// single event never blocks forever.
func (q *eventQueue) pushBatch(ps []Packet, seqs []uint64, block bool) {
	if block {
		q.wait()
	}
	for len(ps) > 0 {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		if size := batchSize(ps); q.bytes+size <= q.limit {
			// The common case: all of it fits, in one append.
			q.items = append(q.items, ps...)
			q.bytes += size
			q.tail = seqs[len(seqs)-1]
			q.mu.Unlock()
			signal(q.ready)
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
			if q.drop || q.ending || !block || q.answersDue != nil && q.answersDue() {
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

// batchSize is the sum of eventSize over ps.
func batchSize(ps []Packet) int {
	n := 0
	for i := range ps {
		n += eventSize(ps[i])
	}
	return n
}

// wait is the pacing described at paceBytes: it returns at once unless
// the queue holds paceNext bytes or more; then it waits for the consumer
// to take them, for paceMax to pass (and lets another paceBytes in) or for
// the end.
func (q *eventQueue) wait() {
	q.mu.Lock()
	if q.paceNext == 0 {
		q.paceNext = paceBytes
	}
	pace := q.bytes >= min(q.paceNext, q.limit) && !q.closed && !q.ending
	paced := q.paced
	q.mu.Unlock()
	if !pace || q.answersDue != nil && q.answersDue() {
		return
	}
	if paced != nil {
		paced()
	}
	if q.pace == nil {
		q.pace = time.NewTimer(paceMax)
	} else {
		q.pace.Reset(paceMax)
	}
	select {
	case <-q.space: // next leaves a token when it takes a batch
	case <-q.pace.C:
		q.mu.Lock()
		q.paceNext = q.bytes + paceBytes
		q.mu.Unlock()
	case <-q.ended:
	}
	q.pace.Stop()
}

// next hands every queued packet over at once, waiting for one if needed.
func (q *eventQueue) next(ctx context.Context, dst []Packet) ([]Packet, error) {
	q.mu.Lock()
	handed, giveBack := q.handed, q.giveBack
	q.mu.Unlock()
	if giveBack != nil && handed > 0 {
		giveBack(handed) // the caller is done with the last batch
	}
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			q.handed = q.tail
			q.paceNext = paceBytes
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

// endWaits makes the queue, from now on, drop (and count) a packet that
// does not fit instead of waiting for room, and stop pacing, so that the
// read loop never waits for the consumer again; packets that fit are
// still queued.
func (q *eventQueue) endWaits() {
	q.mu.Lock()
	q.ending = true
	q.mu.Unlock()
	signal(q.space) // a read loop waiting for room, or pacing, goes on
}

// counts returns the number of packets queued and of those dropped so far.
func (q *eventQueue) counts() (queued int, dropped uint64) {
	q.mu.Lock()
	queued, dropped = len(q.items), q.dropped
	q.mu.Unlock()
	return queued, dropped
}
