package amiwire_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// bigItemHeld is what one item of bigList counts against the limit, at
// most: the items are all the same size up to Seq's digits (one here, up
// to six in the tests).
func bigItemHeld(t *testing.T, c *amiwire.Client, srv *amitest.Server) int {
	t.Helper()
	resp, err := c.Do(testCtx(t), amiwire.NewAction("BigList", "Count", "1"))
	if err != nil || len(resp.Events) != 1 {
		t.Fatalf("one item: %v, %v", resp, err)
	}
	return amiwire.HeldSize(resp.Events[0]) + 5 // Seq of up to 6 digits
}

// TestStreamStalledConsumerOverflows: a list whose consumer is stuck (a
// stalled stdout) is read until its items hold the limit, then the
// connection ends, rather than stop being read or grow: Client.Err, the
// list's error (once the consumer comes back) and that of another action
// waiting meanwhile all wrap ErrOverflow, the first two in the list's
// *IncompleteListError.
func TestStreamStalledConsumerOverflows(t *testing.T) {
	const n = 100000
	const limit = 64 << 10
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
		"BigList": bigList,
		"Silent":  func(*amitest.Session, amiwire.Packet) {}, // never answered
	}})
	c := dial(t, srv, amiwire.Config{Events: "off", EventBuffer: limit})
	size := bigItemHeld(t, c, srv)
	ctx := testCtx(t)
	silent, err := c.Send(ctx, amiwire.NewAction("Silent"))
	if err != nil {
		t.Fatal(err)
	}

	stuck := make(chan struct{})
	release := make(chan struct{})
	handed := 0
	done := make(chan error, 1)
	go func() {
		_, err := c.Stream(ctx, amiwire.NewAction("BigList", "Count", strconv.Itoa(n)), func(amiwire.Packet) error {
			handed++
			if handed == 1 {
				close(stuck)
				<-release // the consumer's output is stalled
			}
			return nil
		})
		done <- err
	}()
	<-stuck
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("the connection did not end while the consumer was stuck")
	}
	var ile *amiwire.IncompleteListError
	detail := fmt.Sprintf("limit of %d bytes", limit)
	if !errors.Is(c.Err(), amiwire.ErrOverflow) || !errors.Is(c.Err(), amiwire.ErrClosed) || !errors.As(c.Err(), &ile) ||
		ile.Action != "BigList" || ile.Cancelled || ile.Miscounted || !strings.Contains(c.Err().Error(), detail) {
		t.Fatalf("connection ended with %v; want the *IncompleteListError of BigList wrapping ErrOverflow and ErrClosed, naming the %s", c.Err(), detail)
	}
	received := ile.Received
	// Read until the bound: the items handed over (one batch, at most the
	// limit) and those waiting (the limit) and no more.
	if got := received * size; got <= limit || got > 2*(limit+size) {
		t.Errorf("%d items (%d bytes) arrived before the end; want more than %d, at most %d", received, got, limit, 2*(limit+size))
	}
	if _, err := silent.Wait(ctx); !errors.Is(err, amiwire.ErrOverflow) || !errors.Is(err, amiwire.ErrClosed) {
		t.Errorf("the action waiting meanwhile: %v; want an error wrapping ErrOverflow and ErrClosed", err)
	}
	close(release)
	select {
	case err = <-done:
	case <-ctx.Done():
		t.Fatal("Stream did not return")
	}
	ile = nil
	if !errors.As(err, &ile) || !errors.Is(err, amiwire.ErrOverflow) || !errors.Is(err, amiwire.ErrClosed) ||
		ile.Action != "BigList" || ile.Received != received || ile.Expected != -1 || !strings.Contains(err.Error(), detail) {
		t.Fatalf("Stream: %v; want the *IncompleteListError of BigList (%d items arrived) wrapping ErrOverflow and ErrClosed", err, received)
	}
	if handed > ile.Received {
		t.Errorf("%d items handed over, %d arrived", handed, ile.Received)
	}
}

