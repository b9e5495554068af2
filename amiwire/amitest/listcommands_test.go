package amitest

import (
	"context"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// TestListCommands checks that ListCommands lists the actions a user may
// send, with their classes as Asterisk writes them, and only those.
func TestListCommands(t *testing.T) {
	srv := NewServer(t, Options{Users: []User{
		{Name: "admin", Secret: "a"},
		{Name: "caller", Secret: "c", Write: "call"},
		{Name: "nowrite", Secret: "n", Write: "none"},
	}})
	nop := func(*Session, amiwire.Packet) {}
	srv.Handle("Hangup", nop)    // system,call
	srv.Handle("Originate", nop) // originate
	srv.HandlePerm("Free", "", nop)
	srv.Handle("ListCommands", ListCommands)
	tests := []struct {
		user, secret string
		has, hasNot  []string
	}{
		{"admin", "a", []string{"Hangup", "Originate", "Free", "Login", "Filter", "ListCommands"}, nil},
		{"caller", "c", []string{"Hangup", "Free", "Events"}, []string{"Originate", "Filter"}},
		{"nowrite", "n", []string{"Free", "Logoff"}, []string{"Hangup", "Originate", "Filter"}},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cl, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: tt.user, Secret: tt.secret, Events: "off"})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := cl.Do(ctx, amiwire.NewAction("ListCommands"))
		cl.Close()
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range tt.has {
			if _, ok := resp.Packet.Lookup(name); !ok {
				t.Errorf("%s: ListCommands lacks %s: %s", tt.user, name, resp.Packet)
			}
		}
		for _, name := range tt.hasNot {
			if _, ok := resp.Packet.Lookup(name); ok {
				t.Errorf("%s: ListCommands lists %s: %s", tt.user, name, resp.Packet)
			}
		}
		if v := resp.Packet.Get("Hangup"); tt.user == "admin" && v != " (Priv: system,call,all)" {
			t.Errorf("Hangup: %q, want %q as Asterisk writes it", v, " (Priv: system,call,all)")
		}
		if v := resp.Packet.Get("Free"); v != " (Priv: <none>)" {
			t.Errorf("Free: %q", v)
		}
	}
}
