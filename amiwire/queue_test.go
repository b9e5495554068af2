package amiwire

import (
	"bytes"
	"testing"
)

// TestPacingBeforeTheFirstBatch: the read loop paces itself once
// paceBytes are queued even when the consumer has never taken a batch (it
// has been woken and has not run yet), and not before.
func TestPacingBeforeTheFirstBatch(t *testing.T) {
	var q eventQueue
	q.init(64<<20, false)
	paced := 0
	q.paced = func() { paced++ }
	const size = 1 << 10
	batch, seqs := make([]Packet, 256), make([]uint64, 256) // 256 KiB a batch
	for i := range batch {
		batch[i] = Packet{Raw: bytes.Repeat([]byte{'x'}, size)}
		seqs[i] = uint64(i + 1)
	}
	for range paceBytes / (size * len(batch)) {
		q.pushBatch(batch, seqs, true)
	}
	if paced != 0 {
		t.Fatalf("paced %d times below paceBytes", paced)
	}
	q.pushBatch(batch, seqs, true) // waits paceMax at most: no consumer comes
	if paced != 1 {
		t.Fatalf("paced %d times with %d bytes queued and no batch taken, want 1", paced, q.bytes)
	}
	if got, want := len(q.items), paceBytes/size+len(batch); got != want {
		t.Fatalf("%d events queued, want %d (pacing delays, never drops)", got, want)
	}
}
