package amiwire_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// transcript is a recorded server side, split into packets (Raw kept).
type transcript struct {
	banner string
	pkts   []amiwire.Packet
}

func loadTranscript(t testing.TB, name string) *transcript {
	t.Helper()
	b, err := amitest.Fixture(name)
	if err != nil {
		t.Fatal(err)
	}
	r := amiwire.NewReader(bytes.NewReader(b))
	tr := &transcript{}
	if tr.banner, err = r.ReadBanner(); err != nil {
		t.Fatalf("%s: banner: %v", name, err)
	}
	for i := 0; ; i++ {
		if i > 1e6 {
			t.Fatalf("%s: too many packets", name)
		}
		p, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			return tr
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tr.pkts = append(tr.pkts, p)
	}
}

// fakeConn is the server side of one connection of a replayServer.
type fakeConn struct {
	conn net.Conn
	r    *amiwire.Reader
	tr   *transcript
	pos  int // next transcript packet to send
}

// readAction reads the client's next action.
func (f *fakeConn) readAction() (amiwire.Packet, error) { return f.r.ReadPacket() }

// rewrite returns p's bytes with the ActionID line "ActionID: from" turned
// into "ActionID: to": the only change made to recorded bytes, so that a
// transcript answers the ActionIDs the client really sent.
func rewrite(p amiwire.Packet, from, to string) []byte {
	if from == "" || to == "" || from == to || p.Get("ActionID") != from {
		return p.Raw
	}
	return bytes.Replace(p.Raw, []byte("ActionID: "+from+"\r\n"), []byte("ActionID: "+to+"\r\n"), 1)
}

// answer writes the transcript's next Response and every packet after it
// up to the following Response, giving the response (and the events
// carrying its recorded ActionID) the ActionID id. It returns the response.
func (f *fakeConn) answer(id string) (amiwire.Packet, error) {
	var out []byte
	var resp amiwire.Packet
	from := ""
	for f.pos < len(f.tr.pkts) {
		p := f.tr.pkts[f.pos]
		if p.Has("Response") && !p.Has("Event") {
			if resp.Fields != nil {
				break
			}
			resp, from = p, p.Get("ActionID")
		}
		out = append(out, rewrite(p, from, id)...)
		f.pos++
	}
	_, err := f.conn.Write(out)
	return resp, err
}

// rest writes every packet not sent yet, up to (not including) the
// Response answering the last action, in one write.
func (f *fakeConn) restBefore(lastResponse string) error {
	var out []byte
	for f.pos < len(f.tr.pkts) {
		p := f.tr.pkts[f.pos]
		if p.Has("Response") && !p.Has("Event") && strings.EqualFold(p.Get("Response"), lastResponse) {
			break
		}
		out = append(out, p.Raw...)
		f.pos++
	}
	_, err := f.conn.Write(out)
	return err
}

// stepwise replays the transcript one answer per action, like Asterisk,
// and closes after Goodbye.
func stepwise(f *fakeConn) {
	for {
		a, err := f.readAction()
		if err != nil {
			return
		}
		resp, err := f.answer(a.Get("ActionID"))
		if err != nil || resp.Fields == nil || strings.EqualFold(resp.Get("Response"), "Goodbye") {
			return
		}
	}
}

