package amiwire

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/ami-cli/ami/amiwire/internal/wire"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// result renders what ReadPacket returned, for comparing with a table: a
// packet as its String form, an error as "!" and its kind.
func result(p Packet, err error) string {
	var pe *ProtocolError
	switch {
	case err == nil:
		return p.String()
	case errors.As(err, &pe) && pe.Limit != "":
		return "!limit " + pe.Limit
	case errors.As(err, &pe) && errors.Is(err, io.ErrUnexpectedEOF):
		return "!unexpected EOF"
	}
	return "!" + err.Error()
}

// readResults reads src to io.EOF (at most 1000 results) and checks that
// every packet's Raw appears in the input, in order.
func readResults(t *testing.T, input string, src io.Reader, setup func(*Reader)) []string {
	t.Helper()
	r := NewReader(src)
	if setup != nil {
		setup(r)
	}
	var out []string
	at := 0
	for range 1000 {
		p, err := r.ReadPacket()
		if err == io.EOF {
			return out
		}
		if err == nil {
			i := strings.Index(input[at:], string(p.Raw))
			if i < 0 || len(p.Raw) == 0 {
				t.Fatalf("Raw %q is not in the input after byte %d", p.Raw, at)
			}
			at += i + len(p.Raw)
			if !bytes.HasSuffix(p.Raw, []byte("\n")) {
				t.Errorf("Raw %q does not end with its empty line", p.Raw)
			}
		}
		out = append(out, result(p, err))
	}
	t.Fatal("no io.EOF after 1000 reads")
	return nil
}

