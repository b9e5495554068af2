package amiwire_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

func TestActionTimeout(t *testing.T) {
	tests := []struct {
		action amiwire.Packet
		want   time.Duration
	}{
		{amiwire.NewAction("Ping"), 0},
		{amiwire.NewAction("Originate", "Channel", "Local/100@default", "Timeout", "13000"), 13 * time.Second},
		{amiwire.NewAction("originate", "Timeout", " 250 "), 250 * time.Millisecond},
		// Asterisk rings a synchronous Originate for 30 s unless told.
		{amiwire.NewAction("Originate", "Channel", "Local/100@default"), 30 * time.Second},
		{amiwire.NewAction("Originate", "Async", "false"), 30 * time.Second},
		{amiwire.NewAction("Originate", "Async", "yes"), 0},
		{amiwire.NewAction("Originate", "Async", "true", "Timeout", "5000"), 5 * time.Second},
		{amiwire.NewAction("Park", "Timeout", "45000"), 45 * time.Second},
		{amiwire.NewAction("WaitEvent", "Timeout", "30"), 30 * time.Second}, // seconds
		{amiwire.NewAction("Originate", "Timeout", "soon"), 0},
		{amiwire.NewAction("Originate", "Timeout", "-5"), 0},
		{amiwire.NewAction("Ping", "Timeout", "99999999999999999999999"), 0},
	}
	for _, tt := range tests {
		if got := amiwire.ActionTimeout(tt.action); got != tt.want {
			t.Errorf("ActionTimeout(%q) = %v, want %v", tt.action.String(), got, tt.want)
		}
	}
	// Huge values saturate without overflowing a sum with a timeout.
	huge := amiwire.ActionTimeout(amiwire.NewAction("WaitEvent", "Timeout", "9223372036854775807"))
	if huge <= 0 || huge+time.Hour <= 0 {
		t.Errorf("huge Timeout gives %v", huge)
	}
}

func FuzzActionTimeout(f *testing.F) {
	for _, s := range []string{"", "0", "13000", "-1", "30", " 7 ", "1e9", "9223372036854775807", "x"} {
		f.Add("Originate", s)
		f.Add("WaitEvent", s)
	}
	f.Fuzz(func(t *testing.T, name, v string) {
		d := amiwire.ActionTimeout(amiwire.NewAction(name, "Timeout", v))
		if d < 0 || d+24*time.Hour < 0 {
			t.Fatalf("ActionTimeout(%q, %q) = %v", name, v, d)
		}
	})
}

// TestLogoffBehindUnansweredAction: when an action is still waiting for
// its answer (its waiter gave up), Logoff sends the Logoff but does not
// wait for a Goodbye that could only come after that answer.
func TestLogoffBehindUnansweredAction(t *testing.T) {
	srv := newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer}}}) // nothing after the login is answered
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	if err := c.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
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
