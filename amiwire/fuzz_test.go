package amiwire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// Small limits for fuzzing, so that every limit is reachable.
const (
	fuzzMaxLine    = 64
	fuzzMaxPacket  = 256
	fuzzMaxHeaders = 8
)

func fuzzReader(src io.Reader) *Reader {
	r := NewReader(src)
	r.MaxLineLength, r.MaxPacketSize, r.MaxHeaders = fuzzMaxLine, fuzzMaxPacket, fuzzMaxHeaders
	return r
}

// fuzzRead reads src to the end and returns what ReadPacket gave, checking
// the invariants on the way: no endless loop, memory within bounds, every
// packet's Raw non-empty, within the limits and found in the input in order,
// and its fields exactly those of its Raw read alone.
func fuzzRead(t *testing.T, data []byte, src io.Reader) []string {
	r := fuzzReader(src)
	var out []string
	at := 0
	for range len(data) + 2 {
		p, err := r.ReadPacket()
		if len(r.buf) > max(chunkSize, 2*fuzzMaxPacket) {
			t.Fatalf("buffer grew to %d bytes", len(r.buf))
		}
		if len(r.fields) > max(fieldSlabLen, 2*fuzzMaxHeaders) {
			t.Fatalf("field slab grew to %d", len(r.fields))
		}
		if err == io.EOF {
			if r.buffered() != 0 || r.Offset() != int64(len(data)) {
				t.Fatalf("io.EOF with %d bytes buffered at offset %d of %d", r.buffered(), r.Offset(), len(data))
			}
			return out
		}
		var pe *ProtocolError
		switch {
		case err == nil:
		case errors.As(err, &pe) && pe.Limit != "":
		case errors.As(err, &pe) && errors.Is(err, io.ErrUnexpectedEOF):
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if err == nil {
			if len(p.Raw) == 0 || len(p.Raw) > fuzzMaxPacket || len(p.Fields) == 0 || len(p.Fields) > fuzzMaxHeaders {
				t.Fatalf("packet of %d bytes, %d fields", len(p.Raw), len(p.Fields))
			}
			i := bytes.Index(data[at:], p.Raw)
			if i < 0 {
				t.Fatalf("Raw %q not in the input after byte %d", p.Raw, at)
			}
			at += i + len(p.Raw)
			q, err := fuzzReader(bytes.NewReader(p.Raw)).ReadPacket()
			if err != nil || !equalFields(q.Fields, p.Fields) || !bytes.Equal(q.Raw, p.Raw) {
				t.Fatalf("Raw %q read alone gives %q, %v; in the stream %q", p.Raw, q.Fields, err, p.Fields)
			}
		}
		out = append(out, result(p, err))
	}
	t.Fatalf("no io.EOF after %d reads", len(data)+2)
	return nil
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"Event: A\r\nX: 1\r\n\r\n",
		"Event: A\nX: 1\n\n\r\n\nEvent: B\n\n",
		"Response: Follows\r\nPrivilege: Command\r\nActionID: 1\r\nline\n\nx: y\nlast--END COMMAND--\r\n\r\n",
		"Response: Follows\r\nActionID: 3\r\nMessage: Result will follow\r\n\r\n",
		"Event: A\r\nLong: " + strings.Repeat("0123456789", 8) + "\r\n\r\nEvent: B\r\n\r\n",
		"Event: A\r\nX",
		"\r",
		"Key:\r\n:v\r\nno colon\r\n\x00\xff: \xfe\r\n\r\n",
		"Response: Follows\r\nPrivilege: Command\r\nNo such command\r\n\r\n\r\nResponse: Goodbye\r\n\r\n",
		"queue has 0 calls, W:0\n   Members: \n\nsales\n\n\nEvent: A\n\n",
		"No queues.\r\n\r\nResp",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := fuzzRead(t, data, bytes.NewReader(data))
		bytewise := fuzzRead(t, data, iotest.OneByteReader(bytes.NewReader(data)))
		if len(whole) != len(bytewise) {
			t.Fatalf("whole: %q\none byte at a time: %q", whole, bytewise)
		}
		for i := range whole {
			if whole[i] != bytewise[i] {
				t.Fatalf("result %d: whole %q, one byte at a time %q", i, whole[i], bytewise[i])
			}
		}
		// The banner reader never panics either, and never reads past its line.
		r := NewReader(bytes.NewReader(data))
		if b, err := r.ReadBanner(); err == nil && (len(b) > maxBanner || !bytes.HasPrefix(data, []byte(b))) {
			t.Fatalf("banner %q", b)
		}
	})
}

