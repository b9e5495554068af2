// Package backoff spaces the attempts of a loop that connects again and
// again (`ami listen --reconnect`): delays that double from a minimum up
// to a cap, each drawn between half and all of its step so that many
// clients cut off together do not come back together, and a fresh start
// from the minimum after a connection that lived long enough.
package backoff

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff is the state of one reconnecting loop. Set Min, Max and Reset
// before the first Next; the zero value of the rest is ready to use. A
// Backoff is not safe for concurrent use.
type Backoff struct {
	Min   time.Duration // the first step; at least 1ns is used
	Max   time.Duration // the largest step; below Min means Min
	Reset time.Duration // a connection that lived this long starts the steps again from Min; 0: never

	step time.Duration // the next step; 0 before the first Next and after a reset
}

// Next returns the delay before the next attempt, between half of the
// current step and all of it, and doubles the step, up to Max.
func (b *Backoff) Next() time.Duration {
	if b.step <= 0 {
		b.step = max(b.Min, 1)
	}
	d := jitter(b.step)
	b.step = min(2*b.step, max(b.Max, b.Min, 1))
	return d
}

// Lived tells b that a connection lived for d before it was lost: at
// least Reset, and the next delay is drawn from Min again.
func (b *Backoff) Lived(d time.Duration) {
	if b.Reset > 0 && d >= b.Reset {
		b.step = 0
	}
}

// jitter returns a delay between d/2 and d.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// Wait waits for d; it reports false when ctx ended first.
func Wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Format renders a delay for messages: "1.2s", "0.1s", "30.0s", and
// below a tenth of a second in milliseconds ("20ms").
func Format(d time.Duration) string {
	if d < 100*time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
