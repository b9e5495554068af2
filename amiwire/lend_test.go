package amiwire

import (
	"bytes"
	"fmt"
	"testing"
)

// TestLendKeepsLent reads a long stream lending while holding on to
// packets it has not given back: each must keep its bytes until given
// back, however much is read meanwhile, and reading must reuse memory
// given back rather than allocate.
func TestLendKeepsLent(t *testing.T) {
	var stream bytes.Buffer
	const n = 20000
	for i := range n {
		fmt.Fprintf(&stream, "Event: Test\r\nSeq: %d\r\nPad: %s\r\n\r\n", i, bytes.Repeat([]byte{'a' + byte(i%26)}, i%300))
	}
	want := func(p Packet, i int) {
		t.Helper()
		pad := string(bytes.Repeat([]byte{'a' + byte(i%26)}, i%300))
		if p.Get("Seq") != fmt.Sprint(i) || p.Get("Pad") != pad || !bytes.HasPrefix(p.Raw, []byte("Event: Test\r\nSeq: "+fmt.Sprint(i)+"\r\n")) {
			t.Fatalf("packet %d changed: %q", i, p.Raw)
		}
	}
	r := NewReader(bytes.NewReader(stream.Bytes()))
	r.lend()
	var held []Packet // a window of unreleased packets, like a queue
	first := 0        // the packet number (from 0) of held[0]
	for i := range n {
		p, err := r.readPacket(true)
		if err != nil {
			t.Fatal(err)
		}
		if r.seq != uint64(i+1) {
			t.Fatalf("Seq %d after packet %d", r.seq, i)
		}
		held = append(held, p)
		if len(held) == 3000 { // check all, release the older half (more than a chunk)
			for j, q := range held {
				want(q, first+j)
			}
			r.giveBack(uint64(first + 1500))
			held = append(held[:0], held[1500:]...)
			first += 1500
		}
	}
	for j, q := range held {
		want(q, first+j)
	}
	b := r.loans
	b.mu.Lock()
	free, out := len(b.bufs.free), len(b.bufs.out)
	b.mu.Unlock()
	if free == 0 || out == 0 {
		t.Errorf("the Reader holds %d free chunks and has %d out on loan; want both (reuse, and the held packets' chunks kept)", free, out)
	}
}

// TestLendAllocs: a stream read lending and given back as it goes
// allocates next to nothing (the budget of issue 6 is one allocation per
// packet; the point of lending is zero).
func TestLendAllocs(t *testing.T) {
	for name, data := range map[string][]byte{"flood": floodStream(t), "mixed": mixedStream(t)} {
		n := countPackets(t, data)
		r := NewReader(&repeatSource{data: data})
		r.lend()
		pass := func() {
			for range n {
				if _, err := r.readPacket(true); err != nil {
					t.Fatal(err)
				}
			}
			r.giveBack(r.seq)
		}
		pass() // warm up: the first chunks and slabs are new
		allocs := testing.AllocsPerRun(20, pass) / float64(n)
		t.Logf("%s: %.5f allocs/packet", name, allocs)
		if allocs > 0.005 {
			t.Errorf("%s: %.4f allocs/packet lending; want about 0", name, allocs)
		}
	}
}

// TestTryReadPacket: packets wholly buffered come out without a read; the
// rest wait for ReadPacket, which then gives the same packets as a plain
// Reader would.
func TestTryReadPacket(t *testing.T) {
	src := &chunkedSource{parts: []string{
		"Event: A\r\n\r\nEvent: B\r\n\r\nEvent: C\r\nHalf",
		": x\r\n\r\n",
	}}
	r := NewReader(src)
	if _, ok, err := r.tryReadPacket(); ok || err != nil {
		t.Fatalf("before any read: ok %v, err %v", ok, err)
	}
	var got []string
	p, err := r.ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, p.Get("Event"))
	for {
		p, ok, err := r.tryReadPacket()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, p.Get("Event"))
	}
	if src.reads != 1 || fmt.Sprint(got) != "[A B]" {
		t.Fatalf("after one read: %v from %d reads", got, src.reads)
	}
	p, err = r.ReadPacket()
	if err != nil || p.Get("Event") != "C" || p.Get("Half") != "x" {
		t.Fatalf("third packet %q, %v", p.Raw, err)
	}
}

// chunkedSource returns its parts one per Read, then io.EOF.
type chunkedSource struct {
	parts []string
	reads int
}

func (s *chunkedSource) Read(p []byte) (int, error) {
	if s.reads >= len(s.parts) {
		return 0, errEOFForTest
	}
	n := copy(p, s.parts[s.reads])
	s.reads++
	return n, nil
}

var errEOFForTest = fmt.Errorf("end of test stream")
