package format

import (
	"math/bits"
	"slices"

	"github.com/ami-cli/ami/amiwire"
)

// The fast path. Nearly every packet Asterisk sends has printable ASCII
// keys and values, no '"' or '\\', and no repeated key. For such a packet
// the JSON is the bytes themselves with fixed punctuation between them, so
// appendPlain grows dst once for an upper bound on the size and copies
// each string in 8-byte words, testing the words as it goes. When a byte
// needs escaping or a key repeats, what it wrote (past len(dst)) is
// dropped and the general path starts over; it gives the same bytes for
// every packet the fast path takes (see FuzzPlainJSON).

// plainMaxFields is the most fields the fast path takes: its key table has
// twice as many slots, so probes stay short, and indexes fit in a byte.
const plainMaxFields = 64

// Separators, each written as one word; the bytes past a separator are
// overwritten by what follows.
const (
	sepColon = uint64('"') | uint64(':')<<8 | uint64('"')<<16 // key to value
	sepComma = uint64('"') | uint64(',')<<8 | uint64('"')<<16 // value to next key
)

// appendPlain appends fields as appendObject would, if every key and value
// is plain and no key repeats, and reports whether it did; otherwise dst
// is returned unchanged (only its spare capacity is written).
//
// Every string is followed by a separator that closes it and opens the
// next one (`":"` after a key, `","` after a value), so the object is
// written as `{"`, then string, separator, string, separator..., and the
// last `,"` is turned into `}`.
//
// Each string is copied in 8-byte words, the last one overlapping the one
// before, so no byte is handled alone and memmove is never called; the
// words are tested as they pass (notPlain), and the key's first and last
// words give its hash. The code for this is written out twice, for the
// key and for the value: a function call per string, or a loop over the
// two, costs markedly more instructions per packet (BenchmarkJSON).
func appendPlain(dst []byte, fields []amiwire.Field) ([]byte, bool) {
	if len(fields) > plainMaxFields {
		return dst, false
	}
	// The size if the fast path succeeds, and 8 more because the last
	// separator is written as a word.
	ub := len(`{"`) + 8
	for i := range fields {
		ub += len(fields[i].Key) + len(fields[i].Value) + len(`":"","`)
	}
	n := len(dst)
	dst = slices.Grow(dst, ub)
	b := dst[n : n+ub]

	// slots is an open-addressing table of field indexes +1 (0 = empty),
	// for finding a repeated key.
	var slots [2 * plainMaxFields]uint8
	const slotMask = len(slots) - 1
	var bad uint64 // notPlain of every word read, ORed
	b[0], b[1] = '{', '"'
	i := 2
	for fi := range fields {
		k := fields[fi].Key
		if k == "" || k == LinesKey {
			// Colonless lines (rare: Asterisk 22 sends command output as
			// "Output:" fields) are grouped into an array.
			return dst[:n], false
		}

		// The key. Every store goes to d, which ends 8 bytes past the
		// string, so making d is the only bounds check.
		var kh uint64
		m := len(k)
		d := b[i:][:m+8]
		switch {
		case m >= 8:
			first, last := load64(k, 0), load64(k, m-8)
			bad |= notPlain(first) | notPlain(last)
			store64(d, 0, first)
			for j := 8; j < m-8; j += 8 {
				x := load64(k, j)
				bad |= notPlain(x)
				store64(d, j, x)
			}
			store64(d, m-8, last)
			kh = first ^ bits.RotateLeft64(last, 31)
		case m >= 4:
			lo, hi := load32(k, 0), load32(k, m-4)
			store32(d, 0, lo)
			store32(d, m-4, hi)
			kh = lo | hi<<32
			bad |= notPlain(kh)
		case m > 0:
			// One to three bytes: first, middle and last cover them all.
			c0, c1, c2 := k[0], k[m>>1], k[m-1]
			d[0], d[m>>1], d[m-1] = c0, c1, c2
			kh = uint64(c0) | uint64(c1)<<8 | uint64(c2)<<16 | pad&^0xffffff
			bad |= notPlain(kh)
		}
		store64(d, m, sepColon)
		i += m + len(`":"`)

		// The value, the same way.
		v := fields[fi].Value
		m = len(v)
		d = b[i:][:m+8]
		switch {
		case m >= 8:
			first, last := load64(v, 0), load64(v, m-8)
			bad |= notPlain(first) | notPlain(last)
			store64(d, 0, first)
			for j := 8; j < m-8; j += 8 {
				x := load64(v, j)
				bad |= notPlain(x)
				store64(d, j, x)
			}
			store64(d, m-8, last)
		case m >= 4:
			lo, hi := load32(v, 0), load32(v, m-4)
			store32(d, 0, lo)
			store32(d, m-4, hi)
			bad |= notPlain(lo | hi<<32)
		case m > 0:
			c0, c1, c2 := v[0], v[m>>1], v[m-1]
			d[0], d[m>>1], d[m-1] = c0, c1, c2
			bad |= notPlain(uint64(c0) | uint64(c1)<<8 | uint64(c2)<<16 | pad&^0xffffff)
		}
		store64(d, m, sepComma)
		i += m + len(`","`)

		if bad&highs != 0 {
			return dst[:n], false // give up early: the general path redoes it all
		}
		for h := int(((kh ^ uint64(len(k))) * 0x9e3779b97f4a7c15) >> 57); ; h = (h + 1) & slotMask {
			s := slots[h]
			if s == 0 {
				slots[h] = uint8(fi + 1)
				break
			}
			if fields[s-1].Key == k {
				return dst[:n], false
			}
		}
	}
	if i == 2 { // no member
		b[1] = '}'
		return dst[:n+2], true
	}
	// b[i-2:i] is the `,"` after the last member.
	b[i-2] = '}'
	return dst[:n+i-1], true
}
