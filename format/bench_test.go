package format

import (
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// realisticEvent is one event of the flood-1000 fixture (about 430 bytes),
// for when the fixtures are not beside the module.
const realisticEvent = "Event: UserEvent\r\nPrivilege: user,all\r\nChannel: Local/flood@default-0000005c;2\r\n" +
	"ChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: <unknown>\r\nCallerIDName: <unknown>\r\n" +
	"ConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\n" +
	"Context: default\r\nExten: flood\r\nPriority: 4\r\nUniqueid: 1795384493.185\r\nLinkedid: 1795384493.184\r\n" +
	"UserEvent: Flood\r\nSeq: 0\r\nPayload: lorem ipsum dolor sit amet consectetur\r\n\r\n"

// benchPackets returns realistic events: the events of the flood-1000
// fixture, or else the embedded copy of one of them.
func benchPackets(tb testing.TB) []amiwire.Packet {
	tb.Helper()
	var events []amiwire.Packet
	for _, p := range fixturePackets(tb, "flood-1000.listener.server.ami", false) {
		if p.Has("Event") {
			events = append(events, p)
		}
	}
	if len(events) > 0 {
		return events
	}
	p, err := amiwire.NewReader(strings.NewReader(realisticEvent)).ReadPacket()
	if err != nil {
		tb.Fatal(err)
	}
	return []amiwire.Packet{p}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func benchFormat(b *testing.B, name string, opts Options) {
	benchPacketsFormat(b, name, opts, benchPackets(b))
}

// benchPacketsFormat measures writing ps, one after another, in the named
// format; bytes per op are output bytes.
func benchPacketsFormat(b *testing.B, name string, opts Options, ps []amiwire.Packet) {
	// Output bytes per packet, measured once over every packet.
	var cw countWriter
	cwW, _ := New(name, &cw, opts)
	for _, p := range ps {
		_ = cwW.WritePacket(p)
	}
	_ = cwW.Flush()
	b.SetBytes(cw.n / int64(len(ps)))

	w, err := New(name, io.Discard, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.WritePacket(ps[i%len(ps)]); err != nil {
			b.Fatal(err)
		}
	}
	_ = w.Flush()
}

func BenchmarkJSON(b *testing.B) { benchFormat(b, "json", Options{}) }
func BenchmarkText(b *testing.B) { benchFormat(b, "text", Options{}) }

// BenchmarkJSONLead is BenchmarkJSON with the "@host" of merged output.
func BenchmarkJSONLead(b *testing.B) {
	benchFormat(b, "json", Options{Lead: []amiwire.Field{{Key: "@host", Value: "pbx1.example.net"}}})
}
func BenchmarkTextEscape(b *testing.B) { benchFormat(b, "text", Options{Escape: true}) }
func BenchmarkRaw(b *testing.B)        { benchFormat(b, "raw", Options{}) }

// BenchmarkCopyBaseline copies the same packets' raw bytes into a 64 KiB
// buffer written out when full: the floor every format is compared with.
func BenchmarkCopyBaseline(b *testing.B) {
	ps := benchPackets(b)
	var total int
	for _, p := range ps {
		total += len(p.Raw)
	}
	b.SetBytes(int64(total / len(ps)))
	buf := make([]byte, 0, bufferSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = append(buf, ps[i%len(ps)].Raw...)
		if len(buf) >= bufferSize {
			_, _ = io.Discard.Write(buf)
			buf = buf[:0]
		}
	}
}