func TestReaderTable(t *testing.T) {
	lim := func(line, packet, headers int) func(*Reader) {
		return func(r *Reader) { r.MaxLineLength, r.MaxPacketSize, r.MaxHeaders = line, packet, headers }
	}
	tests := []struct {
		name  string
		in    string
		setup func(*Reader)
		want  []string
	}{
		{"crlf", "Event: A\r\nX: 1\r\n\r\n", nil, []string{"Event: A\nX: 1\n"}},
		{"bare LF", "Event: A\nX: 1\n\nEvent: B\n\n", nil, []string{"Event: A\nX: 1\n", "Event: B\n"}},
		{"mixed line ends", "Event: A\r\nX: 1\n\r\nEvent: B\nY: 2\r\n\n", nil, []string{"Event: A\nX: 1\n", "Event: B\nY: 2\n"}},
		{"stray empty lines", "\r\n\n\r\nEvent: A\r\n\r\n\r\n\n\r\nEvent: B\r\n\r\n\r\n", nil, []string{"Event: A\n", "Event: B\n"}},
		{"empty stream", "", nil, nil},
		{"only empty lines", "\r\n\r\n\n\r", nil, nil},
		{"no space after colon", "Event: A\r\nKey:\r\nK2:value\r\nK3:  two\r\nK4: \r\n\r\n", nil,
			[]string{"Event: A\nKey: \nK2: value\nK3:  two\nK4: \n"}},
		{"value with colon space", "Event: A\r\nExtra: a: b\r\nVal: hello: world\r\n\r\n", nil, []string{"Event: A\nExtra: a: b\nVal: hello: world\n"}},
		{"colonless lines kept", "Event: A\r\nhello world\r\nX: 1\r\n\r\n", nil, []string{"Event: A\nhello world\nX: 1\n"}},
		{"CR CR LF is a line holding a CR", "Event: A\r\n\r\r\nEvent: B\r\n\r\n", nil, []string{"Event: A\n\r\nEvent: B\n"}},
		{"NUL and invalid UTF-8 verbatim", "Event: \x00\xff\xfe\r\nK\x00y: v\xc3\r\n\r\n", nil, []string{"Event: \x00\xff\xfe\nK\x00y: v\xc3\n"}},
		{"legacy command", "Response: Follows\r\nPrivilege: Command\r\nActionID: 1\r\nline one\nline: two\n\nlast\n--END COMMAND--\r\n\r\nEvent: Next\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nActionID: 1\nOutput: line one\nOutput: line: two\nOutput: \nOutput: last\n", "Event: Next\n"}},
		{"legacy marker glued", "Response: Follows\r\nPrivilege: Command\r\nout 1\nout 2--END COMMAND--\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nOutput: out 1\nOutput: out 2\n"}},
		{"legacy empty output", "Response: Follows\r\nPrivilege: Command\r\nActionID: 9\r\n--END COMMAND--\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nActionID: 9\n"}},
		{"legacy output looks like headers", "Response: Follows\r\nPrivilege: Command\r\nActionID: 7\r\nName: value\nTwo: 2\n--END COMMAND--\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nActionID: 7\nOutput: Name: value\nOutput: Two: 2\n"}},
		{"legacy bare LF, case", "response: follows\nprivilege: command\nx\n--END COMMAND--\n\n", nil,
			[]string{"response: follows\nprivilege: command\nOutput: x\n"}},
		{"follows list start is headers", "Response: Follows\r\nActionID: 3\r\nMessage: Result will follow\r\n\r\n", nil,
			[]string{"Response: Follows\nActionID: 3\nMessage: Result will follow\n"}},
		{"follows ended by the blank line, then a packet", "Response: Follows\r\nPrivilege: Command\r\nActionID: 4\r\nNo such command 'core show hi'\r\n\r\nResponse: Goodbye\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nActionID: 4\nOutput: No such command 'core show hi'\n", "Response: Goodbye\n"}},
		{"follows ended by the blank line, then EOF", "Response: Follows\nPrivilege: Command\nNo such command 'core show hi'\n\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nOutput: No such command 'core show hi'\n"}},
		{"follows ended by the blank line, more blank lines, an event", "Response: Follows\r\nPrivilege: Command\r\nx\r\n\r\n\r\n\nevent: A\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nOutput: x\n", "event: A\n"}},
		{"follows output with empty lines goes on", "Response: Follows\r\nPrivilege: Command\r\nHTTP Server Status:\n\n\nEnabled URI's:\n/ws => WebSocket\n--END COMMAND--\r\n\r\nEvent: B\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nOutput: HTTP Server Status:\nOutput: \nOutput: \nOutput: Enabled URI's:\nOutput: /ws => WebSocket\n", "Event: B\n"}},
		{"follows output: a line like a packet's but not one", "Response: Follows\r\nPrivilege: Command\r\na\r\n\r\nResponses: 3\r\n--END COMMAND--\r\n\r\n", nil,
			[]string{"Response: Follows\nPrivilege: Command\nOutput: a\nOutput: \nOutput: Responses: 3\n"}},
		{"bare text", "support has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime), W:0, C:0\r\n   Members: \r\n      Local/hold@default (dynamic) (Not in use)\r\n   No Callers\r\n\r\n" +
			"sales has 0 calls\r\n   No Members\r\n\r\n\r\n\r\nResponse: Goodbye\r\n\r\n", nil,
			[]string{"Output: support has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime), W:0, C:0\nOutput:    Members: \nOutput:       Local/hold@default (dynamic) (Not in use)\nOutput:    No Callers\nOutput: \nOutput: sales has 0 calls\nOutput:    No Members\n",
				"Response: Goodbye\n"}},
		{"bare text, LF, at EOF", "No queues.\n\n\n", nil, []string{"Output: No queues.\n"}},
		{"bare text, then a packet cut off", "No queues.\r\n\r\nResp", nil, []string{"Output: No queues.\n", "!unexpected EOF"}},
		{"bare text cut off", "No queues.\r\n\r\nmore", nil, []string{"!unexpected EOF"}},
		{"bare text: empty lines past the header limit end it", "a\n\n\n\n\nb\n\n", lim(0, 0, 3), []string{"Output: a\n", "Output: b\n"}},
		{"bare text: empty lines past the packet limit end it", "a\n\n\n\n\n\nb\n\n", lim(0, 5, 0), []string{"Output: a\n", "Output: b\n"}},
		{"EOF mid packet", "Event: A\r\nX: 1", nil, []string{"!unexpected EOF"}},
		{"EOF after a line", "Event: A\r\n", nil, []string{"!unexpected EOF"}},
		{"EOF in the final CRLF", "Event: A\r\n\r", nil, []string{"!unexpected EOF"}},
		{"EOF after a packet and a CR", "Event: A\r\n\r\n\r", nil, []string{"Event: A\n"}},
		{"line limit, resync", "Event: A\r\nLong: 0123456789\r\nX: y\r\n\r\nEvent: B\r\n\r\n", lim(10, 0, 0),
			[]string{"!limit line length", "Event: B\n"}},
		{"line limit exact fits", "Event: A\r\nL: 0123456\r\n\r\n", lim(10, 0, 0), []string{"Event: A\nL: 0123456\n"}},
		{"line limit, partial line", "Event: A\r\nLong: 0123456789abcdefghij", lim(10, 0, 0), []string{"!limit line length"}},
		{"packet limit, resync", "Event: A\r\nX: 0123456789\r\nY: 0123456789\r\n\r\nEvent: B\r\n\r\n", lim(0, 30, 0),
			[]string{"!limit packet size", "Event: B\n"}},
		{"packet limit exact fits", "Event: A\r\nX: 0123456\r\n\r\n", lim(0, 25, 0), []string{"Event: A\nX: 0123456\n"}},
		{"packet limit on the final empty line", "Event: A\r\nX: 0123456\r\n\r\nEvent: B\r\n\r\n", lim(0, 23, 0),
			[]string{"!limit packet size", "Event: B\n"}},
		{"line and packet limit: first broken wins", "000000\n00000000000000000", lim(8, 12, 0), []string{"!limit packet size"}},
		{"header limit, resync", "Event: A\r\nX: 1\r\nY: 2\r\n\r\nEvent: B\r\nX: 1\r\n\r\n", lim(0, 0, 2),
			[]string{"!limit header count", "Event: B\nX: 1\n"}},
		{"limit then EOF", "Event: A\r\nX: 1\r\nY: 2\r\n", lim(0, 0, 2), []string{"!limit header count"}},
		{"limits over three packets", "Event: A\r\nX: 1\r\nY: 2\r\n\r\nEvent: B\r\n\r\nEvent: C\r\nX: 1\r\nY: 2\r\n\n\nEvent: D\n\n", lim(0, 0, 2),
			[]string{"!limit header count", "Event: B\n", "!limit header count", "Event: D\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := readResults(t, tc.in, strings.NewReader(tc.in), tc.setup)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			// The same bytes arriving one at a time, or in odd pieces, read the same.
			for name, src := range map[string]io.Reader{
				"one byte": iotest.OneByteReader(strings.NewReader(tc.in)),
				"half":     iotest.HalfReader(strings.NewReader(tc.in)),
				"data+EOF": iotest.DataErrReader(strings.NewReader(tc.in)),
			} {
				if got2 := readResults(t, tc.in, src, tc.setup); fmt.Sprintf("%q", got2) != fmt.Sprintf("%q", got) {
					t.Errorf("%s: got %q, in one piece %q", name, got2, got)
				}
			}
		})
	}
}

