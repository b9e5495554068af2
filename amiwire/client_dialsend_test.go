package amiwire_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// readAllFirst replays a transcript, but only once n actions have arrived:
// a client that waits for an answer before writing the rest never gets
// one (the read deadline ends the connection instead). Then it answers
// them in turn, closing after Goodbye.
func readAllFirst(n int, got chan<- []amiwire.Packet) func(*fakeConn) {
	return func(f *fakeConn) {
		_ = f.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		var actions []amiwire.Packet
		for len(actions) < n {
			a, err := f.readAction()
			if err != nil {
				got <- actions
				return
			}
			actions = append(actions, a.Clone())
		}
		got <- actions
		for _, a := range actions {
			resp, err := f.answer(a.Get("ActionID"))
			if err != nil || resp.Fields == nil || strings.EqualFold(resp.Get("Response"), "Goodbye") {
				return
			}
		}
	}
}

// TestDialSendPipelines: the Ping and the Logoff go out with the Login,
// before its answer (replaying Asterisk 22's login-events-off), and the
// answers reach their Pendings.
func TestDialSendPipelines(t *testing.T) {
	got := make(chan []amiwire.Packet, 1)
	addr := replayServer(t, "login-events-off.server.ami", readAllFirst(3, got))
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	c, pend, err := amiwire.DialSend(ctx, amiwire.Config{Addr: addr, Username: "admin", Secret: "s3cret", Events: "off"},
		[]amiwire.Packet{amiwire.NewAction("Ping")}, true)
	if err != nil {
		t.Fatalf("DialSend: %v", err)
	}
	defer c.Close()
	actions := <-got
	var names []string
	for _, a := range actions {
		names = append(names, a.Get("Action"))
	}
	if strings.Join(names, ",") != "Login,Ping,Logoff" {
		t.Fatalf("server read %v before answering, want Login,Ping,Logoff", names)
	}
	if len(pend) != 1 {
		t.Fatalf("%d Pendings, want the Ping's", len(pend))
	}
	// The ActionIDs are in wire order: the Login's first.
	if actions[0].Get("ActionID") == "" || actions[0].Get("ActionID") >= actions[1].Get("ActionID") || actions[1].Get("ActionID") >= actions[2].Get("ActionID") {
		t.Errorf("ActionIDs %s, %s, %s not in wire order", actions[0].Get("ActionID"), actions[1].Get("ActionID"), actions[2].Get("ActionID"))
	}
	resp, err := pend[0].Wait(ctx)
	if err != nil || resp.Packet.Get("Ping") != "Pong" || resp.Packet.Get("ActionID") != actions[1].Get("ActionID") {
		t.Fatalf("Ping: %v, %v", resp, err)
	}
	// Logoff waits for the pipelined Logoff's Goodbye and sends no other.
	if err := c.Logoff(ctx); err != nil {
		t.Fatalf("Logoff: %v", err)
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err after Goodbye = %v, want nil", err)
	}
}

// TestDialSendMD5: with Challenge the actions go with the Login that answers
// the Challenge, and everything works as with Dial.
func TestDialSendMD5(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	ctx := testCtx(t)
	c, pend, err := amiwire.DialSend(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: secret, Challenge: true, Events: "off"},
		[]amiwire.Packet{amiwire.NewAction("Ping"), amiwire.NewAction("Ping", "ActionID", "mine")}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(pend) != 2 {
		t.Fatalf("Pendings %v", pend)
	}
	for i, p := range pend {
		resp, err := p.Wait(ctx)
		if err != nil || strings.EqualFold(resp.Packet.Get("Response"), "Error") {
			t.Fatalf("Ping %d: %v, %v", i, resp, err)
		}
		if i == 1 && resp.Packet.Get("ActionID") != "mine" {
			t.Errorf("second Ping answered with ActionID %q, want the one it was sent with", resp.Packet.Get("ActionID"))
		}
	}
	var names []string
	for _, r := range srv.Requests() {
		names = append(names, r.Action.Get("Action"))
	}
	if strings.Join(names, ",") != "Challenge,Login,Ping,Ping" {
		t.Errorf("server got %v", names)
	}
	if err := c.Logoff(ctx); err != nil {
		t.Errorf("Logoff: %v", err)
	}
}

// TestDialSendRefusedLogin: a refused Login is Dial's error, and the server
// (which, like Asterisk, closes at once) never ran the actions behind it.
func TestDialSendRefusedLogin(t *testing.T) {
	for _, challenge := range []bool{false, true} {
		srv := newServer(t, amitest.Options{})
		ctx := testCtx(t)
		c, pend, err := amiwire.DialSend(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "wrong-pw", Challenge: challenge},
			[]amiwire.Packet{amiwire.NewAction("Ping")}, true)
		var ae *amiwire.ActionError
		var ce *amiwire.ConnectError
		if c != nil || pend != nil || !errors.As(err, &ce) || ce.Stage != amiwire.StageLogin || !errors.As(err, &ae) || ae.Action != "Login" {
			t.Fatalf("challenge %v: DialSend = %v, %v, %v; want a *ConnectError with the Login's *ActionError", challenge, c, pend, err)
		}
		if strings.Contains(err.Error(), "wrong-pw") {
			t.Errorf("secret in error text: %v", err)
		}
		if err := srv.WaitForSessions(ctx, 0); err != nil {
			t.Fatal(err)
		}
		for _, r := range srv.Requests() {
			if name := r.Action.Get("Action"); name != "Login" && name != "Challenge" {
				t.Errorf("challenge %v: the server ran %s after a refused login", challenge, name)
			}
		}
	}
}

