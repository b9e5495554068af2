package main

import (
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
