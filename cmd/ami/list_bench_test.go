package main

import (
	"context"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/format"
)

// BenchmarkStreamList measures `ami list` without process start and login:
// one op is streamList of the simulator's CoreShowChannels, 10,000 items,
// over one logged-in client, formatted into a writer that only counts. The
// simulator runs in the same process (it costs about a tenth of the client).
func BenchmarkStreamList(b *testing.B) {
	const calls = 5000
	srv, err := amitest.New(amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "admin"}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := amisim.New(srv, amisim.Options{Calls: calls}); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{fmtJSON, fmtText, fmtRaw} {
		b.Run(name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			s := connSettings{Config: amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "admin"}, Timeout: 10 * time.Second}
			cl, err := s.dial(ctx, "off")
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Close()
			var out countWriter
			w, err := format.New(name, &out, format.Options{})
			if err != nil {
				b.Fatal(err)
			}
			action := amiwire.NewAction("CoreShowChannels")
			if err := streamList(ctx, s, cl, action, w, false, name, &out); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(out.bytes))
			b.ReportAllocs()
			out = countWriter{}
			b.ResetTimer()
			for range b.N {
				if err := streamList(ctx, s, cl, action, w, false, name, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if want := 2 * calls * b.N; out.items(name) != want {
				b.Fatalf("%d items, want %d", out.items(name), want)
			}
			b.ReportMetric(float64(2*calls*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// items returns how many list items a countWriter saw in format name: one
// line per item in JSON, 21 lines per CoreShowChannel (20 fields and the
// blank line) in text and raw.
func (w *countWriter) items(name string) int {
	if name == fmtJSON {
		return w.lines
	}
	return w.lines / 21
}
