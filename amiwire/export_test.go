package amiwire

// ItemBytes returns what the list items that p holds and its waiter is not
// done with count against the limit (for tests of the memory bound).
func ItemBytes(p *Pending) int {
	return int(p.held.Load())
}

// OnQueueFull makes the read loop of c call f each time it waits for room
// in a full event queue (OverflowBlock).
func OnQueueFull(c *Client, f func()) {
	c.events.mu.Lock()
	c.events.full = f
	c.events.mu.Unlock()
}

// buffered reports how many bytes r has read from its source but not
// parsed yet.
func (r *Reader) buffered() int { return r.w - r.r }
