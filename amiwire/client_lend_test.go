package amiwire_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestStreamAllocs: a list streamed with Config.Lend costs no allocation
// per item (its items are lent in the Reader's reused memory, the final
// event alone is kept by address, the batch arrays are reused).
func TestStreamAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation budget of a 5,000-item list")
	}
	const n = 5000
	list, _ := listBytes(t, n)
	addr := listServer(t, list)
	c, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: addr, Username: "admin", Secret: "x", Events: "off", Lend: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	action := amiwire.NewAction("CoreShowChannels", "ActionID", benchListID)
	ctx := testCtx(t)
	var runErr error
	scratch := make([]amiwire.Field, 0, 64)
	allocs := testing.AllocsPerRun(10, func() {
		got := 0
		_, err := c.Stream(ctx, action, func(ev amiwire.Packet) error {
			if ev.Complete(scratch).Get("ChannelStateDesc") == "Up" {
				got++
			}
			return nil
		})
		if err == nil && got != n {
			err = fmt.Errorf("%d items, want %d", got, n)
		}
		if err != nil && runErr == nil {
			runErr = err
		}
	})
	if runErr != nil {
		t.Fatal(runErr)
	}
	// Send and the result take a few; the rest is the first runs growing
	// the batch arrays and the recycler's chunks.
	if perItem := allocs / n; perItem > 0.02 {
		t.Errorf("%.0f allocations for a %d-item list: %.3f per item, want at most 0.02", allocs, n, perItem)
	}
	t.Logf("%.0f allocations per %d-item list", allocs, n)
}

// lockStep answers "Step" with a list whose items it writes one by one,
// each only once the client has taken the one before (taken is fed by the
// client's callback), then the completion event. It gives up when quit is
// closed.
func lockStep(n int, taken, quit <-chan struct{}) amitest.Handler {
	return func(s *amitest.Session, a amiwire.Packet) {
		id := a.Get("ActionID")
		s.WriteRaw([]byte("Response: Success\r\nActionID: " + id + "\r\nEventList: start\r\nMessage: Steps will follow\r\n\r\n"))
		for i := range n {
			s.WriteRaw([]byte("Event: Step\r\nActionID: " + id + "\r\nN: " + strconv.Itoa(i) + "\r\n\r\n"))
			select {
			case <-taken:
			case <-quit:
				return
			}
		}
		s.WriteRaw([]byte("Event: StepsComplete\r\nActionID: " + id + "\r\nEventList: Complete\r\nListItems: " + strconv.Itoa(n) + "\r\n\r\n"))
	}
}

// TestStreamLockStep: each item reaches the callback while the list is
// still going, however few come at a time. The waiter sleeps only when it
// found nothing and the reader wakes it only then: a waiter that went to
// sleep after a batch without saying so would never see the next item
// (the server here sends it only once the one before was taken).
func TestStreamLockStep(t *testing.T) {
	const n = 200
	taken, quit := make(chan struct{}, 1), make(chan struct{})
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"Step": lockStep(n, taken, quit)}})
	t.Cleanup(func() { close(quit) }) // before the server's Close, which waits for the handler
	for _, stream := range []bool{true, false} {
		c := dial(t, srv, amiwire.Config{Events: "off"})
		got := 0
		each := func(ev amiwire.Packet) error {
			if ev.Get("N") != strconv.Itoa(got) {
				return fmt.Errorf("item %d = %v", got, ev)
			}
			got++
			taken <- struct{}{}
			return nil
		}
		var err error
		if stream {
			_, err = c.Stream(testCtx(t), amiwire.NewAction("Step"), each)
		} else {
			// Wait gets the items only at the end: the server must
			// not wait for them.
			go func() {
				for range n {
					taken <- struct{}{}
				}
			}()
			var resp *amiwire.Response
			resp, err = c.Do(testCtx(t), amiwire.NewAction("Step"))
			for i := 0; err == nil && resp != nil && i < len(resp.Events); i++ {
				if resp.Events[i].Get("N") != strconv.Itoa(i) {
					err = fmt.Errorf("item %d = %v", i, resp.Events[i])
				}
				got++
			}
		}
		if err != nil || got != n {
			t.Fatalf("stream=%v: %d items, %v", stream, got, err)
		}
	}
}

