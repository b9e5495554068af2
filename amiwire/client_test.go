package amiwire_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/amiwire/amitls"
)

const secret = "hunter2-s3cret"

func newServer(t testing.TB, opts amitest.Options) *amitest.Server {
	t.Helper()
	if opts.Users == nil {
		opts.Users = []amitest.User{{Name: "admin", Secret: secret}}
	}
	return amitest.NewServer(t, opts)
}

func dial(t testing.TB, srv *amitest.Server, cfg amiwire.Config) *amiwire.Client {
	t.Helper()
	cfg.Addr = srv.Addr()
	if cfg.Username == "" {
		cfg.Username, cfg.Secret = "admin", secret
	}
	c, err := amiwire.Dial(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ping sends a Ping on c and waits for its answer.
func ping(ctx context.Context, c *amiwire.Client) error {
	_, err := c.Do(ctx, amiwire.NewAction("Ping"))
	return err
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDialLogin(t *testing.T) {
	tests := []struct {
		name   string
		md5    bool
		events string
	}{
		{"plain", false, ""},
		{"plain events on", false, "on"},
		{"md5", true, ""},
		{"md5 events classes", true, "call,system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			c := dial(t, srv, amiwire.Config{Challenge: tt.md5, Events: tt.events})
			if st := c.ConnState(); st.Banner != "Asterisk Call Manager/11.0.0" || st.Version != "11.0.0" || st.RemoteAddr.String() != srv.Addr() {
				t.Errorf("ConnState = %+v", st)
			}
			if st := c.ConnState(); st.ConnectTime <= 0 || st.BannerTime < 0 || st.LoginTime <= 0 || st.CertCheck != amitls.NotChecked {
				t.Errorf("ConnState = %+v", st)
			}
			req, err := srv.WaitAction(testCtx(t), "Login")
			if err != nil {
				t.Fatal(err)
			}
			login := req.Action
			if login.Get("ActionID") == "" || login.Get("Username") != "admin" {
				t.Errorf("Login = %v", login)
			}
			switch {
			case !tt.md5:
				if login.Get("Secret") != secret || login.Has("Key") {
					t.Errorf("plain Login = %v", login)
				}
			default:
				if login.Has("Secret") || !strings.EqualFold(login.Get("AuthType"), "md5") || len(login.Get("Key")) != 32 {
					t.Errorf("md5 Login = %v", login)
				}
				ch, err := srv.WaitAction(testCtx(t), "Challenge")
				if err != nil || ch.Action.Get("AuthType") != "MD5" {
					t.Errorf("Challenge = %v, %v", ch.Action, err)
				}
			}
			want := tt.events
			if want == "" {
				want = "off" // no events unless asked for
			}
			if v := login.Values("Events"); len(v) != 1 || v[0] != want {
				t.Errorf("Events headers = %q; want %q", v, want)
			}
			if err := ping(testCtx(t), c); err != nil {
				t.Fatal(err)
			}
			if tt.events == "on" {
				evs, err := c.NextEvents(testCtx(t), nil)
				if err != nil || evs[0].Get("Event") != "FullyBooted" {
					t.Errorf("first event %v, %v; want FullyBooted", evs, err)
				}
			}
			if err := c.Logoff(testCtx(t)); err != nil {
				t.Errorf("Logoff: %v", err)
			}
			<-c.Done()
			if err := c.Err(); err != nil {
				t.Errorf("Err after a clean Logoff = %v, want nil", err)
			}
			// Queued events are still handed out, then the end.
			var nerr error
			for i := 0; i < 100 && nerr == nil; i++ {
				_, nerr = c.NextEvents(testCtx(t), nil)
			}
			if !errors.Is(nerr, amiwire.ErrClosed) {
				t.Errorf("NextEvents after Logoff = %v, want ErrClosed", nerr)
			}
		})
	}
}

func TestDialBadSecret(t *testing.T) {
	for _, challenge := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "md5"}[challenge], func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			_, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "wrong-pw", Challenge: challenge})
			var ce *amiwire.ConnectError
			var ae *amiwire.ActionError
			if !errors.As(err, &ce) || ce.Stage != amiwire.StageLogin || ce.Addr != srv.Addr() {
				t.Fatalf("err = %v, want *ConnectError at login", err)
			}
			if !errors.As(err, &ae) || ae.Action != "Login" || ae.Message != "Authentication failed" ||
				ae.Response.Get("Response") != "Error" || ae.ActionID == "" || ae.Response.Get("ActionID") != ae.ActionID {
				t.Fatalf("err = %v (%+v), want the *ActionError of the Login, with its response", err, ae)
			}
			if strings.Contains(err.Error(), "wrong-pw") {
				t.Errorf("secret in error text: %v", err)
			}
		})
	}
}