// TestWaitOverflows: Wait keeps every item of a list, so a list bigger
// than the limit fails, with an *IncompleteListError wrapping
// ErrOverflow, instead of being held whole.
func TestWaitOverflows(t *testing.T) {
	const limit = 64 << 10
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"BigList": bigList}})
	c := dial(t, srv, amiwire.Config{Events: "off", EventBuffer: limit})
	size := bigItemHeld(t, c, srv)
	resp, err := c.Do(testCtx(t), amiwire.NewAction("BigList", "Count", strconv.Itoa(limit/size/2)))
	if err != nil {
		t.Fatalf("a list of half the limit: %v", err)
	}
	_, err = c.Do(testCtx(t), amiwire.NewAction("BigList", "Count", strconv.Itoa(4*limit/size)))
	var ile *amiwire.IncompleteListError
	if !errors.Is(err, amiwire.ErrOverflow) || !errors.As(err, &ile) || ile.Received == 0 || (ile.Received-1)*(size-5) > limit {
		t.Fatalf("a list of 4 times the limit: %v; want an *IncompleteListError wrapping ErrOverflow, within the limit", err)
	}
	if len(resp.Events) != limit/size/2 {
		t.Errorf("%d items in the first list", len(resp.Events))
	}
}

// TestStreamBusyConsumerKeepsUp: a consumer that is slower than the
// socket but never stuck gets a list many times the limit whole: at the
// bound the read loop waits for it rather than fail. How long counts as
// stuck is a wall-clock judgement (TestStreamStalledConsumerOverflows covers it); a
// loaded machine running -race can leave a busy consumer unscheduled for
// that long, so here the judgement is given ample time.
func TestStreamBusyConsumerKeepsUp(t *testing.T) {
	const n = 20000
	const limit = 16 << 10
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"BigList": bigList}})
	c := dial(t, srv, amiwire.Config{Events: "off", EventBuffer: limit})
	amiwire.SetStallMax(c, 10*time.Second)
	sum := 0
	resp, err := c.Stream(testCtx(t), amiwire.NewAction("BigList", "Count", strconv.Itoa(n)), func(ev amiwire.Packet) error {
		for range 200 { // some work per item
			sum += len(ev.Get("Seq"))
		}
		return nil
	})
	if err != nil || resp.Final == nil || amiwire.ListItems(*resp.Final) != n {
		t.Fatalf("Stream: %v, %v", resp, err)
	}
	if sum == 0 {
		t.Fatal("no work done")
	}
}

// TestStreamStopsOnCancel: cancelling the context in the middle of a list
// whose items keep coming stops Stream within a few dozen items, with an
// error wrapping context.Canceled; the connection goes on.
func TestStreamStopsOnCancel(t *testing.T) {
	const n = 100000
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"BigList": bigList}})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	handed := 0
	_, err := c.Stream(ctx, amiwire.NewAction("BigList", "Count", strconv.Itoa(n)), func(ev amiwire.Packet) error {
		if ev.Get("Seq") != strconv.Itoa(handed) {
			t.Errorf("item %d has Seq %s", handed, ev.Get("Seq"))
		}
		handed++
		if handed == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Stream: %v; want context.Canceled", err)
	}
	if handed < 10 || handed > 10+64 {
		t.Errorf("%d items handed over; want 10 and at most a chunk more", handed)
	}
	if err := ping(testCtx(t), c); err != nil {
		t.Fatalf("Ping after the interrupted list: %v", err)
	}
}

