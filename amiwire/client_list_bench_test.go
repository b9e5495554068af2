package amiwire_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// benchListID is the ActionID every list of listServer answers to: one
// list at a time, so it is never in flight twice.
const benchListID = "bench-list"

// listBytes returns a CoreShowChannels answer of n items for ActionID
// benchListID, in the wire form of the core-show-channels-3 fixture's
// items, and the item size.
func listBytes(tb testing.TB, n int) ([]byte, int) {
	tb.Helper()
	var item amiwire.Packet
	for _, p := range loadTranscript(tb, "core-show-channels-3.server.ami").pkts {
		if p.Get("Event") == "CoreShowChannel" {
			item = p
			break
		}
	}
	if item.Raw == nil {
		tb.Fatal("no CoreShowChannel in the fixture")
	}
	raw := bytes.Replace(item.Raw, []byte("ActionID: "+item.Get("ActionID")+"\r\n"), []byte("ActionID: "+benchListID+"\r\n"), 1)
	var b []byte
	b = append(b, "Response: Success\r\nActionID: "+benchListID+"\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n"...)
	for range n {
		b = append(b, raw...)
	}
	b = fmt.Appendf(b, "Event: CoreShowChannelsComplete\r\nActionID: %s\r\nEventList: Complete\r\nListItems: %d\r\n\r\n", benchListID, n)
	return b, len(raw)
}

// listServer answers every action after the login with list, written at
// once. It returns the address.
func listServer(tb testing.TB, list []byte) string {
	return benchServer(tb, func(c net.Conn, r *amiwire.Reader) {
		for {
			if _, err := r.ReadPacket(); err != nil {
				return
			}
			if _, err := c.Write(list); err != nil {
				return
			}
		}
	})
}

// BenchmarkClientStreamList measures the client's list path alone: one op
// streams a 10,000-item CoreShowChannels (fixture-sized items, ~560 bytes)
// from a local server that writes it prebuilt, through Pending.Stream with
// a callback that only looks at each item's first field.
func BenchmarkClientStreamList(b *testing.B) {
	const n = 10000
	list, size := listBytes(b, n)
	addr := listServer(b, list)
	// owned: the items are the callback's to keep (the default); lent:
	// Config.Lend, as ami list streams.
	for _, lend := range []bool{false, true} {
		b.Run(map[bool]string{false: "owned", true: "lent"}[lend], func(b *testing.B) {
			ctx := context.Background()
			c, err := amiwire.Dial(ctx, amiwire.Config{Addr: addr, Username: "admin", Secret: "x", Events: "off", EventBuffer: 1 << 20, Lend: lend})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			action := amiwire.NewAction("CoreShowChannels", "ActionID", benchListID)
			b.SetBytes(int64(n * size))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				got := 0
				if _, err := c.Stream(ctx, action, func(ev amiwire.Packet) error {
					if len(ev.Fields) > 0 && ev.Fields[0].Value == "CoreShowChannel" {
						got++
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				if got != n {
					b.Fatalf("%d items, want %d", got, n)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(n), "items/op")
		})
	}
}