func TestDialFailures(t *testing.T) {
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()

	// silent accepts and reads, never writes; the test's end closes it.
	silent := func(t *testing.T, banner string) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			io.WriteString(c, banner)
			io.Copy(io.Discard, c)
		}()
		t.Cleanup(func() { ln.Close(); <-done })
		return ln.Addr().String()
	}
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 300*time.Millisecond)
	}

	tests := []struct {
		name  string
		addr  func(t *testing.T) string
		ctx   func() (context.Context, context.CancelFunc)
		stage string
		check func(err error) bool
	}{
		{"refused", func(*testing.T) string { return refused }, short, amiwire.StageConnect,
			func(err error) bool {
				return errors.Is(err, syscall.ECONNREFUSED) && strings.HasPrefix(err.Error(), "connect "+refused+": ")
			}},
		{"no banner", func(t *testing.T) string { return silent(t, "") }, short, amiwire.StageBanner,
			func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
		{"login never answered", func(t *testing.T) string { return silent(t, "Asterisk Call Manager/11.0.0\r\n") }, short, amiwire.StageLogin,
			func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
		{"cancelled", func(t *testing.T) string { return silent(t, "") }, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, amiwire.StageBanner, func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"foreign banner", func(t *testing.T) string {
			return newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultBadBanner}}}).Addr()
		}, short, amiwire.StageBanner, func(err error) bool {
			var pe *amiwire.ProtocolError
			return errors.As(err, &pe)
		}},
		{"closed after login", func(t *testing.T) string {
			return newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultCloseAfterLogin}}}).Addr()
		}, short, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			c, err := amiwire.Dial(ctx, amiwire.Config{Addr: tt.addr(t), Username: "admin", Secret: secret})
			if tt.stage == "" {
				// Login succeeded; the connection ends right after.
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				<-c.Done()
				if err := ping(ctx, c); !errors.Is(err, amiwire.ErrClosed) {
					t.Errorf("Ping on a closed connection: %v", err)
				}
				return
			}
			var ce *amiwire.ConnectError
			if !errors.As(err, &ce) || ce.Stage != tt.stage {
				t.Fatalf("err = %v, want *ConnectError at %s", err, tt.stage)
			}
			if !tt.check(err) {
				t.Errorf("err = %v: wrong cause", err)
			}
		})
	}
}

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	c, err := amitest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	return c.Cert, c.Pool
}

func TestDialTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveReplay(t, ln, "tls-login.server.ami", stepwise)

	c, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: addr, Username: "admin", Secret: secret, TLS: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := ping(testCtx(t), c); err != nil {
		t.Fatal(err)
	}
	if err := c.Logoff(testCtx(t)); err != nil {
		t.Fatal(err)
	}

	// The system roots do not know our certificate.
	_, err = amiwire.Dial(testCtx(t), amiwire.Config{Addr: addr, Username: "admin", Secret: secret, TLS: &tls.Config{}})
	var ce *amiwire.ConnectError
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ce) || ce.Stage != amiwire.StageTLS || !errors.As(err, &ve) {
		t.Fatalf("untrusted certificate: err = %v", err)
	}
}

