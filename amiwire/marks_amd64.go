//go:build !purego

package amiwire

// markBlocks sets nl[k] and colon[k] to the marks of b[64k:64k+64] for
// every whole 64-byte block of b; nl and colon must have room for them.
func markBlocks(b []byte, nl, colon []uint64) {
	n := len(b) >> 6
	if n == 0 {
		return
	}
	_, _ = nl[n-1], colon[n-1] // the assembly writes n words to each
	markBlocksSSE2(&b[0], n, &nl[0], &colon[0])
}

// markBlocksSSE2 marks n blocks of 64 bytes at p into nl and colon. SSE2
// is part of every amd64 processor, so it needs no feature check.
//
//go:noescape
func markBlocksSSE2(p *byte, n int, nl, colon *uint64)
