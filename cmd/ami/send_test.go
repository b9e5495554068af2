package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

func TestSendGolden(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	for _, format := range []string{"text", "json", "raw"} {
		t.Run(format, func(t *testing.T) {
			r := amiRun(t, "", with(t, srv, "send", "-o", format, "Fixed", "ActionID=g1")...)
			r.want(t, 0)
			goldenCheck(t, "send-fixed."+format, r.stdout)
			r = amiRun(t, "", with(t, srv, "send", "-o", format, "Three", "ActionID=g2")...)
			r.want(t, 0)
			goldenCheck(t, "send-list."+format, r.stdout)
		})
	}
}

func TestSendPing(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	r := amiRun(t, "", with(t, srv, "send", "Ping")...)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "Response: Success") || !strings.Contains(r.stdout, "Ping: Pong") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	if r.stderr != "" {
		t.Fatalf("stderr: %q", r.stderr)
	}
	noSecret(t, r)
}

// TestSendArgForms checks that every argument form reaches the server as
// the same headers, repeated keys in order, ActionID kept or added.
func TestSendArgForms(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []amiwire.Field // without ActionID unless given
		id   string
	}{
		{name: "Key=Value", args: []string{"Fixed", "Channel=PJSIP/100", "Variable=a=1", "Variable=b=2"},
			want: fields("Action", "Fixed", "Channel", "PJSIP/100", "Variable", "a=1", "Variable", "b=2")},
		{name: "Key: Value", args: []string{"Fixed", "Channel: PJSIP/100", "Data: x=y"},
			want: fields("Action", "Fixed", "Channel", "PJSIP/100", "Data", "x=y")},
		{name: "Action= and ActionID kept", args: []string{"Action=Fixed", "ActionID=mine-1", "CallerID=\"Ops\" <100>"},
			want: fields("Action", "Fixed", "ActionID", "mine-1", "CallerID", "\"Ops\" <100>"), id: "mine-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := amiRun(t, "", with(t, srv, append([]string{"send"}, tt.args...)...)...)
			r.want(t, 0)
			req, err := srv.WaitAction(ctxT(t), "Fixed")
			if err != nil {
				t.Fatal(err)
			}
			id := req.Action.Get("ActionID")
			if id == "" || tt.id != "" && id != tt.id {
				t.Fatalf("ActionID %q, want %q (or any when not given)", id, tt.id)
			}
			var got []amiwire.Field
			for _, f := range req.Action.Fields {
				if tt.id == "" && strings.EqualFold(f.Key, "ActionID") {
					continue
				}
				got = append(got, f)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("server got %q\nwant %q", got, tt.want)
			}
			if !strings.Contains(r.stdout, "ActionID: "+id) {
				t.Errorf("response lacks the ActionID %q:\n%s", id, r.stdout)
			}
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// TestSendStdin sends several actions from stdin in each input form; they
// go over one login and the results print in input order.
func TestSendStdin(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"text LF", "Action: Fixed\nActionID: s1\n\nAction: Three\nActionID: s2\n\nAction: Ping\nActionID: s3\n"},
		{"text CRLF", "Action: Fixed\r\nActionID: s1\r\n\r\nAction: Three\r\nActionID: s2\r\n\r\nAction: Ping\r\nActionID: s3\r\n\r\n"},
		{"json lines", `{"Action":"Fixed","ActionID":"s1"}` + "\n" + `{"Action":"Three","ActionID":"s2"}` + "\n" + `{"Action":"Ping","ActionID":"s3"}` + "\n"},
		{"json array (jq -s)", "[\n  {\n    \"Action\": \"Fixed\",\n    \"ActionID\": \"s1\"\n  },\n  {\"Action\":\"Three\",\"ActionID\":\"s2\"},\n  {\"Action\":\"Ping\",\"ActionID\":\"s3\"}\n]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := amiRun(t, tt.in, with(t, srv, "send", "-o", "json")...)
			r.want(t, 0)
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			// Fixed response, Three response + 3 items + complete, Ping.
			if len(lines) != 7 {
				t.Fatalf("%d lines:\n%s", len(lines), r.stdout)
			}
			wantIDs := []string{"s1", "s2", "s2", "s2", "s2", "s2", "s3"}
			for i, l := range lines {
				if !strings.Contains(l, `"ActionID":"`+wantIDs[i]+`"`) {
					t.Errorf("line %d: %s, want ActionID %s", i, l, wantIDs[i])
				}
			}
			logins := 0
			for _, rq := range srv.Requests() {
				if strings.EqualFold(rq.Action.Get("Action"), "Login") {
					logins++
					if ev := rq.Action.Get("Events"); !strings.EqualFold(ev, "off") {
						t.Errorf("login Events %q, want off", ev)
					}
				}
			}
			if logins != 1 {
				t.Errorf("%d logins, want 1", logins)
			}
			if got := sentActions(srv); !reflect.DeepEqual(got, []string{"Fixed", "Three", "Ping"}) {
				t.Errorf("server got %v", got)
			}
		})
	}
}