// TestLogoffWithAStuckConsumer: a consumer that stops taking events (it
// is stopping) holds a lent batch, the queue is full (DropWhenFull off),
// and the server sends more events between its Goodbye and its close:
// Logoff still ends the session cleanly when the server closes, not at its
// deadline; the events queued before can still be taken, those that
// arrived after the Logoff find the queue full and are dropped (counted),
// and the batch taken before stays valid.
func TestLogoffWithAStuckConsumer(t *testing.T) {
	const keep, n = 10, 500
	all, size := rawEvents(n)
	srv := newServer(t, amitest.Options{
		Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Logoff"}},
		OnAction: func(s *amitest.Session, a amiwire.Packet) {
			if strings.EqualFold(a.Get("Action"), "Logoff") {
				_ = s.Respond(a, "Goodbye", "Message", "Thanks for all the fish.")
				_ = s.WriteRaw(all) // after the Goodbye, before the close
				_ = s.Close()
			}
		},
	})
	c := dial(t, srv, amiwire.Config{Events: "user", EventBuffer: keep * size, Lend: true})
	srv.EmitRaw(all)
	batch, err := c.NextEvents(testCtx(t), nil)
	if err != nil || len(batch) == 0 {
		t.Fatalf("NextEvents: %d, %v", len(batch), err)
	}
	// Watched only now: a wait for room begun before the batch was taken
	// reports to the hook it found then, not to this one.
	full := queueFull(c)
	waitFull(t, c, full) // the reader refilled the queue and waits; nobody takes events any more
	queued := c.ConnState().EventsQueued
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	if err := c.Logoff(ctx); err != nil {
		t.Fatalf("Logoff: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Logoff waited until its deadline: the reader never read the server's close")
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err = %v, want nil (Goodbye, then the server's close)", err)
	}
	for i, ev := range batch {
		if got, want := ev.Complete(nil).Get("Seq"), strconv.Itoa(100000 + i)[1:]; got != want {
			t.Fatalf("event %d of the batch taken before has Seq %q, want %q", i, got, want)
		}
	}
	var rest []amiwire.Packet
	for {
		evs, err := c.NextEvents(testCtx(t), nil)
		rest = append(rest, evs...)
		if err != nil {
			if !errors.Is(err, amiwire.ErrClosed) {
				t.Fatalf("NextEvents after Logoff: %v, want ErrClosed once the queue is empty", err)
			}
			break
		}
		if len(rest) > n {
			t.Fatalf("NextEvents after Logoff: %d events, more than were ever queued", len(rest))
		}
	}
	if len(rest) != queued {
		t.Errorf("after Logoff: %d events taken, want the %d queued before it", len(rest), queued)
	}
	if st := c.ConnState(); st.EventsDropped != uint64(2*n-len(batch)-queued) {
		t.Errorf("EventsDropped = %d, want %d: every event that found the queue full after Logoff", st.EventsDropped, 2*n-len(batch)-queued)
	}
	for i, ev := range rest {
		if got, want := ev.Complete(nil).Get("Seq"), strconv.Itoa(100000 + len(batch) + i)[1:]; got != want {
			t.Fatalf("event %d taken after Logoff has Seq %q, want %q", i, got, want)
		}
	}
}

// TestPacingYieldsToAStuckConsumer: the read loop paces itself to a busy
// consumer, but one that holds its batch (a blocked stdout) must not hold
// the socket up: the queue still fills to its limit, well past the pacing
// threshold, and only then does the reader wait (DropWhenFull off).
func TestPacingYieldsToAStuckConsumer(t *testing.T) {
	const n = 60000
	all, size := rawEvents(n) // ~50 bytes each: 3 MB, ~190 held
	srv := newServer(t, amitest.Options{})
	limit := 2 << 20
	c := dial(t, srv, amiwire.Config{Events: "user", EventBuffer: limit, Lend: true})
	full := queueFull(c)
	srv.EmitRaw(all)
	if _, err := c.NextEvents(testCtx(t), nil); err != nil { // take a batch and keep it
		t.Fatal(err)
	}
	waitFull(t, c, full) // the queue fills while its consumer is stuck
	if q := c.ConnState().EventsQueued * size; q < limit*3/4 {
		t.Fatalf("the reader waited with %d bytes queued; want the queue (%d) full", q, limit)
	}
}
