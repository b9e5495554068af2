package amiwire_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestKeepAlive: with Config.KeepAlive an unanswered Ping ends the
// connection, and Err and NextEvents say so with ErrNoPong; an answer,
// even an Error, keeps it, and Logoff stops the Pings: none goes out
// behind the Logoff, whose end stays clean.
func TestKeepAlive(t *testing.T) {
	t.Run("no answer", func(t *testing.T) {
		srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
			"Ping": func(*amitest.Session, amiwire.Packet) {}, // never answers
		}})
		c := dial(t, srv, amiwire.Config{KeepAlive: time.Millisecond, KeepAliveTimeout: 50 * time.Millisecond})
		select {
		case <-c.Done():
		case <-testCtx(t).Done():
			t.Fatal("the connection stayed open")
		}
		err := c.Err()
		if !errors.Is(err, amiwire.ErrNoPong) || !errors.Is(err, amiwire.ErrClosed) || !strings.Contains(err.Error(), "within 50ms") {
			t.Fatalf("Err = %v, want ErrClosed and ErrNoPong, within 50ms", err)
		}
		if _, err := c.NextEvents(testCtx(t), nil); !errors.Is(err, amiwire.ErrNoPong) {
			t.Errorf("NextEvents = %v, want ErrNoPong", err)
		}
		if err := ping(testCtx(t), c); !errors.Is(err, amiwire.ErrClosed) {
			t.Errorf("Do after the end = %v, want ErrClosed", err)
		}
	})
	t.Run("Error answers, then Logoff", func(t *testing.T) {
		pings := make(chan struct{}, 100)
		srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
			"Ping": func(s *amitest.Session, a amiwire.Packet) {
				_ = s.Error(a, "no pings today")
				select {
				case pings <- struct{}{}:
				default:
				}
			},
		}})
		c := dial(t, srv, amiwire.Config{KeepAlive: time.Millisecond, KeepAliveTimeout: 20 * time.Second})
		for range 3 {
			select {
			case <-pings:
			case <-testCtx(t).Done():
				t.Fatal("no Ping arrived")
			}
		}
		if err := c.Err(); err != nil {
			t.Fatalf("Err = %v after answered Pings, want nil (open)", err)
		}
		if err := ping(testCtx(t), c); err == nil || errors.Is(err, amiwire.ErrClosed) {
			t.Fatalf("Ping = %v, want the server's Error on a live connection", err)
		}
		if err := c.Logoff(testCtx(t)); err != nil {
			t.Fatalf("Logoff: %v", err)
		}
		if err := c.Err(); err != nil {
			t.Errorf("Err after Logoff = %v, want nil (a clean end)", err)
		}
		reqs := srv.Requests()
		for i, r := range reqs {
			if strings.EqualFold(r.Action.Get("Action"), "Logoff") {
				for _, after := range reqs[i+1:] {
					t.Errorf("%s sent after the Logoff", after.Action.Get("Action"))
				}
				break
			}
		}
	})
	t.Run("none behind a Logoff", func(t *testing.T) {
		srv := newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Logoff"}}})
		c := dial(t, srv, amiwire.Config{KeepAlive: time.Millisecond})
		if _, err := srv.WaitAction(testCtx(t), "Ping"); err != nil {
			t.Fatalf("no keepalive Ping: %v", err)
		}
		if _, err := c.Send(testCtx(t), amiwire.NewAction("Logoff")); err != nil {
			t.Fatal(err)
		}
		// The Goodbye never comes: a hundred KeepAlive periods without a
		// word from the server, in which no Ping may follow the Logoff.
		<-time.After(100 * time.Millisecond)
		reqs := srv.Requests()
		for i, r := range reqs {
			if strings.EqualFold(r.Action.Get("Action"), "Logoff") {
				if n := len(reqs[i+1:]); n > 0 {
					t.Errorf("%d actions (%s...) sent behind the Logoff", n, reqs[i+1].Action.Get("Action"))
				}
				break
			}
		}
	})
	t.Run("traffic defers the Ping", func(t *testing.T) {
		const idle = 500 * time.Millisecond
		var pinged atomic.Int32
		got := make(chan struct{}, 1)
		srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
			"Ping": func(s *amitest.Session, a amiwire.Packet) {
				pinged.Add(1)
				_ = s.Success(a, "Ping", "Pong")
				select {
				case got <- struct{}{}:
				default:
				}
			},
		}})
		c := dial(t, srv, amiwire.Config{Events: "on", KeepAlive: idle})
		// An event every 5 ms for three KeepAlive periods: the server is
		// never silent for long enough.
		tick := time.NewTicker(5 * time.Millisecond)
		for end := time.Now().Add(3 * idle); time.Now().Before(end); {
			<-tick.C
			srv.Emit(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "UserEvent"}, {Key: "Privilege", Value: "user,all"}, {Key: "UserEvent", Value: "Tick"}}})
		}
		tick.Stop()
		if n := pinged.Load(); n != 0 {
			t.Errorf("%d Pings while events kept coming, want none", n)
		}
		select { // silence now: the Ping comes
		case <-got:
		case <-testCtx(t).Done():
			t.Fatal("no Ping after the events stopped")
		}
		if err := c.Err(); err != nil {
			t.Errorf("Err = %v, want nil (open)", err)
		}
	})
}
