package amiwire

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoPong is wrapped by KeepAlive's error when a Ping went unanswered.
var ErrNoPong = errors.New("no answer to Ping")

// KeepAlive pings the server every interval until ctx ends or the
// connection does, to notice a peer that has gone away without closing
// the connection (a dead host, a dropped NAT entry): with events off or
// rare, nothing else would. A Ping without an answer within timeout
// closes the connection, so that whoever reads from it sees it end, and
// KeepAlive returns an error wrapping ErrNoPong. Any answer counts, even
// "Response: Error". It returns nil when ctx or the connection ends first.
func (c *Client) KeepAlive(ctx context.Context, interval, timeout time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.Done():
			return nil
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, timeout)
		_, err := c.Do(pctx, NewAction("Ping"))
		cancel()
		if err == nil || ctx.Err() != nil {
			continue
		}
		var ae *ActionError
		if errors.As(err, &ae) {
			continue
		}
		select {
		case <-c.Done():
			return nil // the connection ended by itself meanwhile
		default:
		}
		c.Close()
		return fmt.Errorf("keepalive: %w within %s", ErrNoPong, timeout)
	}
}
