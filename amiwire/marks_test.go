package amiwire

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// naiveNext is next by a plain scan of the bytes.
func naiveNext(buf []byte, c byte, from, to int) int {
	if i := bytes.IndexByte(buf[from:to], c); i >= 0 {
		return from + i
	}
	return -1
}

// checkMarks compares every lookup the Reader can make in buf[:w] with a
// plain scan.
func checkMarks(t *testing.T, m *lineMarks, buf []byte, w int) {
	t.Helper()
	if m.n != w {
		t.Fatalf("marked %d bytes, want %d", m.n, w)
	}
	if len(m.nl) < w>>6+1 || len(m.colon) < w>>6+1 {
		t.Fatalf("%d/%d mark words for %d bytes: the word of position %d is missing", len(m.nl), len(m.colon), w, w)
	}
	if keep := uint64(1)<<(w&63) - 1; m.nl[w>>6]&^keep != 0 || m.colon[w>>6]&^keep != 0 {
		t.Fatalf("marks set at or past the end of the input (%d)", w)
	}
	step := max(1, w/97) // every "to" for some "from", every "from" for some "to"
	for from := 0; from <= w; from++ {
		for _, to := range []int{from, min(w, from+1), min(w, from+63), min(w, from+64), min(w, from+200), w} {
			for _, c := range []struct {
				b     byte
				marks []uint64
			}{{'\n', m.nl}, {':', m.colon}} {
				if got, want := next(c.marks, from, to), naiveNext(buf, c.b, from, to); got != want {
					t.Fatalf("next %q in [%d,%d) of %d marked bytes = %d, want %d", c.b, from, to, w, got, want)
				}
			}
		}
		if from%step != 0 {
			continue
		}
		for to := from; to <= w; to++ {
			if got, want := next(m.nl, from, to), naiveNext(buf, '\n', from, to); got != want {
				t.Fatalf("next '\\n' in [%d,%d) of %d marked bytes = %d, want %d", from, to, w, got, want)
			}
		}
	}
}

// markInput is bytes rich in line ends and colons, with every other byte
// value too.
func markInput(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		switch rng.IntN(6) {
		case 0:
			b[i] = '\n'
		case 1:
			b[i] = ':'
		default:
			b[i] = byte(rng.IntN(256))
		}
	}
	return b
}

func TestMarkBlocksMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 64, 128, 64 * 7, 4096} {
		b := markInput(rng, n+rng.IntN(64)) // a partial block at the end is not marked
		nl, colon := make([]uint64, n/64+1), make([]uint64, n/64+1)
		wantNL, wantColon := make([]uint64, n/64+1), make([]uint64, n/64+1)
		markBlocks(b, nl, colon)
		markBlocksGeneric(b, wantNL, wantColon)
		for k := range nl {
			if nl[k] != wantNL[k] || colon[k] != wantColon[k] {
				t.Fatalf("%d bytes, block %d: marks %#x %#x, want %#x %#x", len(b), k, nl[k], colon[k], wantNL[k], wantColon[k])
			}
		}
	}
}

// TestLineMarksGrowing marks input as a Reader does, a read at a time into
// a buffer whose unread part holds stale bytes of earlier input.
func TestLineMarksGrowing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{1, 63, 64, 65, 200, 1000} {
		input := markInput(rng, size)
		for _, extra := range []int{0, 1, 64, 100} {
			buf := markInput(rng, size+extra) // stale bytes everywhere
			var m lineMarks
			m.update(buf, 0)
			checkMarks(t, &m, buf, 0)
			for w := 0; w < size; {
				w2 := min(size, w+1+rng.IntN(80))
				copy(buf[w:w2], input[w:w2])
				m.update(buf, w2)
				checkMarks(t, &m, buf, w2)
				w = w2
			}
			m.reset() // as after the input moved
			m.update(buf, size)
			checkMarks(t, &m, buf, size)
		}
	}
}

func FuzzLineMarks(f *testing.F) {
	f.Add([]byte("Event: X\r\nKey: a:b\r\n\r\n"), []byte{3, 64, 1})
	f.Add(bytes.Repeat([]byte("::\n"), 50), []byte{})
	f.Fuzz(func(t *testing.T, input, splits []byte) {
		if len(input) > 4096 {
			return
		}
		buf := bytes.Repeat([]byte("\n:x"), (len(input)+130)/3) // stale bytes past the input
		var m lineMarks
		w := 0
		for _, s := range splits {
			w2 := min(len(input), w+int(s))
			copy(buf[w:w2], input[w:w2])
			m.update(buf, w2)
			w = w2
		}
		copy(buf[w:], input[w:])
		m.update(buf, len(input))
		checkMarks(t, &m, buf, len(input))
	})
}

func BenchmarkMarkBlocks(b *testing.B) {
	data := floodStream(b)
	data = data[:len(data)&^63]
	nl, colon := make([]uint64, len(data)/64), make([]uint64, len(data)/64)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		markBlocks(data, nl, colon)
	}
}

// TestFieldViewLayout guards parseHeaders' writing of Fields as
// fieldViews: the two must have one layout, strings as pointer and length.
func TestFieldViewLayout(t *testing.T) {
	var f Field
	var v fieldView
	if unsafe.Sizeof(f) != unsafe.Sizeof(v) ||
		unsafe.Offsetof(f.Value) != unsafe.Offsetof(v.val) ||
		unsafe.Sizeof(f.Key) != unsafe.Sizeof(v.key)+unsafe.Sizeof(v.keyLen) {
		t.Fatalf("Field (%d bytes, Value at %d) and fieldView (%d bytes, val at %d) differ",
			unsafe.Sizeof(f), unsafe.Offsetof(f.Value), unsafe.Sizeof(v), unsafe.Offsetof(v.val))
	}
	s := "Key: value"
	*(*fieldView)(unsafe.Pointer(&f)) = fieldView{unsafe.Pointer(unsafe.StringData(s)), 3, unsafe.Pointer(unsafe.StringData(s[5:])), 5}
	if f.Key != "Key" || f.Value != "value" {
		t.Fatalf("written as a fieldView, the Field reads %q: %q", f.Key, f.Value)
	}
}