// bigItems answers "Big" with Count items "Event: BigItem", "Tag: <Tag>",
// "Seq: <n>" and a filler to make each item about 300 bytes, and a
// BigListComplete carrying the tag.
func bigItems(s *amitest.Session, a amiwire.Packet) {
	n, _ := strconv.Atoi(a.Get("Count"))
	tag := a.Get("Tag")
	filler := string(bytes.Repeat([]byte("x"), 250))
	lw := s.StartList(a, "Result will follow")
	for i := range n {
		if lw.Item(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "BigItem"}, {Key: "Tag", Value: tag},
			{Key: "Seq", Value: strconv.Itoa(i)}, {Key: "Filler", Value: filler}}}) != nil {
			return
		}
	}
	lw.Complete("BigListComplete", "Tag", tag)
}

// checkItem reports whether ev is item seq of the list tagged tag, intact.
func checkItem(ev amiwire.Packet, tag string, seq int) error {
	ev = ev.Complete(nil) // lent items may come skimmed
	want := "Tag: " + tag + "\r\nSeq: " + strconv.Itoa(seq) + "\r\n"
	if ev.Get("Event") != "BigItem" || ev.Get("Tag") != tag || ev.Get("Seq") != strconv.Itoa(seq) ||
		len(ev.Get("Filler")) != 250 || !bytes.Contains(ev.Raw, []byte(want)) {
		return fmt.Errorf("list %s item %d = %q", tag, seq, ev.Raw)
	}
	return nil
}

