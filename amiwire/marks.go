package amiwire

import (
	"encoding/binary"
	"math/bits"
)

// lineMarks records where the line ends ('\n') and colons of a buffer are,
// one bit per byte: bit i%64 of nl[i/64] is set when buf[i] is '\n', and
// likewise for colon, for every i below n. The Reader marks each chunk of
// input once as it arrives, 64 bytes at a time with vector compares, and
// then finds each line end and key colon with a shift and a count of
// trailing zeros instead of a scan per line: the scans were most of the
// cost of parsing an event (about 20 short lines).
type lineMarks struct {
	nl, colon []uint64
	n         int // buf[:n] is marked; bits at n and above are zero
}

// reset forgets the marks, for a buffer whose bytes moved or changed.
func (m *lineMarks) reset() { m.n = 0 }

// update marks buf[m.n:w]. It remarks the 64-byte block holding m.n from its
// start, so that no bit is ever set at or above w.
func (m *lineMarks) update(buf []byte, w int) {
	if need := w>>6 + 1; len(m.nl) < need {
		size := max(need, 2*len(m.nl))
		nl, colon := make([]uint64, size), make([]uint64, size)
		copy(nl, m.nl)
		copy(colon, m.colon)
		m.nl, m.colon = nl, colon
	}
	if w <= m.n {
		return
	}
	from := m.n &^ 63
	whole := (w - from) >> 6 // blocks wholly in buf[:w]
	if whole > 0 {
		markBlocks(buf[from:from+whole<<6], m.nl[from>>6:], m.colon[from>>6:])
		from += whole << 6
	}
	if from < w {
		k := from >> 6
		if from+64 <= len(buf) {
			// The last block is partly input, partly stale bytes: mark it
			// whole and clear the bits of the stale part.
			markBlocks(buf[from:from+64], m.nl[k:], m.colon[k:])
			keep := uint64(1)<<(w-from) - 1
			m.nl[k] &= keep
			m.colon[k] &= keep
		} else {
			m.nl[k], m.colon[k] = markTail(buf[from:w])
		}
	}
	if w&63 == 0 {
		// The next block is not marked at all yet; next looks at it.
		m.nl[w>>6], m.colon[w>>6] = 0, 0
	}
	m.n = w
}

// next returns the position of the first set bit of marks in [from, to),
// or -1. The caller has marked at least up to to, and from <= to.
func next(marks []uint64, from, to int) int {
	if w := marks[from>>6] >> (from & 63); w != 0 {
		if i := from + bits.TrailingZeros64(w); i < to {
			return i
		}
		return -1
	}
	return nextBlock(marks, from>>6+1, to)
}

// nextBlock is next from the start of block k on; kept apart so that next
// is small enough to inline.
//
//go:noinline
func nextBlock(marks []uint64, k, to int) int {
	for ; k<<6 < to; k++ {
		if w := marks[k]; w != 0 {
			if i := k<<6 + bits.TrailingZeros64(w); i < to {
				return i
			}
			return -1
		}
	}
	return -1
}

// markTail returns the marks of fewer than 64 bytes.
func markTail(b []byte) (nl, colon uint64) {
	for i, c := range b {
		if c == '\n' {
			nl |= 1 << i
		} else if c == ':' {
			colon |= 1 << i
		}
	}
	return nl, colon
}

// markBlocksGeneric is markBlocks in Go, eight bytes at a time: the
// version on other architectures, and the reference for the vector one.
func markBlocksGeneric(b []byte, nl, colon []uint64) {
	for k := range len(b) >> 6 {
		blk := (*[64]byte)(b[k<<6:])
		var n, c uint64
		for i := 0; i < 64; i += 8 {
			x := binary.LittleEndian.Uint64(blk[i : i+8])
			n |= byteMarks(x^0x0a0a0a0a0a0a0a0a) << i
			c |= byteMarks(x^0x3a3a3a3a3a3a3a3a) << i
		}
		nl[k], colon[k] = n, c
	}
}

// byteMarks returns a byte with bit i set where byte i of x (little-endian)
// is zero. The test is exact: no carry crosses from one byte to the next.
func byteMarks(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	zero := ^((x&low7 + low7) | x) & 0x8080808080808080
	// Each flag bit lands on its own bit of the top byte: byte i's at 56+i.
	return (zero >> 7) * 0x0102040810204080 >> 56
}
