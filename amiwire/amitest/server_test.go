package amitest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

func TestLoginPlain(t *testing.T) {
	srv := NewServer(t, Options{Users: []User{{Name: "admin", Secret: "s3cret"}}})
	c := dial(t, srv.Addr())
	if c.ban != DefaultBanner {
		t.Fatalf("banner %q", c.ban)
	}
	r := c.login("admin", "s3cret")
	if r.Get("Response") != "Success" || r.Get("Message") != "Authentication accepted" || r.Get("ActionID") != "login-1" {
		t.Fatalf("login: %v", r)
	}
	fb := c.read()
	if fb.Get("Event") != "FullyBooted" || fb.Get("Privilege") != "system,all" {
		t.Fatalf("want FullyBooted, got %v", fb)
	}
	sa := c.read()
	if sa.Get("Event") != "SuccessfulAuth" || sa.Get("AccountID") != "admin" {
		t.Fatalf("want SuccessfulAuth, got %v", sa)
	}
	p := c.do("Ping", "ActionID", "ping-2")
	if p.Get("Ping") != "Pong" || p.Get("ActionID") != "ping-2" || !p.Has("Timestamp") || p.Has("Message") {
		t.Fatalf("ping: %v", p)
	}
	g := c.do("Logoff", "ActionID", "logoff-3")
	if g.Get("Response") != "Goodbye" || g.Get("Message") != "Thanks for all the fish." {
		t.Fatalf("logoff: %v", g)
	}
	c.expectEOF()
	if err := srv.WaitForSessions(ctxT(t), 0); err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(srv.Requests()[0].Action.Get("Action"), "Login") {
		t.Fatal("requests not recorded")
	}
}

func TestLoginTable(t *testing.T) {
	tests := []struct {
		name    string
		md5     bool
		user    string
		secret  string
		noChall bool
		ok      bool
	}{
		{"plain", false, "admin", "s3cret", false, true},
		{"plain bad secret", false, "admin", "nope", false, false},
		{"unknown user", false, "ghost", "s3cret", false, false},
		{"md5", true, "admin", "s3cret", false, true},
		{"md5 bad secret", true, "admin", "nope", false, false},
		{"md5 without challenge", true, "admin", "s3cret", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, Options{Users: fixtureUsers})
			c := dial(t, srv.Addr())
			var r amiwire.Packet
			if tt.md5 {
				ch := "12345"
				if !tt.noChall {
					cr := c.do("Challenge", "ActionID", "c1", "AuthType", "MD5")
					ch = cr.Get("Challenge")
					if ch == "" || strings.Trim(ch, "0123456789") != "" || cr.Has("Message") {
						t.Fatalf("challenge: %v", cr)
					}
				}
				r = c.do("Login", "ActionID", "l1", "AuthType", "md5", "Username", tt.user, "Key", md5hex(ch+tt.secret))
			} else {
				r = c.login(tt.user, tt.secret)
			}
			if !tt.ok {
				if !strings.EqualFold(r.Get("Response"), "Error") || r.Get("Message") != "Authentication failed" {
					t.Fatalf("bad login: %v", r)
				}
				if rest := c.expectEOF(); len(rest) != 0 {
					t.Fatalf("after a failed login: %v", names(rest))
				}
				return
			}
			if r.Get("Message") != "Authentication accepted" {
				t.Fatalf("login: %v", r)
			}
			if p := c.do("Ping"); p.Get("Ping") != "Pong" {
				t.Fatal(p)
			}
		})
	}
}

func TestBeforeLogin(t *testing.T) {
	srv := NewServer(t, Options{})
	c := dial(t, srv.Addr())
	for _, a := range []string{"Ping", "Originate", "NoSuchAction", "Events"} {
		if r := c.do(a, "ActionID", "x"); r.Get("Message") != "Permission denied" || r.Get("ActionID") != "x" {
			t.Fatalf("%s before login: %v", a, r)
		}
	}
	if r := c.do("Challenge", "AuthType", "plain"); r.Get("Message") != "Must specify AuthType" {
		t.Fatal(r)
	}
	if r := c.do("Logoff"); r.Get("Response") != "Goodbye" {
		t.Fatal(r)
	}
	c.expectEOF()
}