// fuzzPacket builds a packet from fuzz input: fields separated by 0x1f, key
// and value by the first 0x1e (no 0x1e: the whole field is the key).
func fuzzPacket(data string) Packet {
	var p Packet
	for _, f := range strings.Split(data, "\x1f") {
		k, v, _ := strings.Cut(f, "\x1e")
		p.Fields = append(p.Fields, Field{k, v})
	}
	return p
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{
		"Action\x1eLogin\x1fUsername\x1eadmin\x1fSecret\x1es3cret",
		"Action\x1eOriginate\x1fVariable\x1eA=1\x1fVariable\x1eB=b: c\x1fData\x1e",
		"Response\x1eFollows\x1fPrivilege\x1eCommand",
		"Response\x1e Follows \x1fX\x1ey",
		"Action\x1eX\x1fK\x1e  lead",
		"Action\x1eX\x1fK\x1ev\r\nInjected: yes",
		"ChanVariable(PJSIP/100-0001)\x1ename=value",
		"Action\x1e--END COMMAND--",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		p := fuzzPacket(data)
		enc, err := appendAction(nil, p)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		if bytes.Count(enc, []byte("\r\n\r\n")) != 1 || !bytes.HasSuffix(enc, []byte("\r\n\r\n")) {
			t.Fatalf("encoding has an empty line inside: %q", enc)
		}
		r := NewReader(bytes.NewReader(enc))
		q, err := r.ReadPacket()
		if err != nil {
			t.Fatalf("reading %q: %v", enc, err)
		}
		if !equalFields(p.Fields, q.Fields) || !bytes.Equal(q.Raw, enc) {
			t.Fatalf("wrote %q\nread  %q", p.Fields, q.Fields)
		}
		if _, err := r.ReadPacket(); err != io.EOF {
			t.Fatalf("more after the packet: %v", err)
		}
	})
}

// skimReadAll reads src to the end (bounded) and returns what ReadPacket gave,
// rendered by result. With skim, the Reader skims events and every packet
// that came back skimmed is completed (Packet.Complete), so the results
// must equal those of a plain Reader.
func skimReadAll(t *testing.T, n int, src io.Reader, skim bool) []string {
	r := fuzzReader(src)
	r.skimEvents = skim
	var out []string
	for range n + 2 {
		p, err := r.ReadPacket()
		if err == io.EOF {
			return out
		}
		// What a router sees must not depend on skimming: the kind and
		// the ActionID, before the rest is parsed.
		route := ""
		if err == nil {
			route = fmt.Sprintf("%v %q %q %v|", p.kind(), p.Get("Event"), p.Get("ActionID"), listMarkOf(p))
		}
		if err == nil && skim && skimmed(p) {
			p = p.Complete(nil)
		}
		out = append(out, route+result(p, err))
	}
	t.Fatalf("no io.EOF after %d reads", n+2)
	return nil
}

// FuzzSkimEvents checks that skimming plus Packet.Complete read any stream
// exactly as a plain Reader does, whatever the read sizes.
func FuzzSkimEvents(f *testing.F) {
	for _, s := range []string{
		"Event: A\r\nX: 1\r\n\r\n",
		"Event: A\nX: 1\n\n\r\n\nEvent: B\n\n",
		"Event:\r\n\r\nevent: b\r\nY:2\r\n\r\n",
		"EVENT:x\n\rfoo\r\n\r\n",
		"Event: A\r\nLong: " + strings.Repeat("0123456789", 8) + "\r\n\r\nEvent: B\r\n\r\n",
		"Event: A\r\n1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n8\r\n9\r\n\r\n",
		"Event: A\r\nX",
		"Response: Follows\r\nPrivilege: Command\r\nline\n\n--END COMMAND--\r\n\r\n",
		"Event : A\r\n\r\n",
		// Skimming starts at the second packet of a read: the first is
		// parsed as the data arrives.
		"Event: A\r\n\r\nEvent : B\r\n\r\nEventX: C\r\n\r\nevent:D\r\nActionID: 1\r\n\r\nEVENT: E\r\nX: 1\r\n\r\n",
		"Event: A\r\n\r\nEvent: I\r\nActionID: 7\r\nX: 1\r\n\r\nEvent: J\r\nActionID:7\r\nactionid: 8\r\n\r\n" +
			"Event: IComplete\r\nActionID: 7\r\nEventList: Complete\r\nListItems: 1\r\n\r\nEvent: K\r\neventlist:cancelled\r\n\r\nEvent: L\r\nEventLists: x\r\n\r\n",
		"Event: A\r\nActionID: 7\r\nX: y\r\n\r\nEvent: B\r\nactionid:8\r\n\r\nEvent: C\r\nActionIDs: 9\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := skimReadAll(t, len(data), bytes.NewReader(data), false)
		for name, src := range map[string]io.Reader{
			"whole":    bytes.NewReader(data),
			"one byte": iotest.OneByteReader(bytes.NewReader(data)),
			"half":     iotest.HalfReader(bytes.NewReader(data)),
		} {
			got := skimReadAll(t, len(data), src, true)
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("%s, skimming: %q\nplain: %q", name, got, want)
			}
		}
	})
}

