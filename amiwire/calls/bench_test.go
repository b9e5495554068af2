package calls

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// shortCalls returns the events of n short calls, Newchannel to Hangup:
// the call of the recording call-lifecycle (a Local channel pair that
// answers, sends a UserEvent and hangs up; 22 events) again and again, each
// time with its own Uniqueids, Linkedid and channel names, read from wire
// bytes as a client would.
func shortCalls(tb testing.TB, n int) (pkts []amiwire.Packet, size int) {
	tb.Helper()
	data, err := amitest.Fixture("call-lifecycle.listener.server.ami")
	if err != nil {
		tb.Fatal(err)
	}
	// The call's events: from its first Newchannel to its last event.
	start := bytes.Index(data, []byte("Event: Newchannel\r\n"))
	end := bytes.Index(data, []byte("Response: Goodbye"))
	if start < 0 || end < start {
		tb.Fatal("call-lifecycle: no call found")
	}
	tmpl := string(data[start:end])
	var wire bytes.Buffer
	for i := range n {
		r := strings.NewReplacer(
			"1795384488.182", fmt.Sprintf("1800000000.%d", 2*i),
			"1795384488.183", fmt.Sprintf("1800000000.%d", 2*i+1),
			"default-0000005b", fmt.Sprintf("default-%08x", i),
		)
		wire.WriteString(r.Replace(tmpl))
	}
	size = wire.Len()
	rd := amiwire.NewReader(&wire)
	for {
		p, err := rd.ReadPacket()
		if errors.Is(err, io.EOF) {
			return pkts, size
		}
		if err != nil {
			tb.Fatal(err)
		}
		pkts = append(pkts, p)
	}
}

// BenchmarkCorrelator feeds many short calls, one event per op, and writes
// nothing: the correlation alone.
func BenchmarkCorrelator(b *testing.B) {
	// More calls than the Correlator remembers hung-up channels, so that
	// each call is new when it comes round again.
	pkts, size := shortCalls(b, 4096)
	b.SetBytes(int64(size / len(pkts)))
	b.ReportAllocs()
	c := New()
	changes := 0
	b.ResetTimer()
	for i := range b.N {
		p := pkts[i%len(pkts)]
		_, ch := c.Feed("", p, base)
		changes += len(ch)
	}
	b.StopTimer()
	if b.N >= len(pkts) && changes == 0 {
		b.Fatal("no changes")
	}
	b.ReportMetric(float64(changes)/float64(b.N), "changes/op")
}

// BenchmarkCorrelatorRecords is BenchmarkCorrelator plus the building of
// every change's record, as a consumer that prints them does.
func BenchmarkCorrelatorRecords(b *testing.B) {
	pkts, size := shortCalls(b, 4096)
	b.SetBytes(int64(size / len(pkts)))
	b.ReportAllocs()
	c := New()
	var fields []amiwire.Field
	b.ResetTimer()
	for i := range b.N {
		_, changes := c.Feed("", pkts[i%len(pkts)], base)
		for _, ch := range changes {
			fields = ch.AppendFields(fields[:0])
		}
	}
}

// The Correlator allocates little per call once warm: a short call's 22
// events cost a few allocations (the channels' names, nothing per event).
func TestAllocsPerCall(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts in -short mode are not measured")
	}
	pkts, _ := shortCalls(t, 2048)
	perCall := len(pkts) / 2048
	c := New()
	for _, p := range pkts[:len(pkts)/2] { // warm up: maps, pools
		c.Feed("", p, base)
	}
	i := len(pkts) / 2
	allocs := testing.AllocsPerRun(200, func() {
		for range perCall {
			c.Feed("", pkts[i], base)
			i++
		}
	})
	t.Logf("%.1f allocations per call of %d events", allocs, perCall)
	if allocs > 4 {
		t.Errorf("%.1f allocations per short call, want at most 4", allocs)
	}
	if c.Len() != 0 {
		t.Errorf("%d calls up after the calls ended", c.Len())
	}
}
