package amisim

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// fixtureUsers are the accounts of the server the fixtures were recorded on.
var fixtureUsers = []amitest.User{
	{Name: "admin", Secret: "s3cret", Read: "all", Write: "all"},
	{Name: "reader", Secret: "r3ader", Read: "call,system", Write: "none"},
	{Name: "nowrite", Secret: "n0write", Read: "all", Write: "none"},
	{Name: "spacey", Secret: "sp4cey", Read: "system", Write: "none"},
}

// volatileKeys hold values that change on every run (see the fixtures'
// README); their values are not compared.
var volatileKeys = map[string]bool{
	"uptime": true, "lastreload": true, "timestamp": true, "eventtv": true, "sessiontv": true,
	"sessionid": true, "localaddress": true, "remoteaddress": true, "challenge": true,
	"corestartupdate": true, "corestartuptime": true, "corereloaddate": true, "corereloadtime": true,
	"corecurrentcalls": true, "coreprocessedcalls": true,
}

// packetsOf parses raw server or client bytes (a banner line skipped).
func packetsOf(t testing.TB, raw []byte) []amiwire.Packet {
	t.Helper()
	if i := bytes.IndexByte(raw, '\n'); i >= 0 && !bytes.Contains(raw[:i], []byte(": ")) {
		raw = raw[i+1:]
	}
	rd := amiwire.NewReader(bytes.NewReader(raw))
	var out []amiwire.Packet
	for {
		p, err := rd.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		out = append(out, p)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// comparePackets checks that got has the same packets as want: same keys
// in the same order, same values except volatile ones (and keys listed in
// ignore).
func comparePackets(t testing.TB, got, want []amiwire.Packet, ignore ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, k := range ignore {
		skip[strings.ToLower(k)] = true
	}
	if len(got) != len(want) {
		t.Errorf("got %d packets %v, want %d %v", len(got), names(got), len(want), names(want))
	}
	for i := 0; i < min(len(got), len(want)); i++ {
		g, w := got[i], want[i]
		if len(g.Fields) != len(w.Fields) {
			t.Errorf("packet %d: got\n%v\nwant\n%v", i, g, w)
			continue
		}
		for j := range w.Fields {
			gk, wk := g.Fields[j], w.Fields[j]
			lk := strings.ToLower(wk.Key)
			if gk.Key != wk.Key || (!volatileKeys[lk] && !skip[lk] && gk.Value != wk.Value) {
				t.Errorf("packet %d (%s) line %d: got %q: %q, want %q: %q", i, w.Get("Event"), j, gk.Key, gk.Value, wk.Key, wk.Value)
			}
		}
	}
}

// playClient sends the actions of a *.client.ami file one at a time to
// addr, reading after each until its response, then reads to the end of
// the stream, and returns every packet the server sent. MD5 keys are
// recomputed for the fresh challenge.
func playClient(t testing.TB, addr string, client []byte, secret string) []amiwire.Packet {
	t.Helper()
	c := dial(t, addr)
	var got []amiwire.Packet
	challenge := ""
	for _, a := range packetsOf(t, client) {
		if strings.EqualFold(a.Get("AuthType"), "md5") && a.Has("Key") {
			setField(&a, "Key", md5hex(challenge+secret))
		}
		if err := c.wr.WriteAction(a); err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			p, err := c.rd.ReadPacket()
			if errors.Is(err, io.EOF) {
				return got
			}
			if err != nil {
				t.Fatalf("after %s: %v", a.Get("Action"), err)
			}
			got = append(got, p)
			if ch := p.Get("Challenge"); ch != "" {
				challenge = ch
			}
			if p.Has("Response") && !p.Has("Event") && p.Get("ActionID") == a.Get("ActionID") {
				break
			}
		}
	}
	return append(got, c.expectEOF()...)
}

// TestConformance replays the client side of recorded sessions against the
// simulator and compares its answers with what Asterisk 22 sent.
func TestConformance(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		ignore []string
	}{
		{"login-plain", "s3cret", nil},
		{"login-md5", "s3cret", nil},
		{"login-bad-secret", "s3cret", nil},
		{"login-events-off", "s3cret", nil},
		{"events-action", "s3cret", nil},
		{"core-show-channels-empty", "s3cret", nil},
		{"command-core-show-version", "s3cret", nil},
		{"unknown-action", "s3cret", nil},
		{"permission-denied.reader", "r3ader", nil},
		{"permission-denied.nowrite", "n0write", nil},
		{"dbput-dbget", "s3cret", nil},
		{"queue-status", "s3cret", nil},
		{"tls-login", "s3cret", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := amitest.NewServer(t, amitest.Options{Users: fixtureUsers})
			if _, err := New(srv, Options{}); err != nil {
				t.Fatal(err)
			}
			got := playClient(t, srv.Addr(), amitest.MustFixture(tt.name+".client.ami"), tt.secret)
			want := packetsOf(t, amitest.MustFixture(tt.name+".server.ami"))
			comparePackets(t, got, want, tt.ignore...)
		})
	}
}