// bigList answers action "BigList" with Count items "Event: BigItem",
// "Seq: <n>", and a BigListComplete.
func bigList(s *amitest.Session, a amiwire.Packet) {
	n, _ := strconv.Atoi(a.Get("Count"))
	lw := s.StartList(a, "Result will follow")
	for i := 0; i < n; i++ {
		if lw.Item(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "BigItem"}, {Key: "Seq", Value: strconv.Itoa(i)}}}) != nil {
			return
		}
	}
	lw.Complete("BigListComplete")
}

func TestStreamHugeList(t *testing.T) {
	const n = 100000
	const limit = 64 << 10
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{"BigList": bigList}})
	c := dial(t, srv, amiwire.Config{Events: "off", EventBuffer: limit})
	ctx := testCtx(t)
	p, err := c.Send(ctx, amiwire.NewAction("BigList", "Count", strconv.Itoa(n)))
	if err != nil {
		t.Fatal(err)
	}
	seq, held := 0, 0
	resp, err := p.Stream(ctx, func(ev amiwire.Packet) error {
		if got := ev.Get("Seq"); got != strconv.Itoa(seq) {
			return fmt.Errorf("item %d has Seq %s", seq, got)
		}
		seq++
		held = max(held, amiwire.ItemBytes(p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seq != n || resp.Events != nil || resp.Final == nil || amiwire.ListItems(*resp.Final) != n {
		t.Fatalf("%d items, Events %d, Final %v", seq, len(resp.Events), resp.Final)
	}
	// The reader waits once more than limit bytes are unread.
	if held > limit+200 {
		t.Errorf("up to %d bytes of items held, limit %d", held, limit)
	}
	t.Logf("at most %d bytes of unread items held", held)

	// A callback error stops the stream; the rest of the list is
	// discarded and the connection goes on.
	stop := errors.New("enough")
	count := 0
	_, err = c.Stream(ctx, amiwire.NewAction("BigList", "Count", "5000"), func(amiwire.Packet) error {
		count++
		if count == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || count != 10 {
		t.Fatalf("err = %v after %d items", err, count)
	}
	resp, err = c.Do(ctx, amiwire.NewAction("BigList", "Count", "3"))
	if err != nil || len(resp.Events) != 3 {
		t.Fatalf("Do after an abandoned stream: %v, %v", resp, err)
	}
	if q := c.ConnState().EventsQueued; q != 0 {
		t.Errorf("%d list items leaked into the async queue", q)
	}
}

func TestListMixedWithAsyncEvents(t *testing.T) {
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
		"Mixed": func(s *amitest.Session, a amiwire.Packet) {
			id := a.Get("ActionID")
			s.WriteRaw([]byte("Response: Success\r\nActionID: " + id + "\r\nEventList: start\r\nMessage: Things will follow\r\n\r\n" +
				"Event: Thing\r\nActionID: " + id + "\r\nN: 1\r\n\r\n" +
				"Event: Newchannel\r\nPrivilege: call,all\r\n\r\n" +
				"Event: Thing\r\nN: 2\r\nActionID: " + id + "\r\n\r\n" +
				"Event: OriginateResponse\r\nActionID: someone-else\r\nResponse: Success\r\n\r\n" +
				"Event: ThingsComplete\r\nActionID: " + id + "\r\nEventList: Complete\r\nListItems: 2\r\n\r\n"))
		},
	}})
	srv.Handle("Early", func(s *amitest.Session, a amiwire.Packet) {
		// Events with the ActionID may even come before the response.
		id := a.Get("ActionID")
		s.WriteRaw([]byte("Event: Thing\r\nActionID: " + id + "\r\nN: 0\r\n\r\n" +
			"Response: Success\r\nActionID: " + id + "\r\nMessage: Result will follow\r\n\r\n" +
			"Event: ThingsComplete\r\nActionID: " + id + "\r\nListItems: 1\r\n\r\n"))
	})
	srv.Handle("EarlyPlain", func(s *amitest.Session, a amiwire.Packet) {
		s.WriteRaw([]byte("Event: OriginateResponse\r\nActionID: " + a.Get("ActionID") + "\r\nResponse: Failure\r\n\r\n" +
			"Response: Success\r\nActionID: " + a.Get("ActionID") + "\r\n\r\n"))
	})
	// Events on (but no class the server sends by itself): an event without
	// ActionID amid a list is an async event then.
	c := dial(t, srv, amiwire.Config{Events: "user"})
	resp, err := c.Do(testCtx(t), amiwire.NewAction("Early"))
	if err != nil || len(resp.Events) != 1 || resp.Events[0].Get("N") != "0" || resp.Final == nil {
		t.Fatalf("early list item: %+v, %v", resp, err)
	}
	if resp, err := c.Do(testCtx(t), amiwire.NewAction("EarlyPlain")); err != nil || resp.Events != nil {
		t.Fatalf("plain response after an event: %+v, %v", resp, err)
	}
	if evs, err := c.NextEvents(testCtx(t), nil); err != nil || len(evs) != 1 || evs[0].Get("Event") != "OriginateResponse" {
		t.Fatalf("async = %v, %v", evs, err)
	}
	resp, err = c.Do(testCtx(t), amiwire.NewAction("Mixed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Events) != 2 || resp.Events[0].Get("N") != "1" || resp.Events[1].Get("N") != "2" {
		t.Errorf("list = %v", resp.Events)
	}
	evs, err := c.NextEvents(testCtx(t), nil)
	if err != nil || len(evs) != 2 || evs[0].Get("Event") != "Newchannel" || evs[1].Get("Event") != "OriginateResponse" {
		t.Errorf("async = %v, %v", evs, err)
	}
}

func TestListCutShort(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			srv := newServer(t, amitest.Options{
				Handlers: map[string]amitest.Handler{"BigList": bigList},
				Faults:   []amitest.Fault{{Kind: amitest.FaultCloseMidList, Size: 3}},
			})
			c := dial(t, srv, amiwire.Config{Events: "off"})
			a := amiwire.NewAction("BigList", "Count", "10")
			var resp *amiwire.Response
			var err error
			got := 0
			if stream {
				resp, err = c.Stream(testCtx(t), a, func(amiwire.Packet) error { got++; return nil })
			} else {
				resp, err = c.Do(testCtx(t), a)
				if resp != nil {
					got = len(resp.Events)
				}
			}
			var ile *amiwire.IncompleteListError
			if !errors.As(err, &ile) || ile.Cancelled || ile.Received != 3 || !errors.Is(err, amiwire.ErrClosed) {
				t.Fatalf("err = %v, want *IncompleteListError wrapping ErrClosed", err)
			}
			if resp == nil || got != 3 || resp.Final != nil {
				t.Fatalf("resp = %+v with %d items, want 3", resp, got)
			}
			<-c.Done()
		})
	}
}