func TestSendStdinJSONValues(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	in := `{"Action":"Fixed","Variable":["a=1","b=2"],"Priority":1,"Async":true,"Empty":null}`
	amiRun(t, in, with(t, srv, "send")...).want(t, 0)
	req, err := srv.WaitAction(ctxT(t), "Fixed")
	if err != nil {
		t.Fatal(err)
	}
	want := fields("Action", "Fixed", "Variable", "a=1", "Variable", "b=2", "Priority", "1", "Async", "true", "Empty", "")
	got := append([]amiwire.Field(nil), req.Action.Fields...)
	got = slicesDeleteKey(got, "ActionID")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("server got %q, want %q", got, want)
	}
}

func slicesDeleteKey(fs []amiwire.Field, key string) []amiwire.Field {
	out := fs[:0]
	for _, f := range fs {
		if !strings.EqualFold(f.Key, key) {
			out = append(out, f)
		}
	}
	return out
}

// TestHeaderInjectionRefused tries the classic injection in every input
// form: exit 2, a message naming the key, and nothing sent (no connection
// at all: input is checked before dialing).
func TestHeaderInjectionRefused(t *testing.T) {
	const evil = "x\r\nAction: Command\r\nCommand: core stop now"
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{name: "argument", args: []string{"send", "Originate", "Channel=" + evil}},
		{name: "argument colon form", args: []string{"send", "Originate", "Channel: " + evil}},
		{name: "argument LF only", args: []string{"send", "Originate", "Channel=x\nAction: Command"}},
		{name: "list argument", args: []string{"list", "Status", "Channel=" + evil}},
		{name: "command", args: []string{"command", "core show version\r\nAction: Command\r\nCommand: core stop now"}},
		{name: "stdin text bare CR", args: []string{"send"},
			stdin: "Action: Ping\n\nAction: Originate\nChannel: x\rAction: Command\rCommand: core stop now\n\n"},
		{name: "stdin text CRLF escape in second action", args: []string{"send"},
			stdin: "Action: Ping\r\n\r\nAction: Originate\r\nChannel: x\rAction: Command\r\n\r\n"},
		{name: "stdin json", args: []string{"send"},
			stdin: `{"Action":"Ping"}` + "\n" + `{"Action":"Originate","Channel":"x\r\nAction: Command\r\nCommand: core stop now"}` + "\n"},
		{name: "stdin json array value", args: []string{"send"},
			stdin: `{"Action":"Originate","Channel":["ok","x\nAction: Command"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := amiRun(t, tt.stdin, with(t, srv, tt.args...)...)
			want := "Channel"
			if tt.args[0] == "command" {
				want = "Command"
			}
			r.want(t, exitUsage, "ami: ", want, "nothing was sent")
			if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("stderr is more than one line:\n%s", r.stderr)
			}
			if reqs := srv.Requests(); len(reqs) != 0 {
				t.Fatalf("the server received %d actions, first %q", len(reqs), reqs[0].Action.Fields)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
		})
	}
}

// TestSendLimitsRefused: more than 128 headers or a line over 1024 bytes is
// refused before anything is sent.
func TestSendLimitsRefused(t *testing.T) {
	many := []string{"send", "UserEvent"}
	for i := 0; i < amiwire.MaxActionHeaders; i++ {
		many = append(many, fmt.Sprintf("H%d=v", i))
	}
	var manyText strings.Builder
	manyText.WriteString("Action: Ping\n\nAction: UserEvent\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&manyText, "H%d: v\n", i)
	}
	tests := []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{name: "129 headers", args: many, msg: "Asterisk accepts at most 128"},
		{name: "long line", args: []string{"send", "UserEvent", "Body=" + strings.Repeat("x", 1020)}, msg: `"Body"`},
		{name: "stdin many headers", args: []string{"send"}, stdin: manyText.String(), msg: "stdin action 2 (line 3)"},
		{name: "stdin long line", args: []string{"send"}, stdin: `{"Action":"UserEvent","Body":"` + strings.Repeat("y", 2000) + `"}`, msg: "1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := amiRun(t, tt.stdin, with(t, srv, tt.args...)...)
			r.want(t, exitUsage, tt.msg, "nothing was sent")
			if n := len(srv.Requests()); n != 0 {
				t.Fatalf("server received %d actions", n)
			}
		})
	}
}

func TestSendBadInput(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	tests := []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{name: "no action, empty stdin", args: []string{"send"}, msg: "no actions on stdin"},
		{name: "not key value", args: []string{"send", "Ping", "oops"}, msg: "argument 2"},
		{name: "two actions", args: []string{"send", "Ping", "Action=Logoff"}, msg: "second action"},
		{name: "stdin garbage", args: []string{"send"}, stdin: "hello\n", msg: `stdin action 1 (line 1): "hello" is not`},
		{name: "stdin json broken", args: []string{"send"}, stdin: `{"Action":`, msg: "stdin action 1 (line 1): unexpected EOF"},
		{name: "table not for send", args: []string{"send", "-o", "table", "Ping"}, msg: "only for list"},
		{name: "unknown format", args: []string{"send", "-o", "yaml", "Ping"}, msg: "yaml"},
		{name: "bad color", args: []string{"send", "--color", "sometimes", "Ping"}, msg: "--color"},
		{name: "unknown flag", args: []string{"send", "--no-such-flag", "Ping"}, msg: "no-such-flag"},
		{name: "unknown command", args: []string{"sned", "Ping"}, msg: `unknown command "sned"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := amiRun(t, tt.stdin, with(t, srv, tt.args...)...)
			r.want(t, exitUsage, tt.msg)
		})
	}
	if n := len(sentActions(srv)); n != 0 {
		t.Fatalf("server received %d actions", n)
	}
}

