package amiwire_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// channelItems answers "Chans" with Count items "Event: Chan", each with
// the Channel "<Tag>/<n>" and a filler (about 200 bytes an item).
func channelItems(s *amitest.Session, a amiwire.Packet) {
	n, _ := strconv.Atoi(a.Get("Count"))
	tag := a.Get("Tag")
	filler := string(bytes.Repeat([]byte("f"), 150))
	lw := s.StartList(a, "Result will follow")
	for i := range n {
		item := amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "Chan"}, {Key: "Channel", Value: tag + "/" + strconv.Itoa(i)}, {Key: "Filler", Value: filler}}}
		if lw.Item(item) != nil {
			return
		}
	}
	lw.Complete("ChansComplete")
}

// channelEvents is the wire form of n events "Event: Chan" with the
// Channel "<tag>/<n>".
func channelEvents(tag string, n int) []byte {
	var b []byte
	filler := bytes.Repeat([]byte("f"), 150)
	for i := range n {
		b = fmt.Appendf(b, "Event: Chan\r\nPrivilege: call,all\r\nChannel: %s/%d\r\nFiller: %s\r\n\r\n", tag, i, filler)
	}
	return b
}

// TestKeptStrings keeps the Channel of every item of a 10,000-item list,
// in a slice and as map keys, reads another such list through the same
// connection (whose bytes would land where the first list's were, were
// its memory reused), and checks that every kept string is still what it
// was: for Stream, Do and NextEvents.
func TestKeptStrings(t *testing.T) {
	const n = 10000
	// collect gets the Channel of each packet of one round tagged tag.
	rounds := map[string]func(t *testing.T, c *amiwire.Client, srv *amitest.Server, tag string, keep func(amiwire.Packet)){
		"Stream": func(t *testing.T, c *amiwire.Client, _ *amitest.Server, tag string, keep func(amiwire.Packet)) {
			if _, err := c.Stream(testCtx(t), amiwire.NewAction("Chans", "Count", strconv.Itoa(n), "Tag", tag), func(p amiwire.Packet) error {
				keep(p)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		},
		"Do": func(t *testing.T, c *amiwire.Client, _ *amitest.Server, tag string, keep func(amiwire.Packet)) {
			resp, err := c.Do(testCtx(t), amiwire.NewAction("Chans", "Count", strconv.Itoa(n), "Tag", tag))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range resp.Events {
				keep(p)
			}
		},
		"NextEvents": func(t *testing.T, c *amiwire.Client, srv *amitest.Server, tag string, keep func(amiwire.Packet)) {
			srv.EmitRaw(channelEvents(tag, n))
			var batch []amiwire.Packet
			for got := 0; got < n; {
				var err error
				if batch, err = c.NextEvents(testCtx(t), batch[:0]); err != nil {
					t.Fatal(err)
				}
				for _, p := range batch {
					keep(p)
				}
				got += len(batch)
			}
		},
	}
	for name, round := range rounds {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"Chans": channelItems}})
			c := dial(t, srv, amiwire.Config{Events: "call"})
			var kept []string
			keys := map[string]int{}
			round(t, c, srv, "first", func(p amiwire.Packet) {
				ch := p.Get("Channel")
				kept = append(kept, ch)
				keys[ch]++
			})
			round(t, c, srv, "second", func(amiwire.Packet) {})
			runtime.GC()
			if len(kept) != n || len(keys) != n {
				t.Fatalf("%d strings kept, %d distinct map keys; want %d", len(kept), len(keys), n)
			}
			for i, s := range kept {
				if want := "first/" + strconv.Itoa(i); s != want {
					t.Fatalf("kept string %d is now %q, want %q", i, s, want)
				}
				if keys[s] != 1 {
					t.Fatalf("map key %q counted %d times", s, keys[s])
				}
			}
			for k := range keys {
				if _, err := strconv.Atoi(k[len("first/"):]); err != nil || k[:len("first/")] != "first/" {
					t.Fatalf("map key changed: %q", k)
				}
			}
		})
	}
}