func TestHandlersAndPermissions(t *testing.T) {
	srv := NewServer(t, Options{Users: fixtureUsers, Handlers: map[string]Handler{
		"originate": func(s *Session, a amiwire.Packet) { s.Success(a, "Message", "ok") },
		"Custom":    func(s *Session, a amiwire.Packet) { s.Success(a, "Who", s.Username()) },
	}})
	srv.HandlePerm("Secret", "config", func(s *Session, a amiwire.Packet) { s.Success(a) })
	tests := []struct {
		user, secret, action, want string
		security                   bool // expect RequestNotAllowed
	}{
		{"admin", "s3cret", "ORIGINATE", "ok", false},
		{"admin", "s3cret", "custom", "", false},
		{"reader", "r3ader", "Originate", "Permission denied", false},
		{"nowrite", "n0write", "Originate", "Permission denied", true},
		{"nowrite", "n0write", "Secret", "Permission denied", true},
		{"nowrite", "n0write", "Custom", "", false},
		{"spacey", "sp4cey", "Ping", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.action, func(t *testing.T) {
			c := dial(t, srv.Addr())
			c.login(tt.user, tt.secret)
			c.send(tt.action, "ActionID", "a1")
			r, _ := c.readResponse()
			if r.Get("Message") != tt.want || r.Get("ActionID") != "a1" {
				t.Fatalf("%v", r)
			}
			if tt.action == "custom" && r.Get("Who") != tt.user {
				t.Fatalf("%v", r)
			}
			c.send("Ping", "ActionID", "barrier")
			_, evs := c.readResponse()
			sec := false
			for _, e := range evs {
				sec = sec || e.Get("Event") == "RequestNotAllowed"
			}
			if sec != tt.security {
				t.Fatalf("RequestNotAllowed %v, want %v (events %v)", sec, tt.security, names(evs))
			}
		})
	}
}