func TestListCancelled(t *testing.T) {
	srv := newServer(t, amitest.Options{Handlers: map[string]amitest.Handler{
		"Cancel": func(s *amitest.Session, a amiwire.Packet) {
			id := a.Get("ActionID")
			s.WriteRaw([]byte("Response: Success\r\nActionID: " + id + "\r\nMessage: Result will follow\r\n\r\n" +
				"Event: Thing\r\nActionID: " + id + "\r\n\r\n" +
				"Event: Thing\r\nActionID: " + id + "\r\n\r\n" +
				"Event: ThingList\r\nActionID: " + id + "\r\nEventList: Cancelled\r\n\r\n"))
		},
	}})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	resp, err := c.Do(testCtx(t), amiwire.NewAction("Cancel"))
	var ile *amiwire.IncompleteListError
	if !errors.As(err, &ile) || !ile.Cancelled || ile.Received != 2 || ile.Expected != -1 {
		t.Fatalf("err = %v, want a cancelled *IncompleteListError", err)
	}
	if resp == nil || len(resp.Events) != 2 || resp.Final == nil || resp.Final.Get("EventList") != "Cancelled" {
		t.Fatalf("resp = %+v", resp)
	}
	if err := ping(testCtx(t), c); err != nil {
		t.Errorf("Ping after a cancelled list: %v", err)
	}
}