// TestDialSendRefusesBeforeDialling: actions that cannot be pipelined are
// refused before anything is dialled (the listener sees no connection).
func TestDialSendRefusesBeforeDialling(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
			accepted <- struct{}{}
		}
	}()
	big := amiwire.NewAction("UserEvent", "UserEvent", "Big")
	for i := 0; i < 20; i++ {
		big.Add("Data", strings.Repeat("x", 900))
	}
	tests := []struct {
		name    string
		actions []amiwire.Packet
		check   func(error) bool
	}{
		{"too big", []amiwire.Packet{big}, func(err error) bool { return errors.Is(err, amiwire.ErrPipelineTooBig) }},
		{"header injection", []amiwire.Packet{amiwire.NewAction("Ping", "X", "a\r\nAction: Originate")}, func(err error) bool {
			var fe *amiwire.FieldError
			return errors.As(err, &fe)
		}},
		{"same ActionID twice", []amiwire.Packet{amiwire.NewAction("Ping", "ActionID", "x"), amiwire.NewAction("Ping", "ActionID", "x")},
			func(err error) bool { return err != nil && strings.Contains(err.Error(), `"x"`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, pend, err := amiwire.DialSend(testCtx(t), amiwire.Config{Addr: ln.Addr().String(), Username: "admin", Secret: secret}, tt.actions, true)
			if c != nil || pend != nil || !tt.check(err) {
				t.Fatalf("DialSend = %v, %v, %v", c, pend, err)
			}
			var ce *amiwire.ConnectError
			if errors.As(err, &ce) {
				t.Errorf("err %v is a *ConnectError: something was dialled", err)
			}
		})
	}
	select {
	case <-accepted:
		t.Error("DialSend connected")
	default:
	}
}

// pingWith returns a Ping with n fields in all, Action included.
func pingWith(n int) amiwire.Packet {
	p := amiwire.NewAction("Ping")
	for len(p.Fields) < n {
		p.Add("H", "v")
	}
	return p
}

// TestHeaderLimitCountsActionID: the ActionID that Send and DialSend add
// counts towards Asterisk's 128 headers. An action that would go over is
// refused before anything is written (DialSend dials nothing); one that
// fits exactly is sent whole.
func TestHeaderLimitCountsActionID(t *testing.T) {
	full := pingWith(amiwire.MaxActionHeaders) // 128, and an ActionID would make 129
	fits := pingWith(amiwire.MaxActionHeaders - 1)
	var fe *amiwire.FieldError
	if err := amiwire.NewWriter(io.Discard).WriteAction(full); err != nil {
		t.Fatalf("WriteAction(128 fields) = %v: as it is, it fits", err)
	}
	if err := amiwire.ValidateSend(full); !errors.As(err, &fe) || fe.Index != -1 || !strings.Contains(fe.Reason, "129 headers") {
		t.Fatalf("ValidateSend(128 fields, no ActionID) = %v, want a *FieldError counting 129", err)
	}
	if err := amiwire.ValidateSend(fits); err != nil {
		t.Fatalf("ValidateSend(127 fields) = %v", err)
	}
	withID := pingWith(amiwire.MaxActionHeaders - 1)
	withID.Add("ActionID", "mine")
	if err := amiwire.ValidateSend(withID); err != nil {
		t.Fatalf("ValidateSend(128 fields with an ActionID) = %v", err)
	}

	// DialSend refuses before dialling: the address is closed, so a dial
	// would have been a *ConnectError.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	c, _, err := amiwire.DialSend(testCtx(t), amiwire.Config{Addr: closed, Username: "admin", Secret: secret}, []amiwire.Packet{full}, true)
	if c != nil || !errors.As(err, &fe) {
		t.Fatalf("DialSend(128 fields) = %v, %v; want the *FieldError, nothing dialled", c, err)
	}

	srv := newServer(t, amitest.Options{})
	cl := dial(t, srv, amiwire.Config{Events: "off"})
	if p, err := cl.Send(testCtx(t), full); p != nil || !errors.As(err, &fe) {
		t.Fatalf("Send(128 fields) = %v, %v; want the *FieldError", p, err)
	}
	p, err := cl.Send(testCtx(t), fits)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Wait(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var pings []amiwire.Packet
	for _, r := range srv.Requests() {
		if r.Action.Get("Action") == "Ping" {
			pings = append(pings, r.Action)
		}
	}
	if len(pings) != 1 {
		t.Fatalf("server got %d Pings, want 1", len(pings))
	}
	if got := pings[0]; len(got.Fields) != amiwire.MaxActionHeaders || got.Get("ActionID") != resp.Packet.Get("ActionID") {
		t.Fatalf("server got a Ping of %d fields with ActionID %q; want %d with %q", len(got.Fields), got.Get("ActionID"), amiwire.MaxActionHeaders, resp.Packet.Get("ActionID"))
	}
}
