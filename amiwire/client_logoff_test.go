package amiwire_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// holdPingUntilLogoff starts a server that answers a Ping only once a
// Logoff has arrived behind it (then the Pong, and the Logoff's Goodbye
// and close), so that a client that waits for the Pong before sending its
// Logoff waits forever. With answer false the Ping never gets an answer.
func holdPingUntilLogoff(t *testing.T, answer bool) *amitest.Server {
	var mu sync.Mutex
	var held []amiwire.Packet
	srv := newServer(t, amitest.Options{OnAction: func(s *amitest.Session, a amiwire.Packet) {
		if !strings.EqualFold(a.Get("Action"), "Logoff") { // runs before the built-in Logoff
			return
		}
		mu.Lock()
		pings := held
		held = nil
		mu.Unlock()
		for _, p := range pings {
			if answer {
				s.Success(p, "Ping", "Pong")
			}
		}
	}})
	srv.Handle("Ping", func(s *amitest.Session, a amiwire.Packet) {
		mu.Lock()
		held = append(held, a)
		mu.Unlock()
	})
	return srv
}

// TestSendLogoffPipelined: Send puts the Logoff on the wire behind a
// Ping whose answer has not been read; Logoff then waits for that Logoff's
// Goodbye (sending no second one) and the server's close, a clean end.
func TestSendLogoffPipelined(t *testing.T) {
	srv := holdPingUntilLogoff(t, true)
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx := testCtx(t)
	ping, err := c.Send(ctx, amiwire.NewAction("Ping"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx, amiwire.NewAction("Logoff")); err != nil {
		t.Fatal(err)
	}
	resp, err := ping.Wait(ctx)
	if err != nil || resp.Packet.Get("Ping") != "Pong" {
		t.Fatalf("Ping: %v, %v", resp, err)
	}
	if err := c.Logoff(ctx); err != nil {
		t.Fatalf("Logoff: %v", err)
	}
	<-c.Done()
	if err := c.Err(); err != nil {
		t.Errorf("Err after the Goodbye and the close = %v, want nil", err)
	}
	logoffs := 0
	for _, r := range srv.Requests() {
		if strings.EqualFold(r.Action.Get("Action"), "Logoff") {
			logoffs++
		}
	}
	if logoffs != 1 {
		t.Errorf("%d Logoffs sent, want 1", logoffs)
	}
}

// TestSendLogoffCutsOff: a server that closes after the pipelined Logoff
// without answering the action before it has cut that action off: its
// Wait and Err say the server closed, not that we did.
func TestSendLogoffCutsOff(t *testing.T) {
	srv := holdPingUntilLogoff(t, false)
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx := testCtx(t)
	ping, err := c.Send(ctx, amiwire.NewAction("Ping"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx, amiwire.NewAction("Logoff")); err != nil {
		t.Fatal(err)
	}
	_, err = ping.Wait(ctx)
	if !errors.Is(err, amiwire.ErrClosed) || !strings.Contains(err.Error(), "by the server") {
		t.Fatalf("Ping's Wait = %v, want the server's close", err)
	}
	if err := c.Logoff(ctx); err != nil {
		t.Fatalf("Logoff: %v", err)
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "by the server") {
		t.Errorf("Err = %v, want the server's close", err)
	}
}

// TestLogoffBehindUnansweredAction: when an action is still waiting for
// its answer (its waiter gave up), Logoff sends the Logoff but does not
// wait for a Goodbye that could only come after that answer.
func TestLogoffBehindUnansweredAction(t *testing.T) {
	srv := newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer}}}) // nothing after the login is answered
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	if err := ping(ctx, c); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ping: %v; want no answer", err)
	}
	if err := c.Logoff(testCtx(t)); err != nil {
		t.Fatalf("Logoff waited for an answer that cannot come: %v", err)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("connection still open after Logoff")
	}
	if _, err := srv.WaitAction(testCtx(t), "Logoff"); err != nil {
		t.Fatalf("the Logoff was not sent: %v", err)
	}
}