func TestNoAnswerTimeout(t *testing.T) {
	srv := newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Ping"}}})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := ping(ctx, c)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Ping") {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	// The connection is still good.
	resp, err := c.Do(testCtx(t), amiwire.NewAction("Events", "EventMask", "off"))
	if err != nil || resp.Packet.Get("Events") != "Off" {
		t.Fatalf("Events after a timeout: %v, %v", resp, err)
	}
}

func TestResponseWithoutActionID(t *testing.T) {
	addr := replayServer(t, "login-plain.server.ami", func(f *fakeConn) {
		a, err := f.readAction()
		if err != nil {
			return
		}
		f.conn.Write(rewrite(f.tr.pkts[0], "login-1", a.Get("ActionID")))
		for i := 0; i < 2; i++ {
			if _, err := f.readAction(); err != nil {
				return
			}
		}
		f.conn.Write([]byte("Response: Success\r\nMessage: first\r\n\r\nResponse: Success\r\nMessage: second\r\n\r\n"))
		io.Copy(io.Discard, f.conn)
	})
	c, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: addr, Username: "admin", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p1, err1 := c.Send(testCtx(t), amiwire.NewAction("One"))
	p2, err2 := c.Send(testCtx(t), amiwire.NewAction("Two"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	r2, err := p2.Wait(testCtx(t))
	if err != nil || r2.Packet.Get("Message") != "second" {
		t.Fatalf("second = %v, %v", r2, err)
	}
	r1, err := p1.Wait(testCtx(t))
	if err != nil || r1.Packet.Get("Message") != "first" {
		t.Fatalf("first = %v, %v", r1, err)
	}
}

// rawEvents returns n events of identical size, "Seq: 00000" onwards, and
// what each counts against Config.EventBuffer once read.
func rawEvents(n int) (b []byte, held int) {
	for i := 0; i < n; i++ {
		b = fmt.Appendf(b, "Event: Test\r\nPrivilege: user,all\r\nSeq: %05d\r\n\r\n", i)
	}
	p, err := amiwire.NewReader(bytes.NewReader(b)).ReadPacket()
	if err != nil {
		panic(err)
	}
	return b, amiwire.HeldSize(p)
}

func TestOverflowDrop(t *testing.T) {
	const keep, n = 10, 25
	all, size := rawEvents(n)
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "off", EventBuffer: keep * size, DropWhenFull: true})
	srv.EmitRaw(all)
	// The Ping's answer comes after the events: once it is here, every
	// event has been queued or dropped.
	if err := ping(testCtx(t), c); err != nil {
		t.Fatal(err)
	}
	before := c.ConnState()
	if q, d := before.EventsQueued, before.EventsDropped; q != keep || d != n-keep {
		t.Fatalf("EventsQueued %d, EventsDropped %d; want %d, %d", q, d, keep, n-keep)
	}
	if before.Banner == "" || before.RemoteAddr == nil {
		t.Errorf("ConnState lost what Dial found out: %+v", before)
	}
	evs, err := c.NextEvents(testCtx(t), nil)
	if err != nil || len(evs) != keep {
		t.Fatalf("NextEvents: %d, %v", len(evs), err)
	}
	if q := c.ConnState().EventsQueued; q != 0 || before.EventsQueued != keep {
		t.Errorf("after NextEvents: EventsQueued %d now, %d in the earlier ConnState; want 0, %d", q, before.EventsQueued, keep)
	}
	for i, ev := range evs {
		if ev.Get("Seq") != fmt.Sprintf("%05d", i) {
			t.Errorf("event %d has Seq %s", i, ev.Get("Seq"))
		}
	}
	// Room again: the next ones are kept.
	srv.EmitRaw(all[:len(all)/n])
	if err := ping(testCtx(t), c); err != nil {
		t.Fatal(err)
	}
	if st := c.ConnState(); st.EventsQueued != 1 || st.EventsDropped != n-keep {
		t.Errorf("EventsQueued %d, EventsDropped %d after draining; want 1, %d", st.EventsQueued, st.EventsDropped, n-keep)
	}
}

