package amiwire

import "time"

// HeldSize returns what p counts against Config.EventBuffer.
func HeldSize(p Packet) int { return p.heldSize() }

// ItemBytes returns what the list items that p holds and its waiter is not
// done with count against the limit (for tests of the memory bound).
func ItemBytes(p *Pending) int {
	return int(p.held.Load())
}

// OnQueueFull makes the read loop of c call f each time it waits for room
// in a full event queue (DropWhenFull off).
func OnQueueFull(c *Client, f func()) {
	c.events.mu.Lock()
	c.events.full = f
	c.events.mu.Unlock()
}

// SetStallMax sets how long the read loop of c waits for a list's waiter
// to make room before it judges it stuck, so that a test of a busy waiter
// does not depend on the scheduler of a loaded machine.
func SetStallMax(c *Client, d time.Duration) { c.stallMax = d }

// buffered reports how many bytes r has read from its source but not
// parsed yet.
func (r *Reader) buffered() int { return r.w - r.r }

// ListMark and its values, ListMarkOf and ListItems give the tests of the
// Client the list rules it applies.
type ListMark = listMark

const (
	ListNone      = listNone
	ListStart     = listStart
	ListItem      = listItem
	ListComplete  = listComplete
	ListCancelled = listCancelled
)

func ListMarkOf(p Packet) ListMark { return listMarkOf(p) }
func ListItems(final Packet) int   { return listItems(final) }
