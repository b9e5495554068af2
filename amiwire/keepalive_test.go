package amiwire_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestKeepAlive: an unanswered Ping closes the connection and is
// reported; an answer, even an Error, keeps it; the end of ctx ends
// KeepAlive without an error.
func TestKeepAlive(t *testing.T) {
	t.Run("no answer", func(t *testing.T) {
		srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
			"Ping": func(*amitest.Session, amiwire.Packet) {}, // never answers
		}})
		c := dial(t, srv, amiwire.Config{})
		err := c.KeepAlive(testCtx(t), time.Millisecond, 50*time.Millisecond)
		if !errors.Is(err, amiwire.ErrNoPong) {
			t.Fatalf("KeepAlive = %v, want ErrNoPong", err)
		}
		select {
		case <-c.Done():
		case <-testCtx(t).Done():
			t.Fatal("the connection stayed open")
		}
	})
	t.Run("Error answers", func(t *testing.T) {
		pings := make(chan struct{}, 100)
		srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
			"Ping": func(s *amitest.Session, a amiwire.Packet) {
				_ = s.Error(a, "no pings today")
				pings <- struct{}{}
			},
		}})
		c := dial(t, srv, amiwire.Config{})
		ctx, cancel := context.WithCancel(testCtx(t))
		done := make(chan error, 1)
		go func() { done <- c.KeepAlive(ctx, time.Millisecond, 20*time.Second) }()
		for range 3 {
			select {
			case <-pings:
			case <-testCtx(t).Done():
				t.Fatal("no Ping arrived")
			}
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("KeepAlive = %v after ctx ended, want nil", err)
			}
		case <-testCtx(t).Done():
			t.Fatal("KeepAlive did not return when ctx ended")
		}
		if err := ping(testCtx(t), c); err == nil || errors.Is(err, amiwire.ErrClosed) {
			t.Fatalf("after KeepAlive: Ping = %v, want the server's Error on a live connection", err)
		}
	})
}