func TestReaderLegacyKeys(t *testing.T) {
	in := "Response: Follows\r\nPrivilege: Command\r\nActionID: 5\r\nfoo\n--END COMMAND--\r\n\r\n"
	p, err := NewReader(strings.NewReader(in)).ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Values("Output"); len(got) != 1 || got[0] != "foo" || p.Get("ActionID") != "5" || listMarkOf(p) != listNone {
		t.Errorf("Output %q, ActionID %q, mark %v", got, p.Get("ActionID"), listMarkOf(p))
	}
	if string(p.Raw) != in {
		t.Errorf("Raw %q", p.Raw)
	}
}

func TestReaderErrorOffsets(t *testing.T) {
	in := "Event: A\r\n\r\nEvent: B\r\nXXXXXXXXXXXXXXXXXXXX\r\n\r\nEvent: C\r\nX"
	r := NewReader(strings.NewReader(in))
	r.MaxLineLength = 10
	if _, err := r.ReadPacket(); err != nil {
		t.Fatal(err)
	}
	_, err := r.ReadPacket()
	var le *ProtocolError
	if !errors.As(err, &le) || le.Offset != 12 || le.Max != 10 || le.Limit != limitLine {
		t.Fatalf("got %v, want a line limit error at byte 12", err)
	}
	if !strings.Contains(err.Error(), "byte 12") || !strings.Contains(err.Error(), "line length") {
		t.Errorf("message %q", err)
	}
	_, err = r.ReadPacket()
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Offset != 46 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want unexpected EOF at byte 46", err)
	}
	if _, err := r.ReadPacket(); err != io.EOF {
		t.Errorf("after the error: %v, want io.EOF", err)
	}
	if r.Offset() != int64(len(in)) {
		t.Errorf("Offset %d, want %d", r.Offset(), len(in))
	}
}

