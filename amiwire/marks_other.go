//go:build !amd64 || purego

package amiwire

// markBlocks sets nl[k] and colon[k] to the marks of b[64k:64k+64] for
// every whole 64-byte block of b; nl and colon must have room for them.
func markBlocks(b []byte, nl, colon []uint64) { markBlocksGeneric(b, nl, colon) }
