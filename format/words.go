package format

// Helpers for reading, testing and writing strings eight bytes at a time
// (see appendPlain). Go calls memmove for every copy(); for the short keys
// and values of AMI packets (mostly under 16 bytes) the call costs more
// than the copy itself.

// Word constants for testing eight bytes at once.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	// pad fills the bytes of a short string's word that the string does
	// not cover: spaces, which are plain.
	pad = ones * ' '
)

// notPlain returns a word in which some byte has its high bit set when
// a byte of x is not plain (ASCII at or above 0x20 other than '"' and
// '\\'). The high bits of the result mean anything only together: the
// results for many words are ORed and masked with highs once, and the
// test is exact only for "is any byte not plain". x itself flags bytes
// at or above 0x80; subtracting 0x20 from every byte sets the high bit of
// the lowest byte below 0x20 (a borrow starts only at such a byte); and
// x^c - ones does the same for the lowest byte equal to c.
func notPlain(x uint64) uint64 {
	return x | (x - ones*0x20) | ((x ^ ones*'"') - ones) | ((x ^ ones*'\\') - ones)
}

// load64 returns s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 returns s[i:i+4] as a little-endian word.
func load32(s string, i int) uint64 {
	s = s[i : i+4]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// store64 writes x at b[i:i+8], little-endian.
func store64(b []byte, i int, x uint64) {
	b = b[i : i+8]
	b[0], b[1], b[2], b[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
	b[4], b[5], b[6], b[7] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
}

// store32 writes the low four bytes of x at b[i:i+4], little-endian.
func store32(b []byte, i int, x uint64) {
	b = b[i : i+4]
	b[0], b[1], b[2], b[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
}

// isPlain reports whether every byte of s is plain (see notPlain), with
// the same word loads as appendPlain: overlapping for 8 bytes or more,
// first, middle and last byte for fewer than 4.
func isPlain(s string) bool {
	n := len(s)
	var bad uint64
	switch {
	case n >= 8:
		for j := 0; j < n-8; j += 8 {
			bad |= notPlain(load64(s, j))
		}
		bad |= notPlain(load64(s, n-8))
	case n >= 4:
		bad = notPlain(load32(s, 0) | load32(s, n-4)<<32)
	case n > 0:
		bad = notPlain(uint64(s[0]) | uint64(s[n>>1])<<8 | uint64(s[n-1])<<16 | pad&^0xffffff)
	}
	return bad&highs == 0
}
