package amiwire

// ItemBytes returns the bytes of list items that p holds and its waiter
// has not taken yet (for tests of the memory bound).
func ItemBytes(p *Pending) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.itemBytes
}

// OnQueueFull makes the read loop of c call f each time it waits for room
// in a full event queue (OverflowBlock).
func OnQueueFull(c *Client, f func()) {
	c.events.mu.Lock()
	c.events.full = f
	c.events.mu.Unlock()
}