// queueFull reports, without blocking the read loop, each time c's read
// loop waits for room in its full event queue.
func queueFull(c *amiwire.Client) <-chan struct{} {
	full := make(chan struct{}, 1)
	amiwire.OnQueueFull(c, func() {
		select {
		case full <- struct{}{}:
		default:
		}
	})
	return full
}

// waitFull waits for a report of queueFull, failing the test at its
// deadline.
func waitFull(t *testing.T, c *amiwire.Client, full <-chan struct{}) {
	t.Helper()
	select {
	case <-full:
	case <-testCtx(t).Done():
		t.Fatalf("the reader never waited for room (%d events queued)", c.ConnState().EventsQueued)
	}
}

func TestOverflowBlock(t *testing.T) {
	const keep, n = 10, 500
	all, size := rawEvents(n)
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "off", EventBuffer: keep * size})
	full := queueFull(c)
	srv.EmitRaw(all)
	waitFull(t, c, full) // the reader holds events that do not fit and waits for room
	if st := c.ConnState(); st.EventsQueued != keep || st.EventsDropped != 0 {
		t.Fatalf("EventsQueued %d, EventsDropped %d; want %d, 0", st.EventsQueued, st.EventsDropped, keep)
	}
	var got []amiwire.Packet
	for i := 0; i < n && len(got) < n; i++ {
		evs, err := c.NextEvents(testCtx(t), got)
		if err != nil {
			t.Fatal(err)
		}
		got = evs
	}
	for i, ev := range got {
		if ev.Get("Seq") != fmt.Sprintf("%05d", i) {
			t.Fatalf("event %d has Seq %s", i, ev.Get("Seq"))
		}
	}
	if len(got) != n || c.ConnState().EventsDropped != 0 {
		t.Fatalf("%d events, EventsDropped %d", len(got), c.ConnState().EventsDropped)
	}
	if err := ping(testCtx(t), c); err != nil {
		t.Fatal(err)
	}
}

func TestTraceMasksSecrets(t *testing.T) {
	for _, challenge := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "md5"}[challenge], func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			var trace syncBuffer
			c := dial(t, srv, amiwire.Config{Challenge: challenge, Trace: &trace})
			// A server that echoes secrets back is masked too.
			srv.EmitRaw([]byte("Event: Leak\r\nSecret: " + secret + "\r\nkey: " + secret + "\r\n\r\n"))
			if _, err := c.Do(testCtx(t), amiwire.NewAction("Ping", "Secret", secret)); err != nil {
				t.Fatal(err)
			}
			if err := c.Logoff(testCtx(t)); err != nil {
				t.Fatal(err)
			}
			out := trace.String()
			if strings.Contains(out, secret) {
				t.Errorf("secret in trace:\n%s", out)
			}
			must := []string{"< Asterisk Call Manager/11.0.0\n", "> Action: Login\n", "< Response: Success\n",
				"\n>\n", "\n<\n", "< Secret: ***\n", "< key: ***\n", "< Response: Goodbye\n"}
			if challenge {
				must = append(must, "> Action: Challenge\n", "> Key: ***\n")
				i := strings.Index(out, "< Challenge: ")
				if i < 0 {
					t.Fatalf("no challenge in trace:\n%s", out)
				}
				challenge, _, _ := strings.Cut(out[i+len("< Challenge: "):], "\n")
				sum := md5.Sum([]byte(challenge + secret))
				if key := hex.EncodeToString(sum[:]); strings.Contains(out, key) {
					t.Errorf("MD5 key %s in trace", key)
				}
			} else {
				must = append(must, "> Secret: ***\n")
			}
			for _, s := range must {
				if !strings.Contains(out, s) {
					t.Errorf("trace lacks %q:\n%s", s, out)
				}
			}
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if l != ">" && l != "<" && !strings.HasPrefix(l, "> ") && !strings.HasPrefix(l, "< ") {
					t.Errorf("trace line %q", l)
				}
			}
		})
	}
}