// TestReaderHugeLine sends a 10 MiB line: the Reader refuses it without
// holding much more than its line limit, then reads the next packet.
func TestReaderHugeLine(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Event: Huge\r\nData: ")
	b.Write(bytes.Repeat([]byte("x"), 10<<20))
	b.WriteString("\r\n\r\nEvent: After\r\n\r\n")
	r := NewReader(&b)
	_, err := r.ReadPacket()
	var le *ProtocolError
	if !errors.As(err, &le) || le.Limit != limitLine || le.Offset != 0 {
		t.Fatalf("got %v, want a line limit error", err)
	}
	if n := len(r.buf); n > 4*DefaultMaxLineLength {
		t.Errorf("buffer grew to %d bytes", n)
	}
	p, err := r.ReadPacket()
	if err != nil || p.Get("Event") != "After" {
		t.Fatalf("after the huge line: %v, %v", p, err)
	}
	// With a line limit that allows it, the line comes through whole.
	b.Reset()
	b.WriteString("Event: Huge\r\nData: ")
	b.Write(bytes.Repeat([]byte("y"), 10<<20))
	b.WriteString("\r\n\r\n")
	r = NewReader(&b)
	r.MaxLineLength = 11 << 20
	p, err = r.ReadPacket()
	if err != nil || len(p.Get("Data")) != 10<<20 || len(p.Raw) != 10<<20+23 {
		t.Fatalf("got %d bytes of Data, %v", len(p.Get("Data")), err)
	}
}

// TestReaderManyHeaders sends a packet of 100,000 headers: over the default
// header limit, and read whole when the limit allows it.
func TestReaderManyHeaders(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Event: Many\r\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "Variable: v%d=%d\r\n", i, i)
	}
	b.WriteString("\r\nEvent: After\r\n\r\n")
	in := b.Bytes()
	r := NewReader(bytes.NewReader(in))
	_, err := r.ReadPacket()
	var le *ProtocolError
	if !errors.As(err, &le) || le.Limit != limitHeaders || le.Max != DefaultMaxHeaders {
		t.Fatalf("got %v, want a header limit error", err)
	}
	if p, err := r.ReadPacket(); err != nil || p.Get("Event") != "After" {
		t.Fatalf("after: %v, %v", p, err)
	}
	r = NewReader(bytes.NewReader(in))
	r.MaxHeaders = 200_000
	p, err := r.ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	vs := p.Values("Variable")
	if len(vs) != 100_000 || vs[99_999] != "v99999=99999" || vs[0] != "v0=0" {
		t.Fatalf("%d Variables", len(vs))
	}
	if p, err := r.ReadPacket(); err != nil || p.Get("Event") != "After" || len(p.Fields) != 1 {
		t.Fatalf("after: %v, %v", p, err)
	}
}