// TestEventDelivery checks which injected events a session gets, by the
// login Events header, the Events action and the user's read permission.
func TestEventDelivery(t *testing.T) {
	srv := NewServer(t, Options{Users: fixtureUsers})
	emit := func() {
		for _, ev := range []struct{ name, priv string }{
			{"Sys", "system,all"}, {"Call", "call,all"}, {"User", "user,all"}, {"Sec", "security,all"},
			{"CallDial", "call,dialplan,all"}, {"NoPriv", ""},
		} {
			p := amiwire.Packet{}
			p.Add("Event", ev.name)
			if ev.priv != "" {
				p.Add("Privilege", ev.priv)
			}
			srv.Emit(p)
		}
	}
	tests := []struct {
		name, user, secret string
		login              []string // extra login headers
		mask               string   // Events action EventMask, "" = none sent
		want               string
	}{
		{"default on", "admin", "s3cret", nil, "", "Sys,Call,User,Sec,CallDial,NoPriv"},
		{"events off", "admin", "s3cret", []string{"Events", "off"}, "", ""},
		{"events user", "admin", "s3cret", []string{"Events", "user"}, "", "User,NoPriv"},
		{"events call,system", "admin", "s3cret", []string{"Events", "call,system"}, "", "Sys,Call,NoPriv"},
		{"events call,dialplan", "admin", "s3cret", []string{"Events", "call, dialplan"}, "", "Call,CallDial,NoPriv"},
		{"events numeric", "admin", "s3cret", []string{"Events", "64"}, "", "User,NoPriv"},
		{"action off", "admin", "s3cret", nil, "off", ""},
		{"action on after off", "admin", "s3cret", []string{"Events", "off"}, "on", "Sys,Call,User,Sec,CallDial,NoPriv"},
		{"read permission", "reader", "r3ader", nil, "", "Sys,Call,NoPriv"},
		{"read system only", "spacey", "sp4cey", nil, "", "Sys,NoPriv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, srv.Addr())
			c.login(tt.user, tt.secret, tt.login...)
			if tt.mask != "" {
				want := "On"
				if tt.mask == "off" {
					want = "Off"
				}
				if r := c.do("Events", "ActionID", "e", "EventMask", tt.mask); r.Get("Events") != want || r.Has("Message") {
					t.Fatalf("Events: %v", r)
				}
			}
			c.do("Ping", "ActionID", "sync") // drain login events
			emit()
			c.send("Ping", "ActionID", "barrier")
			_, evs := c.readResponse()
			if got := strings.Join(names(evs), ","); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			c.do("Logoff")
			c.expectEOF()
			if err := srv.WaitForSessions(ctxT(t), 0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	srv := NewServer(t, Options{})
	tests := []struct {
		filters []string
		want    string
	}{
		{nil, "Newchannel,Hangup,VarSet"},
		{[]string{"Event: Newchannel"}, "Newchannel"},
		{[]string{"Event: Newchannel", "Event: Hangup"}, "Newchannel,Hangup"},
		{[]string{"!Event: VarSet"}, "Newchannel,Hangup"},
		{[]string{"Channel: PJSIP/", "!Event: Hangup"}, "Newchannel,VarSet"},
		{[]string{"Cause: 16"}, "Hangup"},
		{[]string{`^Event: (Hangup|VarSet)\s`}, "Hangup,VarSet"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.filters, "+"), func(t *testing.T) {
			c := dial(t, srv.Addr())
			c.login("admin", "admin", "Events", "call,dialplan")
			for _, f := range tt.filters {
				if r := c.do("Filter", "Operation", "Add", "Filter", f); r.Get("Message") != "Success" {
					t.Fatalf("filter %q: %v", f, r)
				}
			}
			for _, ev := range []string{"Newchannel", "Hangup", "VarSet"} {
				p := amiwire.Packet{}
				p.Add("Event", ev)
				p.Add("Privilege", "call,all")
				p.Add("Channel", "PJSIP/100-00000001")
				if ev == "Hangup" {
					p.Add("Cause", "16")
				}
				srv.Emit(p)
			}
			c.send("Ping", "ActionID", "barrier")
			_, evs := c.readResponse()
			if got := strings.Join(names(evs), ","); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	c := dial(t, srv.Addr())
	c.login("admin", "admin")
	if r := c.do("Filter", "Operation", "Add", "Filter", "a("); r.Get("Message") != "Filter did not compile.  Check the syntax of the filter given." {
		t.Fatal(r)
	}
	if r := c.do("Filter", "Operation", "Del", "Filter", "a"); r.Get("Message") != "Unknown operation" {
		t.Fatal(r)
	}
}

func TestSendList(t *testing.T) {
	items := []amiwire.Packet{
		{Fields: []amiwire.Field{{Key: "Event", Value: "Item"}, {Key: "N", Value: "1"}}},
		{Fields: []amiwire.Field{{Key: "Event", Value: "Item"}, {Key: "N", Value: "2"}, {Key: "ActionID"}}},
	}
	srv := NewServer(t, Options{Handlers: map[string]Handler{
		"List": func(s *Session, a amiwire.Packet) {
			s.SendList(a, "Result will follow", items, "ListComplete", "Items", "2")
		},
	}})
	c := dial(t, srv.Addr())
	c.login("admin", "admin", "Events", "off")
	for _, id := range []string{"L1", ""} {
		if id != "" {
			c.send("List", "ActionID", id)
		} else {
			c.send("List")
		}
		var got []amiwire.Packet
		for i := 0; i < 4; i++ {
			got = append(got, c.read())
		}
		want := []string{
			"Response: Success\nActionID: L1\nEventList: start\nMessage: Result will follow\n",
			"Event: Item\nActionID: L1\nN: 1\n",
			"Event: Item\nN: 2\nActionID: L1\n",
			"Event: ListComplete\nActionID: L1\nEventList: Complete\nListItems: 2\nItems: 2\n",
		}
		for i := range want {
			w := want[i]
			if id == "" {
				w = strings.ReplaceAll(w, "ActionID: L1\n", "")
			}
			if got[i].String() != w {
				t.Errorf("packet %d: got\n%swant\n%s", i, got[i], w)
			}
		}
	}
}

func TestFaults(t *testing.T) {
	list := func(s *Session, a amiwire.Packet) {
		s.SendList(a, "Result will follow", []amiwire.Packet{
			{Fields: []amiwire.Field{{Key: "Event", Value: "Item"}}},
			{Fields: []amiwire.Field{{Key: "Event", Value: "Item"}}},
			{Fields: []amiwire.Field{{Key: "Event", Value: "Item"}}},
		}, "ItemsComplete")
	}
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, srv *Server, c *conn)
	}{
		{"close mid packet", Fault{Kind: FaultCloseMidPacket, Action: "Ping"}, func(t *testing.T, srv *Server, c *conn) {
			c.send("Ping")
			_, err := c.rd.ReadPacket()
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("want a cut packet, got %v", err)
			}
		}},
		{"stall", Fault{Kind: FaultStall}, func(t *testing.T, srv *Server, c *conn) {
			off := c.rd.Offset()
			c.send("Ping")
			c.c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			_, err := c.rd.ReadPacket()
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("want a timeout, got %v", err)
			}
			if c.rd.Offset() != off || srv.SessionCount() != 1 {
				t.Fatalf("offset %d, sessions %d", c.rd.Offset(), srv.SessionCount())
			}
		}},
		{"drip", Fault{Kind: FaultDrip}, func(t *testing.T, srv *Server, c *conn) {
			if p := c.do("Ping"); p.Get("Ping") != "Pong" {
				t.Fatal(p)
			}
		}},
		{"garbage", Fault{Kind: FaultGarbage, Action: "Ping"}, func(t *testing.T, srv *Server, c *conn) {
			// The garbage reads as bare text, which ends once the next
			// packet starts.
			c.send("Ping", "ActionID", "p1")
			c.send("Ping", "ActionID", "p2")
			p := c.read()
			if p.Has("Event") || p.Has("Response") || p.Has("Action") {
				t.Fatalf("want garbage, got %v", p)
			}
			if p, _ := c.readResponse(); p.Get("ActionID") != "p2" {
				t.Fatal(p)
			}
		}},
		{"oversized line", Fault{Kind: FaultOversizedLine, Action: "Ping"}, func(t *testing.T, srv *Server, c *conn) {
			c.send("Ping", "ActionID", "p1")
			_, err := c.rd.ReadPacket()
			var le *amiwire.ProtocolError
			if !errors.As(err, &le) || le.Limit == "" {
				t.Fatalf("want a limit error, got %v", err)
			}
			if p := c.read(); p.Get("ActionID") != "p1" {
				t.Fatal(p)
			}
		}},
		{"no answer", Fault{Kind: FaultNoAnswer, Action: "Ping"}, func(t *testing.T, srv *Server, c *conn) {
			c.send("Ping", "ActionID", "p1")
			c.send("Ping", "ActionID", "p2")
			if r := c.do("Events", "ActionID", "e1", "EventMask", "off"); r.Get("ActionID") != "e1" {
				t.Fatalf("want only the Events reply, got %v", r)
			}
			if _, err := srv.WaitRequest(ctxT(t), func(r Request) bool { return r.Action.Get("ActionID") == "p2" }); err != nil {
				t.Fatal(err)
			}
		}},
		{"close mid list", Fault{Kind: FaultCloseMidList}, func(t *testing.T, srv *Server, c *conn) {
			c.send("List", "ActionID", "l1")
			if got := names(c.expectEOF()); strings.Join(got, ",") != "Response:Success,Item" {
				t.Fatalf("got %v", got)
			}
		}},
		{"close mid list after 2", Fault{Kind: FaultCloseMidList, Size: 2}, func(t *testing.T, srv *Server, c *conn) {
			c.send("List", "ActionID", "l1")
			if got := names(c.expectEOF()); strings.Join(got, ",") != "Response:Success,Item,Item" {
				t.Fatalf("got %v", got)
			}
		}},
		{"close after answer in a batch", Fault{Kind: FaultCloseAfterAnswer, Skip: 1}, func(t *testing.T, srv *Server, c *conn) {
			var batch bytes.Buffer
			w := amiwire.NewWriter(&batch)
			for _, id := range []string{"1", "2", "3", "4"} {
				_ = w.WriteAction(amiwire.NewAction("Ping", "ActionID", id))
			}
			c.c.Write(batch.Bytes())
			got := c.expectEOF()
			if len(got) != 2 || got[0].Get("ActionID") != "1" || got[1].Get("ActionID") != "2" {
				t.Fatalf("got %v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, Options{Handlers: map[string]Handler{"List": list}})
			c := dial(t, srv.Addr())
			c.login("admin", "admin", "Events", "off")
			srv.SetFaults(tt.fault) // at run time, on the live session
			tt.check(t, srv, c)
		})
	}
}

func TestConnectFaults(t *testing.T) {
	t.Run("no banner", func(t *testing.T) {
		srv := NewServer(t, Options{Faults: []Fault{{Kind: FaultNoBanner}}})
		c := dialRaw(t, srv.Addr())
		c.send("Login", "Username", "admin", "Secret", "admin")
		if p := c.read(); p.Get("Message") != "Authentication accepted" {
			t.Fatal(p)
		}
	})
	t.Run("bad banner", func(t *testing.T) {
		srv := NewServer(t, Options{Faults: []Fault{{Kind: FaultBadBanner}}})
		c := dialRaw(t, srv.Addr())
		var pe *amiwire.ProtocolError
		if _, err := c.rd.ReadBanner(); !errors.As(err, &pe) {
			t.Fatalf("want a protocol error, got %v", err)
		}
	})
	t.Run("custom banner", func(t *testing.T) {
		srv := NewServer(t, Options{Banner: "Asterisk Call Manager/2.10.4"})
		if c := dial(t, srv.Addr()); c.ban != "Asterisk Call Manager/2.10.4" {
			t.Fatal(c.ban)
		}
	})
	t.Run("close after login", func(t *testing.T) {
		srv := NewServer(t, Options{Faults: []Fault{{Kind: FaultCloseAfterLogin}}})
		c := dial(t, srv.Addr())
		c.send("Login", "Username", "admin", "Secret", "admin")
		if got := names(c.expectEOF()); strings.Join(got, ",") != "Response:Success" {
			t.Fatal(got)
		}
	})
	t.Run("drip from the banner", func(t *testing.T) {
		srv := NewServer(t, Options{Faults: []Fault{{Kind: FaultDrip}}})
		c := dial(t, srv.Addr())
		if r := c.login("admin", "admin"); r.Get("Message") != "Authentication accepted" {
			t.Fatal(r)
		}
	})
	t.Run("per session via OnConnect", func(t *testing.T) {
		srv := NewServer(t, Options{OnConnect: func(s *Session) {
			if s.ID() == 2 {
				s.AddFault(Fault{Kind: FaultNoBanner})
			}
		}})
		dial(t, srv.Addr())
		c := dialRaw(t, srv.Addr())
		c.send("Ping")
		if p := c.read(); p.Get("Message") != "Permission denied" {
			t.Fatal(p)
		}
	})
}

func TestNonLoopbackRefused(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:5038"} {
		if _, err := New(Options{Addr: addr}); err == nil || !strings.Contains(err.Error(), "not loopback") {
			t.Errorf("%s: %v", addr, err)
		}
	}
	srv, err := New(Options{Addr: "localhost:0"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}

func TestTranscriptReplay(t *testing.T) {
	raw := MustFixture("login-plain.server.ami")
	t.Run("all", func(t *testing.T) {
		srv := NewServer(t, Options{Transcript: raw})
		c := dialRaw(t, srv.Addr())
		got, err := io.ReadAll(c.c)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("got %q, %v", got, err)
		}
	})
	t.Run("stepwise", func(t *testing.T) {
		srv := NewServer(t, Options{Transcript: raw, TranscriptMode: ReplayStepwise})
		c := dial(t, srv.Addr())
		var steps [][]string
		for _, a := range packetsOf(t, MustFixture("login-plain.client.ami")) {
			c.wr.WriteAction(a)
			var step []amiwire.Packet
			for {
				p := c.read()
				step = append(step, p)
				if p.Has("Response") && !p.Has("Event") {
					break
				}
			}
			steps = append(steps, names(step))
		}
		rest := names(c.expectEOF())
		want := "[[Response:Success] [FullyBooted SuccessfulAuth Response:Success] [Response:Goodbye]] []"
		if got := strings.Join([]string{fmtSteps(steps), fmtSteps([][]string{rest})[1:3]}, " "); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
}

func fmtSteps(s [][]string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, st := range s {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("[" + strings.Join(st, " ") + "]")
	}
	b.WriteString("]")
	return b.String()
}

// TestCloseEndsGoroutines opens sessions in every state (logged in,
// stalled) and
// checks that Close returns with the goroutine count back where it was.
func TestCloseEndsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, err := New(Options{Users: fixtureUsers})
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c := dial(t, srv.Addr())
		c.send("Login", "Username", "admin", "Secret", "s3cret")
		conns = append(conns, c.c)
	}
	stalled := dial(t, srv.Addr())
	stalled.login("admin", "s3cret", "Events", "off")
	stalled.do("Ping", "ActionID", "ping-1")
	// The other sessions' Logins were not waited for and may be recorded
	// after these Pings, so the stalled session is found by its own first
	// Ping, not by a position in the server's order.
	first, err := srv.WaitRequest(ctxT(t), func(r Request) bool { return r.Action.Get("ActionID") == "ping-1" })
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srv.Sessions() {
		s.AddFault(Fault{Kind: FaultStall})
	}
	stalled.send("Ping", "ActionID", "ping-2")
	if _, err := srv.WaitRequest(ctxT(t), func(r Request) bool { return r.Session == first.Session && r.Action.Get("ActionID") == "ping-2" }); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		c.Close()
	}
	stalled.c.Close()
	// Close has waited for the server's goroutines; allow the runtime a
	// moment to reap the finished ones, without sleeping.
	// A goroutine that has run its deferred wg.Done may not have exited yet;
	// under load that takes more than a few yields, so wait up to a deadline.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Close, %d before\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if srv.SessionCount() != 0 {
		t.Fatal("sessions left")
	}
}

// TestRawReply checks that RawReply writes its bytes exactly, LF line ends
// kept, with the action's ActionID put in.
func TestRawReply(t *testing.T) {
	reply := "Response: Success\nActionID: {ActionID}\nMessage: Queue status will follow\n\nEvent: QueueStatusComplete\nActionID: {ActionID}\n\n"
	srv := NewServer(t, Options{Handlers: map[string]Handler{"QueueStatus": RawReply(reply)}})
	c := dial(t, srv.Addr())
	c.login("admin", "admin", "Events", "off") // nothing follows the login's answer
	c.send("QueueStatus", "ActionID", "qs-1")
	want := strings.ReplaceAll(reply, "{ActionID}", "qs-1")
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c.c, got); err != nil || string(got) != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}
