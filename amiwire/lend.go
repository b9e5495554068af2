package amiwire

import (
	"sync"
	"unsafe"
)

// Memory lending, in one place (this file and the Client's side at the end
// of it). Everything amiwire hands to a caller is the caller's: a packet
// from ReadPacket, Do, Wait, NextEvents or a Stream callback owns its
// memory, which nothing ever writes again, and holds only its own bytes.
// Inside, the Reader of a Client reads into chunks that it reuses: each
// packet it returns is lent (its Raw, Fields and strings point into a
// chunk and a field slab) and valid until it is given back, by the number
// the Reader gave it (Reader.seq) or a later one. The Client gives a
// packet back as soon as it has handed on an owned copy (own), except
// where Config.Lend lets it lend the packet on: to a Stream callback until
// it returns, or to the consumer of NextEvents until its next call.
//
// Words: lend (hand out memory that will be reused), lent, give back (done
// with it: it may be reused), loan (what is out), own (a copy that shares
// nothing with the Reader).

// minFreeChunks is how many free chunks (and field slabs) a Reader may
// always keep. Beyond it, it keeps about as many as have lately been on
// loan (a peak that decays by 1/peakDecay at each give-back): the reader
// will need that many again while its consumer stays as far behind, and
// some time after a burst the surplus goes back to the garbage collector.
const (
	minFreeChunks = 8
	peakDecay     = 64
)

// loans is the memory a lending Reader has out and has back, so that a
// steady stream costs no allocation and no fresh (page faulting) memory.
// Packets are numbered in the order the Reader returns them (Reader.seq).
// When the Reader stops filling a chunk or a field slab it puts it on loan
// with the number of the last packet returned, which is the last packet
// that can point into it; packets are given back in order, and a chunk
// whose last packet is given back is free for the Reader to fill again.
//
// The Reader calls take and lendOut from its goroutine, the consumer calls
// giveBack from its own: the mutex is taken once per chunk, not per packet.
type loans struct {
	mu       sync.Mutex
	returned uint64 // every packet numbered up to this one is given back

	bufs   loanList[[]byte]
	fields loanList[[]Field]
}

// loan is a chunk no longer filled, out until its last packet is given back.
type loan[T any] struct {
	item T
	last uint64
}

// loanList holds chunks of one kind: those on loan in the order they went
// out (so their last packets are in order too) and free ones.
type loanList[T any] struct {
	out  []loan[T]
	free []T
	peak int // chunks lately on loan
}

// repaid moves every chunk whose last packet is given back to the free
// list, and drops what the free list has no room for.
func (l *loanList[T]) repaid(returned uint64) {
	l.peak = max(l.peak-l.peak/peakDecay, len(l.out))
	keep := max(minFreeChunks, l.peak)
	n := 0
	for n < len(l.out) && l.out[n].last <= returned {
		l.free = append(l.free, l.out[n].item)
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
		var zero loan[T]
		rest := copy(l.out, l.out[n:])
		for i := rest; i < len(l.out); i++ {
			l.out[i] = zero
		}
		l.out = l.out[:rest]
	}
}

// takeFree returns a free chunk, or false when there is none.
func (l *loanList[T]) takeFree() (T, bool) {
	var zero T
	if len(l.free) == 0 {
		return zero, false
	}
	item := l.free[len(l.free)-1]
	l.free[len(l.free)-1] = zero
	l.free = l.free[:len(l.free)-1]
	return item, true
}

// lendOut puts item on loan in l until packet last is given back (it is
// free at once when it is already).
func lendOut[T any](b *loans, l *loanList[T], item T, last uint64) {
	b.mu.Lock()
	if last <= b.returned {
		if len(l.free) < minFreeChunks {
			l.free = append(l.free, item)
		}
	} else {
		l.out = append(l.out, loan[T]{item, last})
	}
	b.mu.Unlock()
}

// take returns a free chunk of l, or false.
func take[T any](b *loans, l *loanList[T]) (T, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return l.takeFree()
}

// giveBack marks every packet numbered up to seq as done with.
func (b *loans) giveBack(seq uint64) {
	b.mu.Lock()
	if seq > b.returned {
		b.returned = seq
		b.bufs.repaid(seq)
		b.fields.repaid(seq)
	}
	b.mu.Unlock()
}

// lend makes the Reader reuse the memory of packets once they are given
// back: from this call on, a packet it returns is valid only until
// giveBack is called with its number (r.seq right after it was read) or a
// later one; then its Raw, its Fields and their strings may be overwritten
// by later input. Packets returned before the call are not affected.
// Call it from the reading goroutine.
func (r *Reader) lend() {
	if r.loans == nil {
		r.loans = &loans{}
	}
}

