package format

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// rawChecker compares WriteRaw with parsing and WritePacket, for the json
// and text writers with and without Options.Escape. Its writers are reused
// (New's 64 KiB buffer would dominate a fuzz run).
type rawChecker struct {
	sets []rawSet
}

type rawSet struct {
	name       string
	opts       Options
	ref, fast  Writer
	refB, fstB *bytes.Buffer
}

func newRawChecker(t testing.TB, optss ...Options) *rawChecker {
	if len(optss) == 0 {
		optss = []Options{{}, {Escape: true}}
	}
	c := &rawChecker{}
	for _, name := range []string{"json", "text"} {
		for _, opts := range optss {
			s := rawSet{name: name, opts: opts, refB: new(bytes.Buffer), fstB: new(bytes.Buffer)}
			ref, err := New(name, s.refB, opts)
			if err != nil {
				t.Fatal(err)
			}
			fast, _ := New(name, s.fstB, opts)
			s.ref, s.fast = ref, fast
			c.sets = append(c.sets, s)
		}
	}
	return c
}

// onePacket returns the packet amiwire's Reader reads from raw, and
// whether raw is exactly that one packet (no stray empty line before it,
// nothing after it).
func onePacket(raw []byte) (amiwire.Packet, bool) {
	r := amiwire.NewReader(bytes.NewReader(raw))
	p, err := r.ReadPacket()
	if err != nil || !bytes.Equal(p.Raw, raw) {
		return p, false
	}
	if _, err := r.ReadPacket(); err != io.EOF {
		return p, false
	}
	return p, true
}

