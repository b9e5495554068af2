package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// heldList answers with a list whose first item is sent at once and whose
// rest, with the completion event, only once release is closed (or the
// session ends, or testTimeout passes: a failing test must not hang the
// server). The items are written one by one, unbuffered, so the first is
// on the wire while the rest is held back.
func heldList(release <-chan struct{}) amitest.Handler {
	return func(s *amitest.Session, a amiwire.Packet) {
		items := threeItems(a)
		s.Respond(a, "Success", "EventList", "start", "Message", "Result will follow")
		s.WritePacket(items[0])
		t := time.NewTimer(testTimeout)
		defer t.Stop()
		select {
		case <-release:
		case <-s.Done():
			return
		case <-t.C:
			return
		}
		for _, it := range items[1:] {
			s.WritePacket(it)
		}
		final := amiwire.Packet{}
		final.Add("Event", "HeldComplete")
		final.Add("ActionID", a.ActionID())
		final.Add("EventList", "Complete")
		final.Add("ListItems", "3")
		s.WritePacket(final)
	}
}

// signalWriter keeps what is written and closes seen once the output holds
// want.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func newSignalWriter(want string) *signalWriter {
	return &signalWriter{want: want, seen: make(chan struct{})}
}

func (w *signalWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(b), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestListStreams proves that ami list streams: the first item reaches
// stdout while the server still holds back the rest of the list and its
// completion event; after the release the whole list is printed and the
// run ends normally.
func TestListStreams(t *testing.T) {
	tests := []struct {
		format      string
		first, last string // the first and last items as they are printed
		lines       int    // lines of the whole output
	}{
		{"text", "Channel: PJSIP/100-00000001\n", "Channel: Local/hold@default-00000003;1\n", 3 * 8},
		{"json", `"Channel":"PJSIP/100-00000001"`, `"Channel":"Local/hold@default-00000003;1"`, 3},
		{"raw", "Channel: PJSIP/100-00000001\r\n", "Channel: Local/hold@default-00000003;1\r\n", 3 * 8},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			release := make(chan struct{})
			var releaseOnce sync.Once
			free := func() { releaseOnce.Do(func() { close(release) }) }
			t.Cleanup(free)
			srv.HandlePerm("Held", "", heldList(release))

			ctx := testCtx(t)
			out := newSignalWriter(tt.first)
			var errOut bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, append([]string{"ami"}, with(t, srv, "list", "-o", tt.format, "Held", "ActionID=h1")...), strings.NewReader(""), out, &errOut)
			}()

			select {
			case <-out.seen:
			case code := <-done:
				t.Fatalf("exit %d before the first item was printed, with the list still open:\n%s\nstderr: %s", code, out.String(), errOut.String())
			case <-ctx.Done():
				t.Fatalf("the first item was not printed while the end of the list was held back; stdout so far:\n%s", out.String())
			}
			select {
			case code := <-done: // the list is held open: only a run that gave up can end
				t.Fatalf("the first item was printed only when the run ended (exit %d, stderr %q)", code, errOut.String())
			default:
			}
			if got := out.String(); strings.Contains(got, "PJSIP/200") {
				t.Fatalf("the second item was printed before the server sent it:\n%s", got)
			}

			free()
			var code int
			select {
			case code = <-done:
			case <-ctx.Done():
				t.Fatal("ami list did not end after the list completed")
			}
			got := out.String()
			if code != 0 || errOut.Len() != 0 {
				t.Fatalf("exit %d, stderr %q (an idle timeout here means the first item came out only as the run gave up)", code, errOut.String())
			}
			if n := strings.Count(got, "\n"); n != tt.lines || !strings.Contains(got, tt.last) {
				t.Fatalf("%d lines, want %d, ending with the last item:\n%s", n, tt.lines, got)
			}
		})
	}
}

// TestListIdleTimeout: a list that stops arriving ends after --timeout of
// silence with exit 3, and what arrived before is printed.
func TestListIdleTimeout(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv.HandlePerm("Held", "", heldList(release))
	args := srvArgs(t, srv)
	for i := range args {
		if args[i] == "--timeout" {
			args[i+1] = "300ms"
		}
	}
	start := time.Now()
	r := amiRun(t, "", append(args, "list", "-o", "json", "Held")...)
	r.want(t, exitConn, "list Held: nothing arrived from", "for 300ms")
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("gave up after %v, before the 300ms timeout", took)
	}
	if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.Contains(r.stdout, "PJSIP/100-00000001") {
		t.Errorf("stdout holds %d lines, want the first item:\n%s", n, r.stdout)
	}
}
