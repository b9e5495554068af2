package amiwire

import "sync"

// minFreeChunks is how many free chunks (and field slabs) a recycler may
// always keep. Beyond it, it keeps about as many as have lately been in
// flight (a peak that decays by 1/peakDecay at each release): the reader
// will need that many again while its consumer stays as far behind, and
// some time after a burst the surplus goes back to the garbage collector.
const (
	minFreeChunks = 8
	peakDecay     = 64
)

// recycler lets a Reader reuse the memory of packets its consumer is done
// with, so that a steady stream costs no allocation and no fresh (page
// faulting) memory. Packets are numbered in the order the Reader returns
// them (Reader.Seq). When the Reader stops filling a chunk or a field slab
// it retires it with the number of the last packet returned, which is the
// last packet that can point into it; the consumer releases packets in
// order, and a retired chunk whose last packet is released is free for
// the Reader to fill again.
//
// The Reader calls get and retire from its goroutine, the consumer calls
// release from its own: the mutex is taken once per chunk, not per packet.
type recycler struct {
	mu       sync.Mutex
	released uint64 // every packet numbered up to this one is released

	bufs   recycleList[[]byte]
	fields recycleList[[]Field]
}

// retiredItem is a chunk no longer filled, waiting for its last packet to
// be released.
type retiredItem[T any] struct {
	item T
	last uint64
}

// recycleList holds chunks of one kind: retired ones in retirement order
// (so their last packets are in order too) and free ones.
type recycleList[T any] struct {
	retired []retiredItem[T]
	free    []T
	peak    int // chunks lately in flight
}

// reclaim moves every retired chunk whose last packet is released to the
// free list, and drops what the free list has no room for.
func (l *recycleList[T]) reclaim(released uint64) {
	l.peak = max(l.peak-l.peak/peakDecay, len(l.retired))
	keep := max(minFreeChunks, l.peak)
	n := 0
	for n < len(l.retired) && l.retired[n].last <= released {
		l.free = append(l.free, l.retired[n].item)
		n++
	}
	if len(l.free) > keep {
		var zero T
		for i := keep; i < len(l.free); i++ {
			l.free[i] = zero
		}
		l.free = l.free[:keep]
	}
	if n > 0 {
		var zero retiredItem[T]
		rest := copy(l.retired, l.retired[n:])
		for i := rest; i < len(l.retired); i++ {
			l.retired[i] = zero
		}
		l.retired = l.retired[:rest]
	}
}

// take returns a free chunk, or false when there is none.
func (l *recycleList[T]) take() (T, bool) {
	var zero T
	if len(l.free) == 0 {
		return zero, false
	}
	item := l.free[len(l.free)-1]
	l.free[len(l.free)-1] = zero
	l.free = l.free[:len(l.free)-1]
	return item, true
}

// retire puts item on the retired list of l, to be free once packet last
// is released (at once when it is already).
func retire[T any](rc *recycler, l *recycleList[T], item T, last uint64) {
	rc.mu.Lock()
	if last <= rc.released {
		if len(l.free) < minFreeChunks {
			l.free = append(l.free, item)
		}
	} else {
		l.retired = append(l.retired, retiredItem[T]{item, last})
	}
	rc.mu.Unlock()
}

// reuse returns a free chunk of l, or false.
func reuse[T any](rc *recycler, l *recycleList[T]) (T, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return l.take()
}

// release marks every packet numbered up to seq as no longer referenced.
func (rc *recycler) release(seq uint64) {
	rc.mu.Lock()
	if seq > rc.released {
		rc.released = seq
		rc.bufs.reclaim(seq)
		rc.fields.reclaim(seq)
	}
	rc.mu.Unlock()
}