// check runs WriteRaw on raw with every writer and reports, per writer
// name and options, whether it took the packet. Taking it, it must write
// what WritePacket writes for the parsed packet; declining, nothing. It
// must decline bytes that are not exactly one packet.
func (c *rawChecker) check(t testing.TB, raw []byte) map[string]bool {
	t.Helper()
	p, one := onePacket(raw)
	took := map[string]bool{}
	for _, s := range c.sets {
		s.refB.Reset()
		s.fstB.Reset()
		rw, ok := s.fast.(RawWriter)
		if !ok {
			t.Fatalf("%s is not a RawWriter", s.name)
		}
		ok, err := rw.WriteRaw(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.fast.Flush(); err != nil {
			t.Fatal(err)
		}
		took[fmt.Sprintf("%s%+v", s.name, s.opts)] = ok
		if !ok {
			if s.fstB.Len() != 0 {
				t.Fatalf("%s %+v: declined %q but wrote %q", s.name, s.opts, raw, s.fstB.Bytes())
			}
			continue
		}
		if !one {
			t.Fatalf("%s %+v: took %q, which is not one packet", s.name, s.opts, raw)
		}
		// The parse as the listen loop does it: Complete, from the bytes.
		fields := amiwire.Packet{Raw: raw}.Complete(nil).Fields
		if !equalFields(fields, p.Fields) {
			t.Fatalf("Complete and Reader disagree on %q", raw)
		}
		if err := s.ref.WritePacket(p); err != nil {
			t.Fatal(err)
		}
		if err := s.ref.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(s.fstB.Bytes(), s.refB.Bytes()) {
			t.Fatalf("%s %+v: raw %q\nWriteRaw    %q\nWritePacket %q", s.name, s.opts, raw, s.fstB.Bytes(), s.refB.Bytes())
		}
	}
	return took
}

func equalFields(a, b []amiwire.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// plainEvent reports whether the fast paths are for p: an event whose
// lines are all "Key: Value" + CRLF, printable ASCII without '"' or '\\',
// no key twice, no key starting with '@', at most 64 lines.
func plainEvent(p amiwire.Packet) bool {
	if !p.Has("Event") || len(p.Fields) > rawMaxLines {
		return false
	}
	seen := map[string]bool{}
	for _, f := range p.Fields {
		if f.Key == "" || f.Key[0] == '@' || seen[f.Key] || !isPlain(f.Key) || !isPlain(f.Value) {
			return false
		}
		seen[f.Key] = true
	}
	var want []byte
	for _, f := range p.Fields {
		want = append(want, f.Key+": "+f.Value+"\r\n"...)
	}
	return bytes.Equal(append(want, '\r', '\n'), p.Raw)
}

// TestWriteRawFixtures: on every packet of every transcript WriteRaw
// writes what WritePacket writes or declines, and it declines no plain
// event (so the fast path is what the listen loop gets).
func TestWriteRawFixtures(t *testing.T) {
	c := newRawChecker(t)
	declinedBy := newRawChecker(t, Options{Color: true}, Options{Fields: []string{"Event"}})
	var plain, taken, total int
	for name, ps := range allFixtures(t) {
		for i, p := range ps {
			total++
			took := c.check(t, p.Raw)
			if plainEvent(p) {
				plain++
				for k, ok := range took {
					if !ok {
						t.Errorf("%s: packet %d: %s declined a plain event %q", name, i, k, p.Raw)
					}
				}
			}
			if took[fmt.Sprintf("json%+v", Options{})] {
				taken++
			}
			for k, ok := range declinedBy.check(t, p.Raw) {
				if ok && !strings.HasPrefix(k, "json{Color:true") {
					t.Errorf("%s: packet %d: %s took it", name, i, k)
				}
			}
		}
	}
	if plain == 0 {
		t.Fatal("no plain event in the fixtures")
	}
	t.Logf("%d packets, %d plain events, %d taken by json", total, plain, taken)
}

// rawCases are handmade wire packets: the awkward cases, and ordinary ones
// whose keys and values end at every offset of a word.
func rawCases() []string {
	cases := []string{
		"Event: A\r\nKey: v\r\n\r\n",
		"Event: A\nKey: v\n\n",          // bare LF
		"Event: A\r\nKey: v\n\r\n",      // mixed
		"Event: A\nKey: v\r\n\n",        // mixed
		"Event: A\r\nKey: a\rb\r\n\r\n", // CR inside a line
		"Event: A\r\nKey: v\r\r\n\r\n",  // CR CR LF
		"Event: A\r\n\r\r\n\r\n",        // a line of one CR
		"Event: A\r\nK\rey: v\r\n\r\n",  // CR in a key
		"Event: A\r\nKey:\r\n\r\n",      // empty value, no space
		"Event: A\r\nKey:\n\n",          // the same, bare LF
		"Event: A\r\nKey: \r\n\r\n",     // empty value
		"Event: A\r\nKey:value\r\n\r\n", // no space
		"Event: A\r\nKey:  two\r\n\r\n", // two spaces
		"Event: A\r\nKey:\tv\r\n\r\n",   // a tab for the space
		"Event: A\r\nKey: a\tb\r\n\r\n", // a tab inside
		"Event: A\r\n: leading\r\n\r\n", // empty key
		"Event: A\r\n:\r\n\r\n",         // empty key and value
		":x\r\n\r\n",                    // empty key first
		"Event: A\r\ncolonless line\r\n\r\n",
		"colonless first\r\nEvent: A\r\n\r\n",
		"Event: A\r\nK: 1\r\nK: 2\r\n\r\n",                       // repeated
		"Event: A\r\nK: 1\r\nk: 2\r\n\r\n",                       // not repeated
		"Event: A\r\nVariable: 1\r\nX: 2\r\nVariable: 3\r\n\r\n", // repeated, apart
		"Event: A\r\nLongKeyNumberOne: 1\r\nLongKeyNumberOne: 2\r\n\r\n",
		"Event: A\r\nLongKeyNumberOneX: 1\r\nLongKeyNumberTwoX: 2\r\n\r\n", // same first and last words
		"Event: A\r\nABCDEFGHxABCDEFGH: 1\r\nABCDEFGHyABCDEFGH: 2\r\n\r\n",
		"Event: Zoë\r\n\r\n", // non-ASCII
		"Event: A\r\nK\xe9y: v\r\n\r\n",
		"Event: A\r\nKey: \xff\xfe\r\n\r\n",
		"Event: A\r\nKey: \u2028\r\n\r\n",
		"Event: A\r\nKey: a\"b\r\n\r\n",
		"Event: A\r\nKey: a\\b\r\n\r\n",
		"Event: A\r\nK\"y: v\r\n\r\n",
		"Event: A\r\nK\\y: v\r\n\r\n",
		"Event: A\r\nKey: a\x7fb\r\n\r\n",
		"Event: A\r\nKey: a\x00b\r\n\r\n",
		"Event: A\r\nKey: <a href='x'>&amp;</a>\r\n\r\n",
		"Event: A\r\nMy Key: v: w: x\r\n\r\n",
		"Event: A\r\n@timestamp: x\r\n\r\n",
		"Event: A\r\n@lines: x\r\n\r\n",
		"Event: A\r\n@other: x\r\n\r\n",
		"Response: Follows\r\nPrivilege: Command\r\nline one\r\n--END COMMAND--\r\n\r\n",
		"Response: Follows\r\nActionID: 1\r\nOutput: x\r\n\r\n",
		"response:  follows \t\r\nA: b\r\n\r\n",
		"RESPONSE:FOLLOWS\r\nA: b\r\n\r\n",
		"Response: Follow\u017f\r\nA: b\r\n\r\n", // folds to "Follows"
		"Response: Follows x\r\nA: b\r\n\r\n",
		"Response: Success\r\nMessage: ok\r\n\r\n",
		"Responses: Follows\r\nA: b\r\n\r\n",
		"Event: Response\r\nResponse: Follows\r\n\r\n",
		"\r\nEvent: A\r\n\r\n",             // a stray empty line first
		"\nEvent: A\r\n\r\n",               // the same, LF
		"Event: A\r\n\r\nEvent: B\r\n\r\n", // two packets
		"Event: A\r\n\r\n\r\n",             // an empty line after
		"Event: A\r\n",                     // no empty line
		"Event: A\r\n\r",                   // half an empty line
		"Event: A",                         // no line end
		"Event: A\r\nKey: v",               // no line end, later
		"Event: A:\r\n\r\n",
		"Event:\r\n\r\n",
		"A:\n\n", // shorter than a word
		"A: b\n\n",
		"A: b\r\n\r\n", // exactly a word
		"AB: c\n\n",
		"\r\n",
		"\n",
		"",
		"Event: A\r\n\n",
		"Event: A\n\r\n",
		"Event: " + strings.Repeat("x", 300) + "\r\n\r\n",
		"Event: A\r\n" + strings.Repeat("K", 200) + ": v\r\n\r\n",
	}
	// 63, 64 and 65 lines, with distinct keys and with one repeat.
	for _, n := range []int{rawMaxLines - 1, rawMaxLines, rawMaxLines + 1} {
		var b, rep strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "Key%d: v%d\r\n", i, i)
			fmt.Fprintf(&rep, "K%d: v\r\n", i%(n-1))
		}
		cases = append(cases, b.String()+"\r\n", rep.String()+"\r\n")
	}
	// Keys and values of every length up to 26 bytes, so that each ends at
	// every offset of a word, before the last line and as the last one.
	s := strings.Repeat("abcdefghijklmnopqrstuvwxyz", 2)
	for n := 0; n <= 26; n++ {
		for _, end := range []string{"\r\n", "\n"} {
			k := "K" + s[:n]
			cases = append(cases,
				"Event: A"+end+k+": "+s[:n]+end+end,
				"Event: A"+end+k+": "+s[:n]+end+"Z: z"+end+end,
				"Event: "+s[:n]+end+end,
				"E"+s[:n]+": "+s[:n]+end+"Last"+s[:n]+":"+s[:n]+end+end,
				"Event: A"+end+k+":"+s[:n]+end+end,
				"Event: A"+end+k+":"+end+end,
				"Event: A"+end+k+end+end, // colonless
				"Event: A"+end+k+": "+s[:n]+"\"x"+end+end,
				"Event: A"+end+k+": "+s[:n]+"\x01"+end+end,
				"Event: A"+end+k+": "+s[:n]+"\r"+s[:n]+end+end,
				"Event: A"+end+k+"\xc3\xa9: "+s[:n]+end+end,
			)
		}
	}
	return cases
}