// TestReaderPacketsStayValid reads a stream whose chunks move and grow (a
// big packet, then many small ones, one byte at a time) and checks at the
// end that every packet still holds the bytes that arrived for it.
func TestReaderPacketsStayValid(t *testing.T) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Event: Big\r\nData: %s\r\n\r\n", strings.Repeat("b", 100_000))
	for i := range 3000 {
		fmt.Fprintf(&b, "Event: E%d\r\nSeq: %d\r\n\r\n", i, i)
	}
	in := b.Bytes()
	for name, src := range map[string]io.Reader{
		"whole":    bytes.NewReader(in),
		"one byte": iotest.OneByteReader(bytes.NewReader(in)),
		"half":     iotest.HalfReader(bytes.NewReader(in)),
	} {
		t.Run(name, func(t *testing.T) {
			pkts := readAll(t, NewReader(src))
			var cat []byte
			for i, p := range pkts {
				cat = append(cat, p.Raw...)
				if i > 0 && (p.Get("Event") != fmt.Sprintf("E%d", i-1) || p.Get("Seq") != fmt.Sprint(i-1)) {
					t.Fatalf("packet %d: %v", i, p)
				}
			}
			if !bytes.Equal(cat, in) || len(pkts[0].Get("Data")) != 100_000 {
				t.Fatal("packets changed after later reads")
			}
		})
	}
}

var errBoom = errors.New("boom")

