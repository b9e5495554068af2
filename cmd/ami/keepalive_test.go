package main

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestListenKeepaliveReconnects: a first session whose Pings go
// unanswered is ended by --keepalive, said on stderr as always (the
// keepalive's line, then the lost connection's), and --reconnect follows
// with a new session, whose event ends the listen (--count 1).
func TestListenKeepaliveReconnects(t *testing.T) {
	var first atomic.Pointer[amitest.Session]
	srv := amitest.NewServer(t, amitest.Options{
		OnLogin: func(s *amitest.Session) {
			if !first.CompareAndSwap(nil, s) {
				s.SendEvent(ev("Event", "UserEvent", "Privilege", "user,all", "UserEvent", "Back"))
			}
		},
		Handlers: map[string]amitest.Handler{
			"Ping": func(s *amitest.Session, a amiwire.Packet) {
				if s != first.Load() { // the first session's peer is "dead"
					_ = s.Success(a, "Ping", "Pong")
				}
			},
		},
	})
	code, out, errOut := runCmd(t, testCtx(t), srv.Addr(), "listen", "--keepalive", "20ms", "--timeout", "200ms",
		"--reconnect", "--reconnect-min", "5ms", "--classes", "user", "--count", "1", "-o", "json")
	if code != exitOK || !strings.Contains(out, `"UserEvent":"Back"`) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	want := []string{
		"ami: keepalive: no answer to Ping from admin@" + srv.Addr() + " within 200ms",
		"ami: connection lost (connection closed by the client); reconnecting in ",
		"ami: reconnected to admin@" + srv.Addr(),
	}
	if len(lines) != len(want) {
		t.Fatalf("stderr %q, want %d lines", errOut, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("stderr line %d = %q, want %q...", i+1, lines[i], w)
		}
	}
}