// TestWriteRaw compares WriteRaw with the parse on the handmade packets,
// and checks that it takes the ordinary ones and declines what it must.
func TestWriteRaw(t *testing.T) {
	c := newRawChecker(t)
	for _, raw := range rawCases() {
		c.check(t, []byte(raw))
	}
	for _, tc := range []struct {
		raw        string
		json, text bool // taken by json and by text
		escape     bool // text with Options.Escape declines it (it needs escaping)
	}{
		{"Event: A\r\nKey: v\r\n\r\n", true, true, false},
		{"Event: A\nKey: v\n\n", true, true, false},
		{"A: b\r\n\r\n", true, true, false},
		{"Event: A\r\nKey:\r\n\r\n", true, true, false},
		{"Event: A\r\nKey:value\r\n\r\n", true, true, false},
		{"Event: A\r\nKey:  two\r\n\r\n", true, true, false},
		{"Event: A\r\nK: 1\r\nk: 2\r\n\r\n", true, true, false},
		{"Event: A\r\nLongKeyNumberOneX: 1\r\nLongKeyNumberTwoX: 2\r\n\r\n", true, true, false},
		{"Event: A\r\nKey: a\x7fb\r\n\r\n", true, true, true},
		{"Response: Success\r\nMessage: ok\r\n\r\n", true, true, false},
		{"Event: A\r\nKey: a\rb\r\n\r\n", false, true, true},
		{"Event: A\r\nKey: a\tb\r\n\r\n", false, true, false},
		{"Event: Zoë\r\n\r\n", false, true, true},
		{"Event: A\r\nKey: a\"b\r\n\r\n", false, true, false},
		{"Event: A\r\ncolonless line\r\n\r\n", false, true, false},
		{"Event: A\r\nK: 1\r\nK: 2\r\n\r\n", false, true, false},
		{"Event: A\r\n@timestamp: x\r\n\r\n", false, true, false},
		{"Event: A\r\n: leading\r\n\r\n", false, false, false},
		{"Response: Follows\r\nPrivilege: Command\r\nline one\r\n--END COMMAND--\r\n\r\n", false, false, false},
		{"response:  follows \t\r\nA: b\r\n\r\n", false, false, false},
		{"Response: Follow\u017f\r\nA: b\r\n\r\n", false, false, false},
		{"\r\nEvent: A\r\n\r\n", false, false, false},
		{"Event: A\r\n\r\nEvent: B\r\n\r\n", false, false, false},
		{"A:\n\n", false, false, false},
	} {
		took := c.check(t, []byte(tc.raw))
		for k, ok := range took {
			want := tc.text
			if strings.HasPrefix(k, "json") {
				want = tc.json
			} else if strings.Contains(k, "Escape:true") && tc.escape {
				want = false
			}
			if ok != want {
				t.Errorf("%q: %s took it = %v, want %v", tc.raw, k, ok, want)
			}
		}
	}
}

