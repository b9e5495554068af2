package amiwire

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// syntheticEvent is a realistic Asterisk 22 UserEvent (same shape and size as
// the events of flood-1000.listener.server.ami), used when the fixtures are
// not around.
const syntheticEvent = "Event: UserEvent\r\n" +
	"Privilege: user,all\r\n" +
	"Channel: Local/flood@default-0000005c;2\r\n" +
	"ChannelState: 6\r\n" +
	"ChannelStateDesc: Up\r\n" +
	"CallerIDNum: <unknown>\r\n" +
	"CallerIDName: <unknown>\r\n" +
	"ConnectedLineNum: <unknown>\r\n" +
	"ConnectedLineName: <unknown>\r\n" +
	"Language: en\r\n" +
	"AccountCode: \r\n" +
	"Context: default\r\n" +
	"Exten: flood\r\n" +
	"Priority: 4\r\n" +
	"Uniqueid: 1795384493.185\r\n" +
	"Linkedid: 1795384493.184\r\n" +
	"UserEvent: Flood\r\n" +
	"Seq: %d\r\n" +
	"Payload: lorem ipsum dolor sit amet consectetur\r\n" +
	"\r\n"

// syntheticFlood returns n synthetic events.
func syntheticFlood(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, syntheticEvent, i)
	}
	return b.Bytes()
}

// stripBanner returns data without its first line.
func stripBanner(data []byte) []byte {
	if i := bytes.IndexByte(data, '\n'); i >= 0 && bytes.HasPrefix(data, []byte("Asterisk Call Manager/")) {
		return data[i+1:]
	}
	return data
}

// floodStream is the packets of flood-1000.listener.server.ami (banner
// removed), or 1000 synthetic events when the fixture is missing.
func floodStream(tb testing.TB) []byte {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "flood-1000.listener.server.ami"))
	if err != nil {
		tb.Logf("flood fixture missing (%v): using synthetic events", err)
		return syntheticFlood(1000)
	}
	return stripBanner(data)
}

// mixedStream is every server transcript of the fixtures (banners removed)
// one after the other, except the flood: responses, lists, call events,
// Command output. Synthetic events when the fixtures are missing.
func mixedStream(tb testing.TB) []byte {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.server.ami"))
	var b bytes.Buffer
	for _, f := range files {
		if strings.Contains(f, "flood-1000") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(stripBanner(data))
	}
	if b.Len() == 0 {
		tb.Logf("fixtures missing: using synthetic events")
		return syntheticFlood(1000)
	}
	return b.Bytes()
}

// repeatSource serves data again and again, forever. It implements only
// Read, so that io.Copy cannot take a shortcut around the buffer.
type repeatSource struct {
	data []byte
	pos  int
}

func (s *repeatSource) Read(p []byte) (int, error) {
	if s.pos == len(s.data) {
		s.pos = 0
	}
	n := copy(p, s.data[s.pos:])
	s.pos += n
	return n, nil
}

// countPackets returns the number of packets in a stream.
func countPackets(tb testing.TB, data []byte) int {
	r := NewReader(bytes.NewReader(data))
	n := 0
	for {
		_, err := r.ReadPacket()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatalf("packet %d: %v", n, err)
		}
		n++
	}
}

func benchReader(b *testing.B, data []byte, recycle bool, skim ...bool) {
	n := countPackets(b, data)
	r := NewReader(&repeatSource{data: data})
	if recycle {
		r.lend()
	}
	r.skimEvents = len(skim) > 0 && skim[0]
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		for range n {
			if _, err := r.ReadPacket(); err != nil {
				b.Fatal(err)
			}
		}
		r.giveBack(r.seq) // a consumer done with the pass (no-op unless recycling)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
	b.ReportMetric(ns, "ns/packet")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*n), "cpu-ns/packet")
	b.ReportMetric(float64(len(data))*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	b.ReportMetric(float64(n), "packets/op")
}

// cpuTime returns the CPU time (user and system) the process has used so
// far, GC workers included. On a shared, noisy machine it is a steadier
// measure of cost than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReader reads realistic streams, one pass over the stream per op.
// Divide allocs/op by packets/op for allocations per packet (the test
// TestReadPacketAllocs enforces the budget). The recycle cases release
// each pass's packets after it (Reader.Recycle), as listen does per batch;
// flood-skim also skims the events (Reader.skimEvents), as listen does.
func BenchmarkReader(b *testing.B) {
	b.Run("flood", func(b *testing.B) { benchReader(b, floodStream(b), false) })
	b.Run("mixed", func(b *testing.B) { benchReader(b, mixedStream(b), false) })
	b.Run("flood-recycle", func(b *testing.B) { benchReader(b, floodStream(b), true) })
	b.Run("mixed-recycle", func(b *testing.B) { benchReader(b, mixedStream(b), true) })
	b.Run("flood-skim", func(b *testing.B) { benchReader(b, floodStream(b), true, true) })
}

// BenchmarkReaderRawCopy is the baseline: copying the same bytes to
// io.Discard through a 64 KiB buffer, touching nothing.
func BenchmarkReaderRawCopy(b *testing.B) {
	for _, tc := range []struct {
		name string
		data func(testing.TB) []byte
	}{{"flood", floodStream}, {"mixed", mixedStream}} {
		b.Run(tc.name, func(b *testing.B) {
			data := tc.data(b)
			src := &repeatSource{data: data}
			buf := make([]byte, 64<<10)
			dst := struct{ io.Writer }{io.Discard}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := io.CopyBuffer(dst, io.LimitReader(src, int64(len(data))), buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriter encodes a realistic action (an Originate with variables)
// into a reused buffer.
func BenchmarkWriter(b *testing.B) {
	p := NewAction("Originate",
		"ActionID", "orig-2",
		"Channel", "Local/short@default",
		"Application", "Wait",
		"Data", "10",
		"Async", "true",
		"CallerID", "\"Fixture\" <100>",
		"Variable", "COUNT=1000",
		"Variable", "PAYLOAD=lorem ipsum dolor sit amet consectetur",
	)
	buf, err := appendAction(nil, p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		buf, err = appendAction(buf[:0], p)
		if err != nil {
			b.Fatal(err)
		}
	}
}
