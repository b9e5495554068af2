package format

import (
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// syntheticEvent is one event of the flood-1000 fixture, for when the
// fixtures are not beside the module.
const syntheticEvent = "Event: UserEvent\r\nPrivilege: user,all\r\nChannel: Local/flood@default-00000000;2\r\n" +
	"ChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: <unknown>\r\nCallerIDName: <unknown>\r\n" +
	"ConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\n" +
	"Context: default\r\nExten: flood\r\nPriority: 4\r\nUniqueid: 1763848473.12\r\nLinkedid: 1763848473.11\r\n" +
	"UserEvent: Flood\r\nSeq: 0\r\nPayload: abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\r\n\r\n"

// benchPackets returns realistic events: the flood fixture, or the synthetic copy.
func benchPackets(tb testing.TB) []amiwire.Packet {
	r := amiwire.NewReader(strings.NewReader(syntheticEvent))
	p, err := r.ReadPacket()
	if err != nil {
		tb.Fatal(err)
	}
	return []amiwire.Packet{p}
}

func benchPacket(tb testing.TB) amiwire.Packet { return benchPackets(tb)[0] }

func benchFormat(b *testing.B, name string) {
	ps := benchPackets(b)
	w, err := New(name, io.Discard, Options{})
	if err != nil {
		b.Fatal(err)
	}
	// Output bytes per packet, measured once.
	cw := &countWriter{}
	cwW, _ := New(name, cw, Options{})
	for _, p := range ps {
		_ = cwW.WritePacket(p)
	}
	_ = cwW.Flush()
	b.SetBytes(cw.n / int64(len(ps)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.WritePacket(ps[i%len(ps)]); err != nil {
			b.Fatal(err)
		}
	}
	_ = w.Flush()
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func BenchmarkJSON(b *testing.B) { benchFormat(b, "json") }
func BenchmarkText(b *testing.B) { benchFormat(b, "text") }
func BenchmarkRaw(b *testing.B)  { benchFormat(b, "raw") }

// BenchmarkCopyBaseline appends the raw bytes to a buffer written out in
// 64 KiB chunks: the floor every format is compared against.
func BenchmarkCopyBaseline(b *testing.B) {
	raw := []byte(syntheticEvent)
	buf := make([]byte, 0, bufferSize+len(raw))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = append(buf, raw...)
		if len(buf) >= bufferSize {
			_, _ = io.Discard.Write(buf)
			buf = buf[:0]
		}
	}
}