// giveBack says that every packet numbered up to seq is no longer used, so
// that a lending Reader may reuse its memory. It may be called from any
// goroutine; without lend it does nothing.
func (r *Reader) giveBack(seq uint64) {
	if r.loans != nil {
		r.loans.giveBack(seq)
	}
}

// newChunk returns an input buffer of size bytes, and whether it goes back
// on loan when the Reader is done filling it: a free one when lending and
// size is the standard chunk size.
func (r *Reader) newChunk(size int) ([]byte, bool) {
	if r.loans == nil || size != chunkSize {
		return make([]byte, size), false
	}
	if b, ok := take(r.loans, &r.loans.bufs); ok {
		return b, true
	}
	return make([]byte, size), true
}

// retireChunk is done filling the current input buffer: it goes on loan
// until the packets that point into it are given back.
func (r *Reader) retireChunk() {
	if r.bufLent {
		last := uint64(0)
		if r.shared {
			last = r.seq
		}
		lendOut(r.loans, &r.loans.bufs, r.buf, last)
	}
	r.buf, r.bufLent = nil, false
	r.marks.reset()
}

// newFieldSlab returns a field slab of size fields, and whether it goes
// back on loan when the Reader is done with it.
func (r *Reader) newFieldSlab(size int) ([]Field, bool) {
	if r.loans == nil || size != fieldSlabLen {
		return make([]Field, size), false
	}
	if f, ok := take(r.loans, &r.loans.fields); ok {
		return f, true
	}
	return make([]Field, size), true
}

// retireFieldSlab is done with the current field slab: it goes on loan
// until the packets whose Fields are in it are given back.
func (r *Reader) retireFieldSlab() {
	if r.fieldsLent {
		lendOut(r.loans, &r.loans.fields, r.fields, r.seq)
	}
}

// own returns a copy of p that shares no memory with it and holds nothing
// more than p's own bytes: Raw, and the keys and values, in one buffer (a
// key or value that is part of Raw, as every one of a packet the Reader
// read is, is not copied twice), and Fields in a slice of its own.
func (p Packet) own() Packet {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(p.Raw)))
	inRaw := func(s string) (int, bool) {
		if p.Raw == nil || len(s) == 0 {
			return 0, len(s) == 0
		}
		off := uintptr(unsafe.Pointer(unsafe.StringData(s))) - base
		return int(off), off <= uintptr(len(p.Raw)) && uintptr(len(s)) <= uintptr(len(p.Raw))-off
	}
	n := len(p.Raw)
	for _, f := range p.Fields {
		if _, ok := inRaw(f.Key); !ok {
			n += len(f.Key)
		}
		if _, ok := inRaw(f.Value); !ok {
			n += len(f.Value)
		}
	}
	buf := make([]byte, len(p.Raw), n)
	copy(buf, p.Raw)
	q := Packet{}
	if p.Raw != nil {
		q.Raw = buf[:len(p.Raw):len(p.Raw)]
	}
	if p.Fields == nil {
		return q
	}
	place := func(s string) string {
		if off, ok := inRaw(s); ok {
			if len(s) == 0 {
				return ""
			}
			return bytesString(buf[off : off+len(s)])
		}
		k := len(buf)
		buf = append(buf, s...)
		return bytesString(buf[k:len(buf):len(buf)])
	}
	q.Fields = make([]Field, len(p.Fields))
	for i, f := range p.Fields {
		q.Fields[i] = Field{Key: place(f.Key), Value: place(f.Value)}
	}
	return q
}

// The Client's side. Config.Lend lets one consumer at a time borrow the
// Reader's memory: the event queue, when events are on (queueLends: a
// batch from NextEvents is given back at the next call), or else one
// Stream (Client.borrower: its items are given back as its callback is
// done with them). A give-back covers every packet up to a number, so
// there is never more than one borrower. Without one, the read loop gives
// every packet back once it has handed on an owned copy (giveBackIdle).

// borrow makes p the Client's borrower, when Config.Lend allows it and no
// one else is, and reports whether it is.
func (p *Pending) borrow() bool {
	c := p.c
	if c.borrower.Load() != p && (!c.cfg.Lend || c.queueLends || !c.borrower.CompareAndSwap(nil, p)) {
		return false
	}
	p.mu.Lock()
	p.lend = true
	p.mu.Unlock()
	return true
}

// endLoan ends p's borrowing once its waiter is done with every item: the
// Reader may reuse all of it, and another Stream may borrow.
func (p *Pending) endLoan() {
	p.mu.Lock()
	p.lend = false
	lent := p.lastSeq
	p.mu.Unlock()
	if lent > 0 {
		p.c.r.giveBack(lent)
	}
	p.c.borrower.CompareAndSwap(p, nil)
}
