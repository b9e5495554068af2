package amiwire_test

import (
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestPacingYieldsToAStuckConsumer: the read loop paces itself to a busy
// consumer, but one that holds its batch (a blocked stdout) must not hold
// the socket up: the queue still fills to its limit, well past the pacing
// threshold, and only then does the reader wait (OverflowBlock).
func TestPacingYieldsToAStuckConsumer(t *testing.T) {
	const n = 60000
	all, size := rawEvents(n) // ~50 bytes each: 3 MB, ~190 held
	srv := newServer(t, amitest.Options{})
	limit := 2 << 20
	c := dial(t, srv, amiwire.Config{Events: "user", EventBuffer: limit, Lend: true})
	full := queueFull(c)
	srv.EmitRaw(all)
	if _, err := c.NextEvents(testCtx(t), nil); err != nil { // take a batch and keep it
		t.Fatal(err)
	}
	waitFull(t, c, full) // the queue fills while its consumer is stuck
	if q := c.Queued() * size; q < limit*3/4 {
		t.Fatalf("the reader waited with %d bytes queued; want the queue (%d) full", q, limit)
	}
}
