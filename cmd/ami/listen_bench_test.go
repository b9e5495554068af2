package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// byteCounter is a stdout that keeps nothing: the benchmarks measure ami,
// not a buffer growing.
type byteCounter struct{ n int64 }

func (c *byteCounter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkListenFlood runs `ami listen --count b.N -o FORMAT` in-process
// against the simulator's flood (b.N realistic ~430-byte events over
// loopback TCP) and, as the reference measured in the same run, a raw
// byte copy of the same stream ("rawcopy": log in, read until b.N events
// have passed, parse nothing). Compare each format's ns/op with rawcopy's.
// scripts/bench.sh does the same with the built binaries.
func BenchmarkListenFlood(b *testing.B) {
	b.Run("rawcopy", func(b *testing.B) {
		addr, size := floodServer(b)
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		if err := rawCopyEvents(addr, b.N); err != nil {
			b.Fatal(err)
		}
	})
	for _, f := range []string{"raw", "json", "text"} {
		b.Run(f, func(b *testing.B) {
			addr, size := floodServer(b)
			host, port, _ := net.SplitHostPort(addr)
			b.SetBytes(size)
			b.ReportAllocs()
			b.Setenv("AMI_SECRET", testSecret)
			var out byteCounter
			var errOut bytes.Buffer
			b.ResetTimer()
			code := run(context.Background(), []string{"ami", "listen", "-H", host, "-p", port, "-u", "admin",
				"--count", strconv.Itoa(b.N), "-o", f}, strings.NewReader(""), &out, &errOut)
			b.StopTimer()
			if code != 0 || out.n == 0 {
				b.Fatalf("exit %d, %d bytes out, stderr %q", code, out.n, errOut.String())
			}
		})
	}
}

// floodServer starts a simulator that floods each login with (at most)
// 100 million events, and returns its address and the size of one event.
// With AMI_BENCH_ADDR set it uses that server instead (an `ami mock
// --flood N --user admin:s3cr3t-Zq9` in a process of its own, so that a
// profile of the benchmark shows ami alone).
func floodServer(b *testing.B) (string, int64) {
	if addr := os.Getenv("AMI_BENCH_ADDR"); addr != "" {
		return addr, 432
	}
	srv := amitest.NewServer(b, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret}}})
	sim, err := amisim.New(srv, amisim.Options{Flood: 100_000_000})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Addr(), int64(len(sim.AppendFloodEvent(nil, 1)))
}

// rawCopyEvents logs in and reads the stream, counting event starts,
// until n events have arrived: the least a consumer can do.
func rawCopyEvents(addr string, n int) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 64<<10)
	if _, err := br.ReadString('\n'); err != nil {
		return err
	}
	if _, err := io.WriteString(conn, "Action: Login\r\nUsername: admin\r\nSecret: "+testSecret+"\r\nEvents: on\r\n\r\n"); err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	marker := []byte("\nEvent: UserEvent")
	seen := 0
	for seen < n {
		m, err := br.Read(buf)
		seen += bytes.Count(buf[:m], marker) // a marker split across reads is missed: a slight overcount of work, fine for a reference
		if err != nil {
			return err
		}
	}
	return nil
}