// TestWriteRawSpare: whatever the buffer holds before and past its length,
// appendRawJSON and appendRawText append the same bytes and leave the
// rest alone when they decline.
func TestWriteRawSpare(t *testing.T) {
	var keys rawKeys
	for _, raw := range rawCases() {
		want, wok := appendRawJSON(nil, []byte(raw), &keys)
		wantT, tok := appendRawText(nil, []byte(raw))
		for _, spare := range []int{0, len(want), 1 << 12} {
			dst := append(make([]byte, 0, 3+spare), "pre"...)
			for i := len(dst); i < cap(dst); i++ {
				dst = append(dst, 0xff)
			}
			dst = dst[:3]
			got, ok := appendRawJSON(dst, []byte(raw), &keys)
			if ok != wok || string(got[:3]) != "pre" || !bytes.Equal(got[3:], want) || !ok && len(got) != 3 {
				t.Fatalf("json %q spare %d: %v %q, want %v %q", raw, spare, ok, got, wok, want)
			}
			got, ok = appendRawText(dst, []byte(raw))
			if ok != tok || string(got[:3]) != "pre" || !bytes.Equal(got[3:], wantT) || !ok && len(got) != 3 {
				t.Fatalf("text %q spare %d: %v %q, want %v %q", raw, spare, ok, got, tok, wantT)
			}
		}
	}
}

