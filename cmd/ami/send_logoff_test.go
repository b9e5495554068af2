package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestSendPipelinesLogoff: `ami send Ping` puts its Logoff on the wire
// right behind the Ping, before the Pong is read (login, then Ping and
// Logoff: two round trips, not three). The server here answers the Ping
// only once the Logoff has arrived, so waiting for the Pong first would
// time out (exit 3).
func TestSendPipelinesLogoff(t *testing.T) {
	var mu sync.Mutex
	var held []amiwire.Packet
	srv := newServer(t, amitest.Options{OnAction: func(s *amitest.Session, a amiwire.Packet) {
		if !strings.EqualFold(a.Action(), "Logoff") {
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
		if strings.EqualFold(req.Action.Action(), "Logoff") {
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