// TestKeptStringsPinLittle keeps the Seq of a few events out of many: what
// stays in use afterwards is about what was kept (each string keeps its
// own packet's bytes at most), not the input chunks the events came in.
func TestKeptStringsPinLittle(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 events")
	}
	const n, every = 200000, 300
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "user"})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var kept []string
	filler := bytes.Repeat([]byte("f"), 350)
	go func() {
		for k := 0; k < n; k += 10000 {
			var b []byte
			for i := k; i < k+10000; i++ {
				b = fmt.Appendf(b, "Event: Test\r\nPrivilege: user,all\r\nSeq: %06d\r\nFiller: %s\r\n\r\n", i, filler)
			}
			srv.EmitRaw(b)
		}
	}()
	var batch []amiwire.Packet
	for got := 0; got < n; {
		var err error
		if batch, err = c.NextEvents(testCtx(t), batch[:0]); err != nil {
			t.Fatal(err)
		}
		for _, p := range batch {
			if got%every == 0 {
				kept = append(kept, p.Get("Seq"))
			}
			got++
		}
		clear(batch)
	}
	c.Close()
	<-c.Done()
	runtime.GC()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("%d strings kept out of %d events: heap in use grew by %.1f MiB", len(kept), n, float64(grown)/(1<<20))
	if grown > 8<<20 {
		t.Errorf("%d kept strings hold %.1f MiB; want little more than their packets (%d KiB)", len(kept), float64(grown)/(1<<20), len(kept)*450>>10)
	}
	for i, s := range kept {
		if want := fmt.Sprintf("%06d", i*every); s != want {
			t.Fatalf("kept Seq %d = %q, want %q", i, s, want)
		}
	}
	runtime.KeepAlive(kept)
}

// TestFullQueueAnswers: with events on and NextEvents never called, a full
// queue (DropWhenFull off, the default) does not stop the answers: Ping and
// Logoff are answered, and the events that did not fit are counted as
// dropped.
func TestFullQueueAnswers(t *testing.T) {
	const keep, n = 10, 5000
	all, size := rawEvents(n)
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "on", EventBuffer: keep * size})
	full := queueFull(c)
	srv.EmitRaw(all)
	waitFull(t, c, full) // the reader waits for room that never comes
	if err := ping(testCtx(t), c); err != nil {
		t.Fatalf("Ping with the queue full: %v", err)
	}
	srv.EmitRaw(all)
	if err := c.Logoff(testCtx(t)); err != nil {
		t.Fatalf("Logoff with the queue full: %v", err)
	}
	if c.ConnState().EventsDropped == 0 {
		t.Errorf("no event dropped; want those that did not fit while the answers were due")
	}
}

// TestWatchEvent: a watch started before an Originate gets its
// OriginateResponse, which carries the Originate's ActionID; the event
// still goes to NextEvents. A stopped watch, and one whose connection
// ends, say so.
func TestWatchEvent(t *testing.T) {
	c := dial(t, simServer(t, amisim.Options{}), amiwire.Config{Events: "on"})
	ctx := testCtx(t)
	wait, stop := c.WatchEvent(func(ev amiwire.Packet) bool {
		return ev.Get("Event") == "OriginateResponse" && ev.Get("ActionID") == "call-1"
	})
	defer stop()
	never, _ := c.WatchEvent(func(amiwire.Packet) bool { return false })
	stoppedWait, stopStopped := c.WatchEvent(func(amiwire.Packet) bool { return true })
	stopStopped()
	stopStopped() // more than once
	if _, err := stoppedWait(ctx); err == nil {
		t.Errorf("Wait after Stop: no error")
	}
	if _, err := c.Do(ctx, amiwire.NewAction("Originate", "ActionID", "call-1", "Channel", "Bogus/1", "Async", "true", "Application", "Wait", "Data", "1")); err != nil {
		t.Fatal(err)
	}
	ev, err := wait(ctx)
	if err != nil || ev.Get("ActionID") != "call-1" || ev.Get("Response") != "Failure" {
		t.Fatalf("Wait = %v, %v", ev, err)
	}
	if _, err := wait(ctx); err == nil {
		t.Errorf("a second Wait: no error")
	}
	var queued bool
	for !queued {
		evs, err := c.NextEvents(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			queued = queued || e.Get("Event") == "OriginateResponse"
		}
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := never(short); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with ctx done = %v", err)
	}
	c.Close()
	if _, err := never(ctx); !errors.Is(err, amiwire.ErrClosed) {
		t.Errorf("Wait after Close = %v; want ErrClosed", err)
	}
}
