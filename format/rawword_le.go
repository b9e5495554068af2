//go:build 386 || amd64 || arm64 || ppc64le

package format

import "unsafe"

// The word loads and stores of the raw fast paths, on the little-endian
// machines that load and store words at any address: plain dereferences.
// (encoding/binary compiles to the same instruction, but through one more
// inlined call, and an inlined call with no instruction of its own on its
// line costs a NOP, executed on every word.) rawword_other.go has the
// same functions for the other machines.

// rawLoad returns the eight bytes at base+i as a little-endian word. The
// caller has checked that they are inside the slice base points into.
func rawLoad(base unsafe.Pointer, i int) uint64 {
	return *(*uint64)(unsafe.Add(base, i))
}

// rawStore writes x at base+i, little-endian. The caller has checked that
// the eight bytes are inside the slice base points into.
func rawStore(base unsafe.Pointer, i int, x uint64) {
	*(*uint64)(unsafe.Add(base, i)) = x
}

// rawLoad16 returns the two bytes at base+i as a little-endian word. The
// caller has checked that they are inside the slice base points into.
func rawLoad16(base unsafe.Pointer, i int) uint16 {
	return *(*uint16)(unsafe.Add(base, i))
}

// rawMove copies the word of raw (at base) at q to to+at, as rawWord and
// rawStore would, and returns it; the caller has checked that to+at is
// inside the output buffer (rawRoom). Called where its result is tested,
// it costs no NOP for the load or the store.
func rawMove(to unsafe.Pointer, at int, base unsafe.Pointer, n8, q int, fill uint64) uint64 {
	var x uint64
	if q <= n8 {
		x = *(*uint64)(unsafe.Add(base, q))
	} else {
		x = rawTail(base, n8, q, fill)
	}
	*(*uint64)(unsafe.Add(to, at)) = x
	return x
}
