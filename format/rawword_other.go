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

// rawMove copies the word of raw (at base) at q to to+q, as rawWord and
// rawStore would, and returns it; the caller has checked that to+q is
// inside the output buffer (rawRoom).
func rawMove(to, base unsafe.Pointer, n8, q int, fill uint64) uint64 {
	x := rawWord(base, n8, q, fill)
	rawStore(to, q, x)
	return x
}