// TestSkimEventsFixtures reads every fixture stream skimming, a few bytes
// at a time and whole, and compares with a plain Reader.
func TestSkimEventsFixtures(t *testing.T) {
	data := append(mixedStream(t), floodStream(t)...)
	want := skimReadAll(t, len(data), bytes.NewReader(data), false)
	for name, src := range map[string]io.Reader{
		"whole":        bytes.NewReader(data),
		"7-byte reads": &chunkReader{data: data, n: 7},
	} {
		if got := skimReadAll(t, len(data), src, true); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("%s: skimming differs from plain reading", name)
		}
	}
	r := NewReader(bytes.NewReader(floodStream(t)))
	r.skimEvents = true
	p, err := r.ReadPacket() // the login's response: read as usual
	if err != nil || len(p.Fields) != 3 || p.kind() != kindResponse {
		t.Fatalf("a response, skimming: %q, %v", p.Fields, err)
	}
	for p.Get("Event") != "UserEvent" {
		if p, err = r.ReadPacket(); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.Fields) != 1 {
		t.Fatalf("a flood event skimmed: %q", p.Fields)
	}
	// The first packet of a read is parsed as it arrives: skimming starts
	// with the second.
	r = NewReader(strings.NewReader("Event: W\r\n\r\nEvent: X\r\nA: 1\r\nActionID: 7\r\n\r\nEvent: Y\r\nA: 1\r\n\r\n"))
	r.skimEvents = true
	if p, err := r.ReadPacket(); err != nil || p.Get("Event") != "W" {
		t.Fatalf("first packet: %q, %v", p.Fields, err)
	}
	if p, err := r.ReadPacket(); err != nil || p.Get("ActionID") != "7" {
		t.Fatalf("an event with an ActionID, skimming: %q, %v", p.Fields, err)
	}
	if p, err := r.ReadPacket(); err != nil || len(p.Fields) != 1 || p.Get("Event") != "Y" {
		t.Fatalf("an event without, skimming: %q, %v", p.Fields, err)
	}
}

// chunkReader returns data n bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[k:]
	return k, nil
}

// referencePackets parses data the plain way, line by line with the
// strings package: the packets a Reader must return for input without a
// legacy Command reply and within the default limits. Each line loses one
// trailing CR; a packet ends at an empty line; empty lines between packets
// are skipped; a field is cut at its first colon, losing one space after
// it (no colon: the whole line is the value). A packet whose first line is
// not a header (a key without blanks, then a colon) is bare text: every
// line is an Output field, empty ones too, up to an empty line followed,
// past more empty lines, by a packet's first line or the end of the data
// (a line cut off by the end that may still become one counts as one). A
// packet the data ends inside is left out (the Reader reports an error
// there).
func referencePackets(data string) [][]Field {
	lines := strings.SplitAfter(data, "\n") // the last one is cut off (maybe "")
	complete := lines[:len(lines)-1]
	cutOff := lines[len(lines)-1]
	var pkts [][]Field
	var cur []Field
	text := false
	for i, line := range complete {
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if cur != nil && (!text || refBodyEnds(complete[i+1:], cutOff)) {
				pkts = append(pkts, cur)
				cur, text = nil, false
				continue
			}
			if cur == nil {
				continue
			}
		}
		if cur == nil {
			k, _, ok := strings.Cut(line, ":")
			text = !ok || k == "" || strings.ContainsAny(k, " \t")
		}
		f := Field{Value: line}
		if text {
			f.Key = "Output"
		} else if k, v, ok := strings.Cut(line, ":"); ok {
			f = Field{Key: k, Value: strings.TrimPrefix(v, " ")}
		}
		cur = append(cur, f)
	}
	return pkts
}