// replayServer serves the named transcript on 127.0.0.1:0: it writes the
// banner, then runs script on each connection. It is closed, and its
// goroutines waited for, when the test ends.
func replayServer(t testing.TB, name string, script func(*fakeConn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveReplay(t, ln, name, script)
}

// serveReplay is replayServer on a listener of the caller's (TLS).
func serveReplay(t testing.TB, ln net.Listener, name string, script func(*fakeConn)) string {
	t.Helper()
	tr := loadTranscript(t, name)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if _, err := io.WriteString(c, tr.banner+"\r\n"); err != nil {
					return
				}
				script(&fakeConn{conn: c, r: amiwire.NewReader(c), tr: tr})
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dialReplay(t testing.TB, name string, cfg amiwire.Config) *amiwire.Client {
	t.Helper()
	cfg.Addr = replayServer(t, name, stepwise)
	if cfg.Username == "" {
		cfg.Username, cfg.Secret = "admin", "s3cret"
	}
	c, err := amiwire.Dial(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestDoFixtures replays real Asterisk 22 sessions and checks what Do
// makes of each answer.
func TestDoFixtures(t *testing.T) {
	type result struct {
		resp *amiwire.Response
		err  error
	}
	listOf := func(t *testing.T, r result, items int, event, final string) {
		t.Helper()
		if r.err != nil {
			t.Fatalf("err = %v", r.err)
		}
		if r.resp.Events == nil || len(r.resp.Events) != items {
			t.Fatalf("got %d items (nil %v), want %d", len(r.resp.Events), r.resp.Events == nil, items)
		}
		for i, ev := range r.resp.Events {
			if event != "" && ev.Get("Event") != event {
				t.Errorf("item %d is %q, want %q", i, ev.Get("Event"), event)
			}
			if amiwire.ListMarkOf(ev) != amiwire.ListItem {
				t.Errorf("item %d is not a list item", i)
			}
		}
		if r.resp.Final == nil || r.resp.Final.Get("Event") != final || amiwire.ListItems(*r.resp.Final) != items {
			t.Fatalf("final = %v, want %s with ListItems %d", r.resp.Final, final, items)
		}
	}
	tests := []struct {
		fixture string
		actions []amiwire.Packet
		check   func(t *testing.T, rs []result, async []amiwire.Packet)
	}{
		{"core-show-channels-3.server.ami", []amiwire.Packet{amiwire.NewAction("CoreShowChannels")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				listOf(t, rs[0], 6, "CoreShowChannel", "CoreShowChannelsComplete")
				if got := rs[0].resp.Packet.Get("Message"); got != "Channels will follow" {
					t.Errorf("Message = %q", got)
				}
				if v, ok := rs[0].resp.Events[0].Lookup("AccountCode"); !ok || v != "" {
					t.Errorf("AccountCode = %q, %v; want empty value kept", v, ok)
				}
			}},
		{"core-show-channels-empty.server.ami", []amiwire.Packet{amiwire.NewAction("CoreShowChannels", "ActionID", "csc-2")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				listOf(t, rs[0], 0, "", "CoreShowChannelsComplete")
			}},
		{"status-3.server.ami", []amiwire.Packet{amiwire.NewAction("Status")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				listOf(t, rs[0], 6, "Status", "StatusComplete")
				last := rs[0].resp.Events[5].Fields
				if f := last[len(last)-1]; f.Key != "ActionID" || f.Value != rs[0].resp.Packet.Get("ActionID") {
					t.Errorf("last field of item = %v, want the ActionID", f)
				}
			}},
		{"queue-status.server.ami", []amiwire.Packet{amiwire.NewAction("QueueStatus", "ActionID", "qs-2")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				listOf(t, rs[0], 3, "", "QueueStatusComplete")
				var names []string
				for _, ev := range rs[0].resp.Events {
					names = append(names, ev.Get("Event"))
				}
				if got := strings.Join(names, ","); got != "QueueParams,QueueMember,QueueEntry" {
					t.Errorf("items = %s", got)
				}
			}},
		{"dbput-dbget.server.ami", []amiwire.Packet{
			amiwire.NewAction("DBPut", "Family", "fixtures", "Key", "greeting", "Val", "hello: world"),
			amiwire.NewAction("DBGet", "Family", "fixtures", "Key", "greeting"),
			amiwire.NewAction("DBGet", "Family", "fixtures", "Key", "missing"),
		}, func(t *testing.T, rs []result, async []amiwire.Packet) {
			if rs[0].err != nil || rs[0].resp.Events != nil || rs[0].resp.Final != nil {
				t.Errorf("DBPut = %+v, %v; want a plain response", rs[0].resp, rs[0].err)
			}
			listOf(t, rs[1], 1, "DBGetResponse", "DBGetComplete")
			if v := rs[1].resp.Events[0].Get("Val"); v != "hello: world" {
				t.Errorf("Val = %q", v)
			}
			var ae *amiwire.ActionError
			if !errors.As(rs[2].err, &ae) || ae.Message != "Database entry not found" || ae.Action != "DBGet" {
				t.Fatalf("missing key: err = %v, want *ActionError", rs[2].err)
			}
			if rs[2].resp == nil || !strings.EqualFold(rs[2].resp.Packet.Get("Response"), "Error") || rs[2].resp.Events != nil {
				t.Errorf("missing key: resp = %+v", rs[2].resp)
			}
		}},
		{"unknown-action.server.ami", []amiwire.Packet{amiwire.NewAction("NoSuchAction", "Foo", "bar")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				var ae *amiwire.ActionError
				if !errors.As(rs[0].err, &ae) || !strings.HasPrefix(ae.Message, "Invalid/unknown command: NoSuchAction.") {
					t.Fatalf("err = %v", rs[0].err)
				}
			}},
		{"command-core-show-version.server.ami", []amiwire.Packet{amiwire.NewAction("Command", "Command", "core show version")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				if rs[0].err != nil || rs[0].resp.Events != nil {
					t.Fatalf("resp = %+v, %v", rs[0].resp, rs[0].err)
				}
				if out := rs[0].resp.Packet.Values("Output"); len(out) != 1 || !strings.HasPrefix(out[0], "Asterisk 22") {
					t.Errorf("Output = %q", out)
				}
			}},
		{"command-core-show-channels.server.ami", []amiwire.Packet{amiwire.NewAction("Command", "Command", "core show channels")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				if out := rs[0].resp.Packet.Values("Output"); len(out) != 10 {
					t.Errorf("%d Output lines, want 10", len(out))
				}
			}},
		{"originate-async.server.ami", []amiwire.Packet{amiwire.NewAction("Originate", "ActionID", "orig-2",
			"Channel", "Local/short@default", "Application", "Wait", "Data", "10", "Async", "true")},
			func(t *testing.T, rs []result, async []amiwire.Packet) {
				if rs[0].err != nil || rs[0].resp.Events != nil {
					t.Fatalf("resp = %+v, %v", rs[0].resp, rs[0].err)
				}
				// OriginateResponse carries our ActionID after the
				// response: it is an async event.
				found := false
				for _, ev := range async {
					if ev.Get("Event") == "OriginateResponse" && ev.Get("ActionID") == "orig-2" {
						found = true
					}
				}
				if !found {
					t.Errorf("OriginateResponse not among the %d async events", len(async))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.fixture, ".server.ami"), func(t *testing.T) {
			c := dialReplay(t, tt.fixture, amiwire.Config{})
			ctx := testCtx(t)
			var rs []result
			for _, a := range tt.actions {
				resp, err := c.Do(ctx, a)
				rs = append(rs, result{resp, err})
			}
			if err := c.Logoff(ctx); err != nil {
				t.Errorf("Logoff: %v", err)
			}
			var async []amiwire.Packet
			for i := 0; i < 1000; i++ {
				evs, err := c.NextEvents(ctx, nil)
				async = append(async, evs...)
				if err != nil {
					if !errors.Is(err, amiwire.ErrClosed) {
						t.Errorf("NextEvents after Logoff: %v", err)
					}
					break
				}
			}
			for _, ev := range async {
				if !ev.Has("Event") {
					t.Errorf("async queue holds a non-event: %v", ev)
				}
				if mark := amiwire.ListMarkOf(ev); mark == amiwire.ListComplete {
					t.Errorf("list completion %q in the async queue", ev.Get("Event"))
				}
			}
			tt.check(t, rs, async)
		})
	}
}

// TestPipelinedFixture sends the three actions of the pipelined recording
// at once, with the recording's ActionIDs, and replays everything Asterisk
// sent after them unchanged, in one write: responses matched by ActionID,
// the list complete and pure, every other event in the async queue in
// order.
func TestPipelinedFixture(t *testing.T) {
	got3 := make(chan struct{})
	addr := replayServer(t, "pipelined.server.ami", func(f *fakeConn) {
		a, err := f.readAction() // Login
		if err != nil {
			return
		}
		// The login answer only; the events after it come with the rest.
		resp := f.tr.pkts[0]
		if _, err := f.conn.Write(rewrite(resp, resp.Get("ActionID"), a.Get("ActionID"))); err != nil {
			return
		}
		f.pos = 1
		for i := 0; i < 3; i++ {
			if _, err := f.readAction(); err != nil {
				return
			}
		}
		close(got3)
		if err := f.restBefore("Goodbye"); err != nil {
			return
		}
		stepwise(f) // Logoff
	})
	ctx := testCtx(t)
	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: addr, Username: "admin", Secret: "s3cret", Events: "on"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ids := []string{"pipe-ping-2", "pipe-corestatus-3", "pipe-csc-4"}
	var ps []*amiwire.Pending
	for i, name := range []string{"Ping", "CoreStatus", "CoreShowChannels"} {
		p, err := c.Send(ctx, amiwire.NewAction(name, "ActionID", ids[i]))
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	<-got3
	// Wait in reverse order: matching is by ActionID, not by turn.
	var resps [3]*amiwire.Response
	for i := 2; i >= 0; i-- {
		r, err := ps[i].Wait(ctx)
		if err != nil {
			t.Fatalf("%s: %v", ids[i], err)
		}
		if r.Packet.Get("ActionID") != ids[i] {
			t.Errorf("response to %s has ActionID %q", ids[i], r.Packet.Get("ActionID"))
		}
		resps[i] = r
	}
	if resps[0].Packet.Get("Ping") != "Pong" || resps[1].Packet.Get("CoreCurrentCalls") == "" {
		t.Errorf("wrong responses: %v / %v", resps[0].Packet, resps[1].Packet)
	}
	if n := len(resps[2].Events); n != 8 || resps[2].Final == nil || amiwire.ListItems(*resps[2].Final) != 8 {
		t.Fatalf("CoreShowChannels: %d items, final %v", n, resps[2].Final)
	}
	for _, ev := range resps[2].Events {
		if ev.Get("Event") != "CoreShowChannel" || ev.Get("ActionID") != "pipe-csc-4" {
			t.Errorf("foreign packet in the list: %v", ev)
		}
	}

	// The async events are exactly the recording's events outside the
	// list, in order.
	var want []string
	for _, p := range loadTranscript(t, "pipelined.server.ami").pkts {
		if p.Has("Event") && p.Get("ActionID") != "pipe-csc-4" {
			want = append(want, string(p.Raw))
		}
	}
	if err := c.Logoff(ctx); err != nil {
		t.Errorf("Logoff: %v", err)
	}
	var got []string
	for i := 0; i < 10000; i++ {
		evs, err := c.NextEvents(ctx, nil)
		for _, ev := range evs {
			got = append(got, string(ev.Raw))
		}
		if err != nil {
			if !errors.Is(err, amiwire.ErrClosed) {
				t.Fatal(err)
			}
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d async events, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("async event %d:\n%s\nwant:\n%s", i, got[i], want[i])
		}
	}
	if c.ConnState().EventsDropped != 0 {
		t.Errorf("Dropped = %d", c.ConnState().EventsDropped)
	}
}