func TestConcurrentSend(t *testing.T) {
	const workers, each = 32, 25
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx := testCtx(t)
	var wg sync.WaitGroup
	ids := make(chan string, workers*each)
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				resp, err := c.Do(ctx, amiwire.NewAction("Ping"))
				if err != nil {
					errs <- err
					return
				}
				ids <- resp.Packet.Get("ActionID")
			}
		}()
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("ActionID %q empty or seen twice", id)
		}
		seen[id] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d answers", len(seen))
	}
	// A duplicate ActionID in flight is refused.
	srv.SetFaults(amitest.Fault{Kind: amitest.FaultNoAnswer, Action: "Ping"})
	if _, err := c.Send(ctx, amiwire.NewAction("Ping", "ActionID", "dup")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx, amiwire.NewAction("Ping", "ActionID", "dup")); err == nil {
		t.Fatal("second action with ActionID dup in flight was sent")
	}
}

func TestSendInvalidWritesNothing(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	_, err := c.Send(testCtx(t), amiwire.NewAction("Ping", "X", "a\r\nAction: Originate"))
	var fe *amiwire.FieldError
	if !errors.As(err, &fe) || fe.Key != "X" {
		t.Fatalf("err = %v, want *FieldError", err)
	}
	if err := ping(testCtx(t), c); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range srv.Requests() {
		names = append(names, r.Action.Get("Action"))
	}
	if got := strings.Join(names, ","); got != "Login,Ping" {
		t.Errorf("server received %s", got)
	}
}

func TestCloseUnblocksWaiters(t *testing.T) {
	srv := newServer(t, amitest.Options{
		Handlers: map[string]amitest.Handler{"BigList": func(s *amitest.Session, a amiwire.Packet) {
			id := a.Get("ActionID")
			s.WriteRaw([]byte("Response: Success\r\nActionID: " + id + "\r\nMessage: Result will follow\r\n\r\n" +
				"Event: Thing\r\nActionID: " + id + "\r\n\r\n"))
		}},
		Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Ping"}},
	})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx := testCtx(t)
	p, err := c.Send(ctx, amiwire.NewAction("Ping"))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	go func() { _, err := c.Do(ctx, amiwire.NewAction("Ping")); errs <- err }()
	go func() { _, err := p.Wait(ctx); errs <- err }()
	go func() { _, err := c.NextEvents(ctx, nil); errs <- err }()
	listStarted := make(chan struct{})
	go func() {
		_, err := c.Stream(ctx, amiwire.NewAction("BigList"), func(amiwire.Packet) error { close(listStarted); return nil })
		errs <- err
	}()
	<-listStarted
	if _, err := srv.WaitRequest(ctx, func(r amitest.Request) bool { return r.Seq >= 3 }); err != nil {
		t.Fatal(err)
	}
	c.Close()
	for i := 0; i < 4; i++ {
		if err := <-errs; !errors.Is(err, amiwire.ErrClosed) {
			t.Errorf("waiter returned %v, want ErrClosed", err)
		}
	}
	<-c.Done()
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err after our own Close = %v, want nil", err)
	}
	if _, err := c.Send(ctx, amiwire.NewAction("Ping")); !errors.Is(err, amiwire.ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
}

