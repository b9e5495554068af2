//go:build !(386 || amd64 || arm64 || ppc64le)

package format

import (
	"encoding/binary"
	"unsafe"
)

// The word loads and stores of the raw fast paths on the machines that
// rawword_le.go is not for: through encoding/binary, byte by byte where a
// word at any address cannot be loaded at once, and in little-endian
// order whatever the machine's.

// rawLoad returns the eight bytes at base+i as a little-endian word. The
// caller has checked that they are inside the slice base points into.
func rawLoad(base unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(base, i))[:])
}

// rawStore writes x at base+i, little-endian. The caller has checked that
// the eight bytes are inside the slice base points into.
func rawStore(base unsafe.Pointer, i int, x uint64) {
	binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(base, i))[:], x)
}

// rawLoad16 returns the two bytes at base+i as a little-endian word. The
// caller has checked that they are inside the slice base points into.
func rawLoad16(base unsafe.Pointer, i int) uint16 {
	return binary.LittleEndian.Uint16((*[2]byte)(unsafe.Add(base, i))[:])
}

// rawMove copies the word of raw (at base) at q to to+at, as rawWord and
// rawStore would, and returns it; the caller has checked that to+at is
// inside the output buffer (rawRoom).
func rawMove(to unsafe.Pointer, at int, base unsafe.Pointer, n8, q int, fill uint64) uint64 {
	x := rawWord(base, n8, q, fill)
	rawStore(to, at, x)
	return x
}

// rawWord returns the eight bytes of raw at q as a word, where base is
// raw's first byte, n8 = len(raw)-8 >= 0 is the last offset a word can be
// loaded from and q <= n8+8; past the end of raw the bytes are fill's.
func rawWord(base unsafe.Pointer, n8, q int, fill uint64) uint64 {
	if q <= n8 {
		return rawLoad(base, q)
	}
	return rawTail(base, n8, q, fill)
}
