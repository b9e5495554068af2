package amiwire_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// benchServer logs any client in (any secret) on a loopback listener and
// hands the connection, with its Reader past the login, to serve; it
// returns the address. The benchmarks' servers, without amitest's
// bookkeeping between them and the client.
func benchServer(tb testing.TB, serve func(c net.Conn, r *amiwire.Reader)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.Write([]byte("Asterisk Call Manager/11.0.0\r\n"))
				r := amiwire.NewReader(c)
				login, err := r.ReadPacket()
				if err != nil {
					return
				}
				c.Write([]byte("Response: Success\r\nActionID: " + login.Get("ActionID") + "\r\nMessage: Authentication accepted\r\n\r\n"))
				serve(c, r)
			}()
		}
	}()
	tb.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// floodServer writes chunk over and over to every client until it goes
// away. It returns the address.
func floodServer(b *testing.B, chunk []byte) string {
	return benchServer(b, func(c net.Conn, _ *amiwire.Reader) {
		for {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
}

// BenchmarkClientEvents measures async events per second through
// NextEvents, from a local server flooding the flood-1000 fixture's
// ~430-byte UserEvent.
func BenchmarkClientEvents(b *testing.B) {
	var event []byte
	for _, p := range loadTranscript(b, "flood-1000.listener.server.ami").pkts {
		if p.Get("Event") == "UserEvent" {
			event = p.Raw
			break
		}
	}
	var chunk []byte
	for len(chunk) < 256<<10 {
		chunk = append(chunk, event...)
	}
	for _, policy := range []struct {
		name string
		drop bool
		lend bool
	}{{"block", false, false}, {"drop", true, false}, {"lend", false, true}} {
		b.Run(policy.name, func(b *testing.B) {
			addr := floodServer(b, chunk)
			ctx := context.Background()
			c, err := amiwire.Dial(ctx, amiwire.Config{Addr: addr, Username: "admin", Secret: "x", Events: "on", DropWhenFull: policy.drop, EventBuffer: 4 << 20, Lend: policy.lend})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.SetBytes(int64(len(event)))
			b.ReportAllocs()
			b.ResetTimer()
			buf := make([]amiwire.Packet, 0, 4096)
			for n := 0; n < b.N; {
				evs, err := c.NextEvents(ctx, buf[:0])
				if err != nil {
					b.Fatal(err)
				}
				n += len(evs)
				clear(evs)
				buf = evs[:0]
			}
			b.StopTimer()
			b.ReportMetric(float64(c.ConnState().EventsDropped), "dropped")
		})
	}
}

// BenchmarkClientEventsSim consumes the simulator's Flood (b.N ~430-byte
// UserEvents right after login) through NextEvents, with no loss allowed.
func BenchmarkClientEventsSim(b *testing.B) {
	srv := newServer(b, amitest.Options{})
	sim, err := amisim.New(srv, amisim.Options{Flood: b.N})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(sim.AppendFloodEvent(nil, b.N/2))))
	b.ReportAllocs()
	ctx := context.Background()
	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: secret, EventBuffer: 4 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]amiwire.Packet, 0, 4096)
	for n := 0; n < b.N; {
		evs, err := c.NextEvents(ctx, buf[:0])
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Get("Event") == "UserEvent" {
				n++
			}
		}
		clear(evs)
		buf = evs[:0]
	}
	b.StopTimer()
	if d := c.ConnState().EventsDropped; d != 0 {
		b.Fatalf("%d events dropped", d)
	}
}
