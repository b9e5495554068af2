package amitest

import (
	"strings"
	"testing"
)

func TestLoginPlain(t *testing.T) {
	srv := NewServer(t, Options{Users: []User{{Name: "admin", Secret: "s3cret"}}})
	c := dial(t, srv.Addr())
	if c.ban != DefaultBanner {
		t.Fatalf("banner %q", c.ban)
	}
	r := c.login("admin", "s3cret")
	if r.Get("Response") != "Success" || r.Get("Message") != "Authentication accepted" || r.ActionID() != "login-1" {
		t.Fatalf("login: %v", r)
	}
	fb := c.read()
	if fb.Event() != "FullyBooted" || fb.Get("Privilege") != "system,all" {
		t.Fatalf("want FullyBooted, got %v", fb)
	}
	sa := c.read()
	if sa.Event() != "SuccessfulAuth" || sa.Get("AccountID") != "admin" {
		t.Fatalf("want SuccessfulAuth, got %v", sa)
	}
	p := c.do("Ping", "ActionID", "ping-2")
	if p.Get("Ping") != "Pong" || p.ActionID() != "ping-2" || !p.Has("Timestamp") || p.Has("Message") {
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
	if !strings.EqualFold(srv.Requests()[0].Action.Action(), "Login") {
		t.Fatal("requests not recorded")
	}
}
