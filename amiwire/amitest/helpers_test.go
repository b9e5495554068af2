package amitest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// testTimeout bounds every wait in these tests; nothing sleeps.
const testTimeout = 10 * time.Second

// conn is a raw AMI client for tests, built on amiwire.Reader/Writer.
type conn struct {
	t   testing.TB
	c   net.Conn
	rd  *amiwire.Reader
	wr  *amiwire.Writer
	ban string
}

// dial connects without reading the banner.
func dialRaw(t testing.TB, addr string) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(testTimeout))
	t.Cleanup(func() { c.Close() })
	return &conn{t: t, c: c, rd: amiwire.NewReader(c), wr: amiwire.NewWriter(c)}
}

// dial connects and reads the banner.
func dial(t testing.TB, addr string) *conn {
	t.Helper()
	c := dialRaw(t, addr)
	b, err := c.rd.ReadBanner()
	if err != nil {
		t.Fatalf("banner: %v", err)
	}
	c.ban = b
	return c
}

func (c *conn) send(name string, kv ...string) {
	c.t.Helper()
	if err := c.wr.WriteAction(amiwire.NewAction(name, kv...)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *conn) read() amiwire.Packet {
	c.t.Helper()
	p, err := c.rd.ReadPacket()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return p
}

// readResponse reads until a Response packet, returning it and the events
// read before it.
func (c *conn) readResponse() (amiwire.Packet, []amiwire.Packet) {
	c.t.Helper()
	var evs []amiwire.Packet
	for i := 0; i < 100000; i++ {
		p := c.read()
		if p.Has("Response") && !p.Has("Event") {
			return p, evs
		}
		evs = append(evs, p)
	}
	c.t.Fatal("no response")
	return amiwire.Packet{}, nil
}

// do sends an action and returns its response.
func (c *conn) do(name string, kv ...string) amiwire.Packet {
	c.t.Helper()
	c.send(name, kv...)
	r, _ := c.readResponse()
	return r
}

// login logs in with a plain secret and returns the response.
func (c *conn) login(user, secret string, kv ...string) amiwire.Packet {
	c.t.Helper()
	return c.do("Login", append([]string{"ActionID", "login-1", "Username", user, "Secret", secret}, kv...)...)
}

// expectEOF reads until the stream ends cleanly and returns what arrived.
func (c *conn) expectEOF() []amiwire.Packet {
	c.t.Helper()
	var got []amiwire.Packet
	for i := 0; i < 1000000; i++ {
		p, err := c.rd.ReadPacket()
		if errors.Is(err, io.EOF) {
			c.c.Close()
			return got
		}
		if err != nil {
			c.t.Fatalf("want clean EOF, got %v", err)
		}
		got = append(got, p)
	}
	c.t.Fatal("no EOF")
	return nil
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func names(ps []amiwire.Packet) []string {
	var out []string
	for _, p := range ps {
		if e := p.Get("Event"); e != "" {
			out = append(out, e)
		} else {
			out = append(out, "Response:"+p.Get("Response"))
		}
	}
	return out
}

// fixtureUsers are the accounts of the server the fixtures were recorded on.
var fixtureUsers = []User{
	{Name: "admin", Secret: "s3cret", Read: "all", Write: "all"},
	{Name: "reader", Secret: "r3ader", Read: "call,system", Write: "none"},
	{Name: "nowrite", Secret: "n0write", Read: "all", Write: "none"},
	{Name: "spacey", Secret: "sp4cey", Read: "system", Write: "none"},
}

// packetsOf parses raw server or client bytes (banner skipped).
func packetsOf(t testing.TB, raw []byte) []amiwire.Packet {
	t.Helper()
	_, pkts := splitTranscript(raw)
	var out []amiwire.Packet
	for _, b := range pkts {
		p, err := amiwire.NewReader(bytes.NewReader(b)).ReadPacket()
		if err != nil {
			t.Fatalf("parse %q: %v", b, err)
		}
		out = append(out, p)
	}
	return out
}