func TestSendErrorResponse(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	r := amiRun(t, "", with(t, srv, "send", "NoSuchAction")...)
	r.want(t, exitActionError, "ami: ")
	if !strings.Contains(r.stdout, "Response: Error") || !strings.Contains(r.stdout, "Invalid/unknown command") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}

	// In a batch every response is still printed, in order; exit 1.
	in := "Action: Fixed\nActionID: b1\n\nAction: Fail\nActionID: b2\n\nAction: Ping\nActionID: b3\n\nAction: Fail\nActionID: b4\n"
	r = amiRun(t, in, with(t, srv, "send", "-o", "json")...)
	r.want(t, exitActionError, "2 of 4 actions failed", "No such thing")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	for i, id := range []string{"b1", "b2", "b3", "b4"} {
		if !strings.Contains(lines[i], `"ActionID":"`+id+`"`) {
			t.Errorf("line %d = %s", i, lines[i])
		}
	}
}

// TestSendConnectionFaults: each fault ends within the timeout with exit 3
// and one stderr line naming what happened.
func TestSendConnectionFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults []amitest.Fault
		stdin  string
		args   []string
		stderr []string
		stdout []string // substrings of what must still be printed
	}{
		{name: "no banner", faults: []amitest.Fault{{Kind: amitest.FaultNoBanner}}, args: []string{"send", "Ping"}, stderr: []string{"banner", "127.0.0.1:"}},
		{name: "bad banner", faults: []amitest.Fault{{Kind: amitest.FaultBadBanner}}, args: []string{"send", "Ping"}, stderr: []string{"banner"}},
		{name: "close after login", faults: []amitest.Fault{{Kind: amitest.FaultCloseAfterLogin}}, args: []string{"send", "Ping"}},
		{name: "close mid packet", faults: []amitest.Fault{{Kind: amitest.FaultCloseMidPacket, Action: "Fixed"}}, args: []string{"send", "Fixed"}},
		// The Logoff goes out right behind the action, and the fake
		// server (unlike Asterisk, which answers in order) goes on to it
		// and closes: the connection ends before the timeout.
		{name: "stall", faults: []amitest.Fault{{Kind: amitest.FaultStall, Action: "Fixed"}}, args: []string{"send", "Fixed"}, stderr: []string{"send Fixed: ", "closed by the server mid-packet"}},
		{name: "no answer", faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Fixed"}}, args: []string{"send", "Fixed"}, stderr: []string{"send Fixed: ", "connection closed by the server"}},
		// A server that answers nothing at all: the timeout.
		{name: "no answer to anything", faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Fixed"}, {Kind: amitest.FaultNoAnswer, Action: "Logoff"}},
			args: []string{"send", "Fixed"}, stderr: []string{"no response within"}},
		{name: "close mid list", faults: []amitest.Fault{{Kind: amitest.FaultCloseMidList, Action: "Three", Size: 2}}, args: []string{"send", "Three"},
			stderr: []string{"incomplete: 2 of an unknown number of items arrived (connection lost)"}, stdout: []string{"PJSIP/200-00000002"}},
		{name: "close in pipelined batch", faults: []amitest.Fault{{Kind: amitest.FaultCloseAfterAnswer, Action: "Fixed", Skip: 1}},
			stdin: "Action: Fixed\nActionID: p1\n\nAction: Fixed\nActionID: p2\n\nAction: Fixed\nActionID: p3\n\nAction: Fixed\nActionID: p4\n",
			args:  []string{"send"}, stderr: []string{"2 of 4 actions answered"}, stdout: []string{"ActionID: p1", "ActionID: p2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{Faults: tt.faults})
			args := append(srvArgs(t, srv), "--timeout", "1s")
			start := time.Now()
			r := amiRun(t, tt.stdin, append(args, tt.args...)...)
			r.want(t, exitConn, append([]string{"ami: "}, tt.stderr...)...)
			if el := time.Since(start); el > 4*time.Second {
				t.Errorf("took %v with --timeout 1s", el)
			}
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
				t.Errorf("stderr has %d lines:\n%s", n+1, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			noSecret(t, r)
		})
	}
}

// TestSendPipelinesLogoff: `ami send Ping` puts its Logoff on the wire
// right behind the Ping, before the Pong is read (login, then Ping and
// Logoff: two round trips, not three). The server here answers the Ping
// only once the Logoff has arrived, so waiting for the Pong first would
// time out (exit 3).
func TestSendPipelinesLogoff(t *testing.T) {
	var mu sync.Mutex
	var held []amiwire.Packet
	srv := newServer(t, amitest.Options{OnAction: func(s *amitest.Session, a amiwire.Packet) {
		if !strings.EqualFold(a.Get("Action"), "Logoff") {
			return
		}
		mu.Lock()
		pings := held
		held = nil
		mu.Unlock()
		for _, p := range pings {
			s.Success(p, "Ping", "Pong")
		}
	}})
	srv.Handle("Ping", func(s *amitest.Session, a amiwire.Packet) {
		mu.Lock()
		held = append(held, a)
		mu.Unlock()
	})
	r := amiRun(t, "", with(t, srv, "send", "--timeout", "2s", "Ping")...)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "Response: Success") || !strings.Contains(r.stdout, "Ping: Pong") || r.stderr != "" {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	logoffs := 0
	for _, req := range srv.Requests() {
		if strings.EqualFold(req.Action.Get("Action"), "Logoff") {
			logoffs++
		}
	}
	if logoffs != 1 {
		t.Errorf("%d Logoffs, want 1", logoffs)
	}
}

// TestSendPipelinesLogin: `send` and `command` put their action and the
// Logoff in the Login's write, before its answer is read (one round
// trip): in the trace both are sent before the login's answer arrives.
func TestSendPipelinesLogin(t *testing.T) {
	tests := []struct {
		auth   string
		args   []string
		action string // as traced
		stdout string
	}{
		{"plain", []string{"send", "Ping"}, "> Action: Ping", "Ping: Pong"},
		{"md5", []string{"send", "Ping"}, "> Action: Ping", "Ping: Pong"},
		{"plain", []string{"command", "core show version"}, "> Action: Command", "Asterisk"},
	}
	for _, tt := range tests {
		t.Run(tt.auth+" "+tt.args[0], func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := amiRun(t, "", with(t, srv, append([]string{"--trace", "--auth", tt.auth}, tt.args...)...)...)
			r.want(t, 0)
			loginAnswer := strings.Index(r.stderr, "< Message: Authentication accepted")
			login := strings.Index(r.stderr, "> Action: Login")
			action := strings.Index(r.stderr, tt.action)
			logoff := strings.Index(r.stderr, "> Action: Logoff")
			if login < 0 || action < login || logoff < action || loginAnswer < logoff {
				t.Fatalf("want Login, %s and Logoff sent before the login's answer; trace:\n%s", tt.action[2:], r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout:\n%s", r.stdout)
			}
		})
	}
}

// TestSendBigBatchAfterLogin: actions too long to go with the Login
// (amiwire.MaxPipelined) are sent once it is answered, all of them, in
// order, and answered.
func TestSendBigBatchAfterLogin(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	var in strings.Builder
	const n = 40
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, "Action: Ping\nActionID: big-%d\nPadding: %s\n\n", i, strings.Repeat("x", 900))
	}
	if in.Len() <= amiwire.MaxPipelined {
		t.Fatalf("batch of %d bytes fits in MaxPipelined (%d): not the case under test", in.Len(), amiwire.MaxPipelined)
	}
	r := amiRun(t, in.String(), with(t, srv, "--trace", "send", "-o", "json")...)
	r.want(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != n {
		t.Fatalf("%d responses, want %d:\n%s", len(lines), n, r.stdout)
	}
	for i, l := range lines {
		if !strings.Contains(l, fmt.Sprintf(`"ActionID":"big-%d"`, i)) || !strings.Contains(l, `"Ping":"Pong"`) {
			t.Errorf("line %d = %s", i, l)
		}
	}
	// The login was answered before the first action went out.
	if ans, ping := strings.Index(r.stderr, "< Response: "), strings.Index(r.stderr, "> Action: Ping"); ans < 0 || ping < ans {
		t.Errorf("big batch sent before the login's answer")
	}
}

// BenchmarkSendPing is `ami send Ping` in-process, from argument parsing to
// logoff, against an amitest server on loopback: what ami's own code costs a
// run, without the process start that bench.sh's ping comparison includes.
func BenchmarkSendPing(b *testing.B) {
	srv, err := amitest.New(amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "admin"}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	b.Setenv(envSecret, "admin")
	help, version := cli.HelpFlag, cli.VersionFlag
	cacheHelpFlagNames() // as main does
	b.Cleanup(func() { cli.HelpFlag, cli.VersionFlag = help, version })
	args := []string{"ami", "send", "-H", host, "-p", port, "-u", "admin", "Ping"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if code := run(ctx, args, strings.NewReader(""), &out, &errOut); code != exitOK {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
	if !strings.Contains(out.String(), "Ping: Pong") {
		b.Fatalf("no pong in %q", out.String())
	}
}