// TestWriteRawErrors: a writer with an error reports it, as WritePacket
// does, without writing; a full buffer is written out.
func TestWriteRawErrors(t *testing.T) {
	boom := fmt.Errorf("boom")
	raw := []byte(realisticEvent)
	for _, name := range []string{"json", "text"} {
		calls := 0
		w, _ := New(name, failWriter{err: boom, calls: &calls}, Options{})
		rw := w.(RawWriter)
		var err error
		for i := 0; i < 1000 && err == nil; i++ {
			var ok bool
			if ok, err = rw.WriteRaw(raw); !ok {
				t.Fatalf("%s: declined", name)
			}
		}
		if err != boom || calls != 1 {
			t.Fatalf("%s: err %v after %d writes, want boom after 1", name, err, calls)
		}
		if ok, err := rw.WriteRaw(raw); !ok || err != boom || calls != 1 {
			t.Fatalf("%s: then %v %v, %d writes", name, ok, err, calls)
		}
	}
}

func TestWriteRawNoAllocs(t *testing.T) {
	ps := benchPackets(t)
	for _, name := range []string{"json", "text"} {
		w, _ := New(name, io.Discard, Options{})
		rw := w.(RawWriter)
		for _, p := range ps {
			if ok, _ := rw.WriteRaw(p.Raw); !ok {
				t.Fatalf("%s: declined %q", name, p.Raw)
			}
		}
		i := 0
		n := testing.AllocsPerRun(2000, func() {
			_, _ = rw.WriteRaw(ps[i%len(ps)].Raw)
			i++
		})
		if n != 0 {
			t.Errorf("%s: %v allocs per packet, want 0", name, n)
		}
	}
}

// FuzzWriteRaw: for any bytes, WriteRaw declines (writing nothing) or
// writes what parsing them and WritePacket write; it takes only bytes
// that are exactly one packet.
func FuzzWriteRaw(f *testing.F) {
	for _, raw := range rawCases() {
		f.Add([]byte(raw))
	}
	f.Add([]byte(realisticEvent))
	for _, name := range []string{"originate-async.server.ami", "call-lifecycle.listener.server.ami"} {
		for i, p := range fixturePackets(f, name, false) {
			if i < 20 {
				f.Add(p.Raw)
			}
		}
	}
	var c *rawChecker
	f.Fuzz(func(t *testing.T, raw []byte) {
		if c == nil {
			c = newRawChecker(t)
		}
		c.check(t, raw)
	})
}

// rawBench measures writing the realistic events from their Raw, either
// with WriteRaw or with Packet.Complete and WritePacket, as the listen
// loop does without WriteRaw. Bytes per op are input (wire) bytes.
func rawBench(b *testing.B, name string, opts Options, fromRaw bool) {
	ps := benchPackets(b)
	var total int
	for _, p := range ps {
		total += len(p.Raw)
	}
	b.SetBytes(int64(total / len(ps)))
	w, err := New(name, io.Discard, opts)
	if err != nil {
		b.Fatal(err)
	}
	rw := w.(RawWriter)
	scratch := make([]amiwire.Field, 0, 128)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw := ps[i%len(ps)].Raw
		if fromRaw {
			if ok, err := rw.WriteRaw(raw); !ok || err != nil {
				b.Fatal("declined", err)
			}
			continue
		}
		if err := w.WritePacket(amiwire.Packet{Raw: raw}.Complete(scratch)); err != nil {
			b.Fatal(err)
		}
	}
	_ = w.Flush()
}

func BenchmarkJSONFromRaw(b *testing.B)        { rawBench(b, "json", Options{}, true) }
func BenchmarkJSONParseThenWrite(b *testing.B) { rawBench(b, "json", Options{}, false) }
func BenchmarkTextFromRaw(b *testing.B)        { rawBench(b, "text", Options{}, true) }
func BenchmarkTextParseThenWrite(b *testing.B) { rawBench(b, "text", Options{}, false) }

// BenchmarkTextFromRawEscape is text for a terminal (Options.Escape,
// without colour) of the same plain events: still the fast path, after a
// check that nothing needs escaping.
func BenchmarkTextFromRawEscape(b *testing.B) { rawBench(b, "text", Options{Escape: true}, true) }
