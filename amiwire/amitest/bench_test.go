package amitest

import (
	"errors"
	"io"
	"net"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// BenchmarkFlood measures the flood as a client sees it: b.N flood events
// read and parsed with amiwire.Reader over loopback TCP.
func BenchmarkFlood(b *testing.B) {
	srv, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	sim, err := NewSimulator(srv, SimOptions{Flood: b.N, FloodEnd: FloodClose})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(sim.AppendFloodEvent(nil, b.N/2))))
	b.ReportAllocs()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	rd, wr := amiwire.NewReader(conn), amiwire.NewWriter(conn)
	if _, err := rd.ReadBanner(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	wr.WriteAction(amiwire.NewAction("Login", "Username", "admin", "Secret", "admin", "Events", "user"))
	n := 0
	for {
		p, err := rd.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if p.Kind() == amiwire.KindEvent {
			n++
		}
	}
	b.StopTimer()
	if n != b.N {
		b.Fatalf("got %d events, want %d", n, b.N)
	}
}

// BenchmarkFloodRaw measures the flood's own speed: bytes drained from the
// socket without parsing, so the server side is the only work measured.
func BenchmarkFloodRaw(b *testing.B) {
	srv, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	sim, err := NewSimulator(srv, SimOptions{Flood: b.N, FloodEnd: FloodClose})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(sim.AppendFloodEvent(nil, b.N/2))))
	b.ReportAllocs()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	b.ResetTimer()
	amiwire.NewWriter(conn).WriteAction(amiwire.NewAction("Login", "Username", "admin", "Secret", "admin", "Events", "user"))
	buf := make([]byte, 1<<20)
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
}