// TestStreamLendsSafely: once a streamed list has lent the Reader's memory
// (and it is reused for later input), everything else the client hands
// out still owns its memory: the list's response and final event, the
// items of a list collected with Wait while another is streamed, async
// events that arrived during a streamed list, and the items of a second
// list streamed at the same time as the first (only one may borrow).
func TestStreamLendsSafely(t *testing.T) {
	const n = 3000 // about 1 MB per list: many chunks, each soon reused
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"Big": bigItems}})
	srv.Handle("Noisy", func(s *amitest.Session, a amiwire.Packet) {
		// A list with an async event after each item.
		id := a.Get("ActionID")
		s.WriteRaw([]byte("Response: Success\r\nActionID: " + id + "\r\nEventList: start\r\nMessage: Items will follow\r\n\r\n"))
		for i := range n {
			s.WriteRaw([]byte("Event: BigItem\r\nActionID: " + id + "\r\nTag: noisy\r\nSeq: " + strconv.Itoa(i) + "\r\nFiller: " + string(bytes.Repeat([]byte("x"), 250)) + "\r\n\r\n" +
				"Event: Async\r\nPrivilege: user,all\r\nN: " + strconv.Itoa(i) + "\r\n\r\n"))
		}
		s.WriteRaw([]byte("Event: BigListComplete\r\nActionID: " + id + "\r\nEventList: Complete\r\nListItems: " + strconv.Itoa(n) + "\r\n\r\n"))
	})
	c := dial(t, srv, amiwire.Config{Events: "off", Lend: true}) // the Stream borrows, not the queue
	ctx := testCtx(t)
	if _, err := c.Do(ctx, amiwire.NewAction("Events", "EventMask", "on")); err != nil { // async events from now on
		t.Fatal(err)
	}
	stream := func(tag string) (*amiwire.Response, error) {
		seq := 0
		return c.Stream(ctx, amiwire.NewAction("Big", "Count", strconv.Itoa(n), "Tag", tag), func(ev amiwire.Packet) error {
			if err := checkItem(ev, tag, seq); err != nil {
				return err
			}
			seq++
			return nil
		})
	}

	// The first list turns lending on.
	first, err := stream("first")
	if err != nil {
		t.Fatal(err)
	}

	// A list sent now, collected only after another list has streamed
	// through the reused memory.
	later, err := c.Send(ctx, amiwire.NewAction("Big", "Count", strconv.Itoa(n), "Tag", "later"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream("second"); err != nil {
		t.Fatal(err)
	}

	// Async events queued during a streamed list, taken after it.
	seq := 0
	if _, err := c.Stream(ctx, amiwire.NewAction("Noisy"), func(ev amiwire.Packet) error {
		if err := checkItem(ev, "noisy", seq); err != nil {
			return err
		}
		seq++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream("third"); err != nil { // reuse the memory once more
		t.Fatal(err)
	}
	resp, err := later.Wait(ctx)
	if err != nil || len(resp.Events) != n {
		t.Fatalf("Wait: %v", err)
	}
	for i, ev := range resp.Events {
		if err := checkItem(ev, "later", i); err != nil {
			t.Fatalf("Wait after streams: %v", err)
		}
	}
	var evs []amiwire.Packet
	for next := 0; next < n; {
		evs, err = c.NextEvents(ctx, evs[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Get("Event") != "Async" {
				continue
			}
			if ev.Complete(nil).Get("N") != strconv.Itoa(next) || !bytes.HasSuffix(ev.Raw, []byte("N: "+strconv.Itoa(next)+"\r\n\r\n")) {
				t.Fatalf("async event %d = %q", next, ev.Raw)
			}
			next++
		}
	}
	if first.Final == nil || first.Final.Get("Tag") != "first" || first.Final.Get("ListItems") != strconv.Itoa(n) ||
		first.Packet.Get("Response") != "Success" || !bytes.HasPrefix(first.Packet.Raw, []byte("Response: Success\r\n")) {
		t.Fatalf("the first list's response and final event changed: %q, %+v", first.Packet.Raw, first.Final)
	}

	// Two lists streamed at once: one borrows, the other's items are
	// copied; both intact.
	errs := make(chan error, 2)
	for _, tag := range []string{"left", "right"} {
		go func() {
			_, err := stream(tag)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	// A callback error ends the loan: the next list borrows again and
	// all is well.
	stop := errors.New("enough")
	count := 0
	if _, err := c.Stream(ctx, amiwire.NewAction("Big", "Count", strconv.Itoa(n), "Tag", "stop"), func(amiwire.Packet) error {
		count++
		if count == 100 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	if _, err := stream("after"); err != nil {
		t.Fatal(err)
	}
}

// TestStreamDoesNotLendWhileTheQueueDoes: with Config.Lend and events on
// the event queue borrows the Reader's memory, so a streamed list must not
// also borrow it: events flooding in during a list stay intact until the
// next NextEvents.
func TestStreamDoesNotLendWhileTheQueueDoes(t *testing.T) {
	const n = 3000
	all, _ := rawEvents(n)
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"Big": bigItems}})
	c := dial(t, srv, amiwire.Config{Events: "user", Lend: true})
	ctx := testCtx(t)
	srv.EmitRaw(all)
	for _, tag := range []string{"a", "b"} {
		seq := 0
		if _, err := c.Stream(ctx, amiwire.NewAction("Big", "Count", strconv.Itoa(n), "Tag", tag), func(ev amiwire.Packet) error {
			if err := checkItem(ev, tag, seq); err != nil {
				return err
			}
			seq++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	batch := make([]amiwire.Packet, 0, 64)
	for got := 0; got < n; {
		evs, err := c.NextEvents(ctx, batch[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if s := ev.Complete(nil).Get("Seq"); s != fmt.Sprintf("%05d", got) || !bytes.HasSuffix(ev.Raw, []byte("Seq: "+s+"\r\n\r\n")) {
				t.Fatalf("event %d: %q", got, ev.Raw)
			}
			got++
		}
		clear(evs)
		batch = evs[:0]
	}
}