func TestServerClosesMidPacket(t *testing.T) {
	srv := newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultCloseMidPacket, Action: "Ping"}}})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	err := ping(testCtx(t), c)
	var pe *amiwire.ProtocolError
	if !errors.Is(err, amiwire.ErrClosed) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want ErrClosed and *ProtocolError", err)
	}
	<-c.Done()
	if !errors.Is(c.Err(), amiwire.ErrClosed) {
		t.Errorf("Err = %v", c.Err())
	}
	if _, err := c.NextEvents(testCtx(t), nil); !errors.Is(err, amiwire.ErrClosed) {
		t.Errorf("NextEvents = %v", err)
	}
}

func TestNextEventsContext(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := c.NextEvents(ctx, nil); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	// Buffer reuse: an empty dst with capacity is handed back filled.
	srv.EmitRaw([]byte("Event: A\r\n\r\nEvent: B\r\n\r\n"))
	buf := make([]amiwire.Packet, 0, 16)
	var got []amiwire.Packet
	for i := 0; i < 10 && len(got) < 2; i++ {
		evs, err := c.NextEvents(testCtx(t), buf[:0])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, evs...)
	}
	if len(got) != 2 || got[0].Get("Event") != "A" || got[1].Get("Event") != "B" {
		t.Fatalf("got %v", got)
	}
}

// TestLendEvents floods a client with Config.Lend with events while
// actions go back and forth: every event arrives intact and in order
// (checked before the next NextEvents gives it back) or is counted as
// dropped (a full queue drops events while an answer is due, rather than
// hold it up), and the responses, which must outlive the reused memory,
// stay intact after the flood.
func TestLendEvents(t *testing.T) {
	const n = 60000
	all, _ := rawEvents(n)
	srv := newServer(t, amitest.Options{})
	c := dial(t, srv, amiwire.Config{Events: "user", EventBuffer: 8 << 10, Lend: true}) // few chunks in flight: each is soon reused
	srv.EmitRaw(all)
	var pings []*amiwire.Pending
	batch := make([]amiwire.Packet, 0, 64)
	got, last := 0, -1
	take := func(end string) {
		for {
			evs, err := c.NextEvents(testCtx(t), batch[:0])
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				s := ev.Complete(nil).Get("Seq")
				if s == end {
					return
				}
				k, err := strconv.Atoi(s)
				if err != nil || k <= last || !bytes.HasSuffix(ev.Raw, []byte("Seq: "+s+"\r\n\r\n")) {
					t.Fatalf("event after %d: %q", last, ev.Raw)
				}
				last = k
				got++
			}
			clear(evs)
			batch = evs[:0]
			if end == "" {
				return
			}
		}
	}
	take("") // a batch, then pings while the flood goes on
	for range 20 {
		p, err := c.Send(testCtx(t), amiwire.NewAction("Ping"))
		if err != nil {
			t.Fatal(err)
		}
		pings = append(pings, p)
	}
	var resps []*amiwire.Response
	for _, p := range pings {
		r, err := p.Wait(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		resps = append(resps, r)
	}
	// Every answer has come: nothing is dropped from now on.
	srv.EmitRaw([]byte("Event: Test\r\nSeq: end\r\n\r\n"))
	take("end")
	if dropped := int(c.ConnState().EventsDropped); got+dropped != n {
		t.Fatalf("%d events and %d dropped; want %d in all", got, dropped, n)
	}
	srv.EmitRaw(all) // more reading, into reused memory
	for got := 0; got < n; {
		evs, err := c.NextEvents(testCtx(t), batch[:0])
		if err != nil {
			t.Fatal(err)
		}
		got += len(evs)
		clear(evs)
		batch = evs[:0]
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if evs, err := c.NextEvents(done, batch[:0]); len(evs) > 0 { // releases the last batch
		t.Fatalf("%d events after the second flood (%v)", len(evs), err)
	}
	for i, r := range resps {
		if r.Packet.Get("Response") != "Success" || r.Packet.Get("Ping") != "Pong" || !bytes.HasPrefix(r.Packet.Raw, []byte("Response: Success\r\n")) {
			t.Fatalf("ping %d's response changed: %q", i, r.Packet.Raw)
		}
	}
}