// refBodyEnds says whether bare text ends at an empty line followed by
// the complete lines rest and then cutOff.
func refBodyEnds(rest []string, cutOff string) bool {
	for _, line := range rest {
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line != "" {
			return refPacketStart(line, true)
		}
	}
	return refPacketStart(cutOff, false)
}

func refPacketStart(line string, complete bool) bool {
	if !complete && (line == "" || line == "\r") {
		return true // the end of the data
	}
	l := strings.ToLower(line)
	for _, key := range []string{"response:", "event:", "action:"} {
		if strings.HasPrefix(l, key) || !complete && strings.HasPrefix(key, l) {
			return true
		}
	}
	return false
}

// FuzzReaderMatchesReference checks the Reader's fields, read whole and
// in one-byte reads, against referencePackets: a second parser, written
// plainly, for everything but the legacy Command reply.
func FuzzReaderMatchesReference(f *testing.F) {
	f.Add([]byte("support has 0 calls (max unlimited) in 'ringall' strategy, W:0\r\n   Members: \r\n\r\nsales has 1 call\r\n\r\n\r\n\r\nResponse: Goodbye\r\n\r\n"))
	f.Add([]byte("No queues.\n\n\nEv"))
	f.Add([]byte("Event: A\r\nX: 1\r\nY:2\r\nZ:  3\r\nno colon\r\n:v\r\nk:\r\n\r\n\r\nEvent: B\n\n"))
	f.Add([]byte("Event: UserEvent\r\nChannel: Local/x@y-0000005c;2\r\nTime: 12:34:56\r\n\r\n"))
	f.Add([]byte("Response: Success\r\nA: " + strings.Repeat("x:", 40) + "\r\n" + strings.Repeat("K: v\r\n", 30) + "\r\n"))
	f.Add([]byte("A: b\r\r\n\r\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if l := bytes.ToLower(data); bytes.Contains(l, []byte("follows")) || bytes.Contains(data, []byte(endCommand)) || len(data) > 1<<16 {
			return // the legacy Command reply is the one thing the reference does not do
		}
		want := referencePackets(string(data))
		for _, src := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data))} {
			r := NewReader(src)
			for i := 0; ; i++ {
				p, err := r.ReadPacket()
				if err != nil {
					if i != len(want) {
						t.Fatalf("packet %d: %v; the reference has %d packets", i, err, len(want))
					}
					break
				}
				if i >= len(want) || !equalFields(p.Fields, want[i]) {
					var w []Field
					if i < len(want) {
						w = want[i]
					}
					t.Fatalf("packet %d: %q, the reference %q", i, p.Fields, w)
				}
			}
		}
	})
}

// FuzzOwn checks that ReadPacket's packets, copies of their own (own),
// equal what the Reader parsed in place, field by field and byte by byte,
// and that Clone of one equals it too.
func FuzzOwn(f *testing.F) {
	for _, s := range []string{
		"Event: A\r\nX: 1\r\n\r\n",
		"Response: Follows\r\nPrivilege: Command\r\nline\n\n--END COMMAND--\r\n\r\n",
		"Event: A\r\nnocolon\r\n: empty key\r\nK:\r\n\r\n",
		"bare text\r\nmore\r\n\r\nResponse: Success\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lent, owned := fuzzReader(bytes.NewReader(data)), fuzzReader(bytes.NewReader(data))
		for range len(data) + 2 {
			p, err := lent.readPacket(true)
			q, qerr := owned.ReadPacket()
			if result(p, err) != result(q, qerr) {
				t.Fatalf("in place %s\nowned %s", result(p, err), result(q, qerr))
			}
			if err != nil {
				if err == io.EOF {
					return
				}
				continue
			}
			if c := q.Clone(); result(c, nil) != result(q, nil) || !bytes.Equal(c.Raw, q.Raw) {
				t.Fatalf("Clone %s\nof %s", result(c, nil), result(q, nil))
			}
			if !bytes.Equal(p.Raw, q.Raw) {
				t.Fatalf("Raw %q, owned %q", p.Raw, q.Raw)
			}
		}
	})
}