// TestReaderSourceErrors: errors are returned once, and reading goes on
// where it was; a timeout in the middle of a packet loses nothing.
func TestReaderSourceErrors(t *testing.T) {
	const in = "Event: A\r\nX: 1\r\n\r\nEvent: B\r\n\r\n"
	t.Run("timeout mid packet", func(t *testing.T) {
		// TimeoutReader fails its second read: after the first byte.
		r := NewReader(iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader(in))))
		_, err := r.ReadPacket()
		if !errors.Is(err, iotest.ErrTimeout) {
			t.Fatalf("got %v, want ErrTimeout", err)
		}
		var got []string
		for {
			p, err := r.ReadPacket()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p.String())
		}
		if fmt.Sprint(got) != "[Event: A\nX: 1\n Event: B\n]" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("error with data", func(t *testing.T) {
		r := NewReader(io.MultiReader(strings.NewReader("Event: A\r\n\r\nEvent: B\r\n"), iotest.ErrReader(errBoom)))
		if p, err := r.ReadPacket(); err != nil || p.Get("Event") != "A" {
			t.Fatalf("%v, %v", p, err)
		}
		for range 2 {
			if _, err := r.ReadPacket(); !errors.Is(err, errBoom) {
				t.Fatalf("got %v, want boom", err)
			}
		}
		if r.buffered() != len("Event: B\r\n") {
			t.Errorf("partial packet not kept: Buffered %d", r.buffered())
		}
	})
	t.Run("no progress", func(t *testing.T) {
		r := NewReader(zeroReader{})
		if _, err := r.ReadPacket(); !errors.Is(err, io.ErrNoProgress) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("timeout while skipping", func(t *testing.T) {
		r := NewReader(&script{steps: []any{"Event: A\r\nX: 1\r\nY: 2\r\n", iotest.ErrTimeout, "Z: 3\r\n\r\nEvent: B\r\n\r\n"}})
		r.MaxHeaders = 2
		var got []string
		for range 10 {
			p, err := r.ReadPacket()
			if err == io.EOF {
				break
			}
			got = append(got, result(p, err))
		}
		want := []string{"!limit header count", "!" + iotest.ErrTimeout.Error(), "Event: B\n"}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("got %q\nwant %q", got, want)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// script is a source that returns its steps one per Read: a string is data,
// an error is returned as it is; then io.EOF.
type script struct{ steps []any }

func (s *script) Read(p []byte) (int, error) {
	if len(s.steps) == 0 {
		return 0, io.EOF
	}
	switch v := s.steps[0].(type) {
	case error:
		s.steps = s.steps[1:]
		return 0, v
	case string:
		n := copy(p, v)
		if n == len(v) {
			s.steps = s.steps[1:]
		} else {
			s.steps[0] = v[n:]
		}
		return n, nil
	}
	panic("bad step")
}

func TestReadBanner(t *testing.T) {
	tests := []struct {
		in, banner, version string
		err                 error // nil, io.EOF, io.ErrUnexpectedEOF or errProto (any *ProtocolError)
	}{
		{"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n\r\n", "Asterisk Call Manager/11.0.0", "11.0.0", nil},
		{"Asterisk Call Manager/1.0\n", "Asterisk Call Manager/1.0", "1.0", nil},
		{"Asterisk Call Manager/7.0.3\r\n", "Asterisk Call Manager/7.0.3", "7.0.3", nil},
		{"FreePBX Call Manager/1.1\r\n", "FreePBX Call Manager/1.1", "1.1", nil},
		{"SSH-2.0-OpenSSH_9.6\r\n", "SSH-2.0-OpenSSH_9.6", "", errProto},
		{"HTTP/1.1 400 Bad Request\r\n\r\n", "HTTP/1.1 400 Bad Request", "", errProto},
		{"Response: Success\r\n", "Response: Success", "", errProto},
		{strings.Repeat("x", 5000), "", "", errProto},
		{"", "", "", io.EOF},
		{"Asterisk Call Man", "", "", io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		r := NewReader(iotest.HalfReader(strings.NewReader(tc.in)))
		banner, err := r.ReadBanner()
		var pe *ProtocolError
		switch {
		case tc.err == nil && err != nil, tc.err != nil && err == nil:
			t.Errorf("%q: error %v, want %v", truncate(tc.in, 30), err, tc.err)
			continue
		case tc.err != nil && !errors.As(err, &pe):
			t.Errorf("%q: %T, want *ProtocolError", truncate(tc.in, 30), err)
		case tc.err != nil && tc.err != errProto && !errors.Is(err, tc.err):
			t.Errorf("%q: %v does not wrap %v", truncate(tc.in, 30), err, tc.err)
		}
		if banner != tc.banner {
			t.Errorf("%q: banner %q, want %q", truncate(tc.in, 30), banner, tc.banner)
		}
		if v, _ := wire.BannerVersion(banner); tc.err == nil && v != tc.version {
			t.Errorf("version %q, want %q", v, tc.version)
		}
	}
	// The first packet follows the banner directly.
	r := NewReader(strings.NewReader(tests[0].in))
	if _, err := r.ReadBanner(); err != nil {
		t.Fatal(err)
	}
	if p, err := r.ReadPacket(); err != nil || p.Get("Response") != "Success" || string(p.Raw) != "Response: Success\r\n\r\n" {
		t.Errorf("first packet %v, %v", p, err)
	}
}

var errProto = errors.New("any protocol error")

// TestReadPacketAllocs is the allocation budget: ReadPacket hands each
// packet out in memory of its own, its bytes and its Fields, two
// allocations; everything else (input chunks, field slabs) is reused.
// readPacket, which lends, costs far less than one: chunks and slabs are
// shared by many packets.
func TestReadPacketAllocs(t *testing.T) {
	for name, data := range map[string][]byte{"flood": floodStream(t), "mixed": mixedStream(t)} {
		n := countPackets(t, data)
		for _, lent := range []bool{false, true} {
			r := NewReader(&repeatSource{data: data})
			allocs := testing.AllocsPerRun(20, func() {
				for range n {
					var err error
					if lent {
						_, err = r.readPacket(true)
					} else {
						_, err = r.ReadPacket()
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			})
			perPacket := allocs / float64(n)
			t.Logf("%s, lent %v: %.4f allocs/packet", name, lent, perPacket)
			if budget := map[bool]float64{false: 2, true: 0.1}[lent]; perPacket > budget {
				t.Errorf("%s, lent %v: %.3f allocs/packet, budget %v", name, lent, perPacket, budget)
			}
		}
	}
}
