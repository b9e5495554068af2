package amisim

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// BenchmarkFlood measures the flood as a client sees it: b.N flood events
// read and parsed with amiwire.Reader over loopback TCP.
func BenchmarkFlood(b *testing.B) {
	srv, err := amitest.New(amitest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	sim, err := New(srv, Options{Flood: b.N, FloodEnd: FloodClose})
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
		if p.Has("Event") {
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
	srv, err := amitest.New(amitest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	sim, err := New(srv, Options{Flood: b.N, FloodEnd: FloodClose})
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

// BenchmarkCoreShowChannelsRaw measures the simulator's list generation: one
// op is a CoreShowChannels of 10,000 items (5,000 held calls) drained from the
// socket without parsing, so the server side is the only work measured.
func BenchmarkCoreShowChannelsRaw(b *testing.B) {
	const calls = 5000
	srv, err := amitest.New(amitest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := New(srv, Options{Calls: calls}); err != nil {
		b.Fatal(err)
	}
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Minute))
	if _, err := io.WriteString(conn, "Action: Login\r\nUsername: admin\r\nSecret: admin\r\nEvents: off\r\n\r\n"); err != nil {
		b.Fatal(err)
	}
	// drain reads up to the end of the next list and returns the bytes read.
	// Nothing follows a list's completion event (events are off), so only
	// the last bytes read are searched: the end marker, maybe split across
	// two reads, is in the tail kept from the previous read plus this one.
	end := []byte("\r\nEventList: Complete\r\n")
	buf := make([]byte, len(end)+1<<20)
	drain := func() int {
		total, kept := 0, 0
		for {
			n, err := conn.Read(buf[kept:])
			total += n
			data := buf[:kept+n]
			if bytes.Contains(data[max(0, len(data)-64):], end) {
				return total
			}
			if err != nil {
				b.Fatal(err)
			}
			kept = copy(buf, data[max(0, len(data)-len(end)):])
		}
	}
	if _, err := io.WriteString(conn, "Action: CoreShowChannels\r\n\r\n"); err != nil {
		b.Fatal(err)
	}
	size := drain() // login answers and one list: about the size of a list
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := io.WriteString(conn, "Action: CoreShowChannels\r\n\r\n"); err != nil {
			b.Fatal(err)
		}
		drain()
	}
	b.ReportMetric(float64(2*calls*b.N)/b.Elapsed().Seconds(), "items/s")
}
