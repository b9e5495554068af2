package amiwire

// ItemBytes returns the bytes of list items that p holds and its waiter
// has not taken yet (for tests of the memory bound).
func ItemBytes(p *Pending) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.itemBytes
}
