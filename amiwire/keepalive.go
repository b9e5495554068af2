package amiwire

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoPong is wrapped by the error that ends a connection whose keepalive
// Ping went unanswered (Config.KeepAlive): Client.Err, and whatever was
// waiting on the connection, then say so.
var ErrNoPong = errors.New("no answer to Ping")

// keepAlive pings the server each time nothing has been read from it for
// Config.KeepAlive, until the connection ends or Logoff is sent, and ends
// the connection with an error wrapping ErrNoPong when a Ping has no
// answer within the timeout. It runs in its own goroutine.
func (c *Client) keepAlive() {
	interval, timeout := c.cfg.KeepAlive, c.cfg.KeepAliveTimeout
	if timeout <= 0 {
		timeout = interval
	}
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		if idle := c.sinceHeard(); idle < interval {
			t.Reset(interval - idle) // something came meanwhile
			continue
		}
		if !c.ping(timeout) {
			return
		}
		t.Reset(interval)
	}
}

// sinceHeard returns how long ago the read loop last received bytes (or
// the connection was made, if nothing came since).
func (c *Client) sinceHeard() time.Duration {
	return time.Since(c.born) - time.Duration(c.heard.Load())
}

// ping sends a keepalive Ping and waits up to timeout for its answer; any
// answer counts, even "Response: Error". It reports whether keepAlive
// should go on: not once the connection has ended, Logoff has been sent,
// or the Ping went unanswered (then it ends the connection).
func (c *Client) ping(timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	p, err := c.sendKeepAlive(ctx)
	if err != nil || p == nil {
		return false // ended, or logged off: nothing more to watch
	}
	_, err = p.Wait(ctx)
	var ae *ActionError
	switch {
	case err == nil, errors.As(err, &ae):
		return true
	case errors.Is(err, ErrClosed):
		return false // the connection ended by itself meanwhile
	}
	select {
	case <-c.done:
		return false
	default:
	}
	c.end(fmt.Errorf("%w by the client: keepalive: %w within %s", ErrClosed, ErrNoPong, timeout))
	return false
}
