package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

var update = flag.Bool("update", false, "rewrite the golden files and the fuzz seed corpus in testdata/")

// fixtureDir is the project's copy of the real Asterisk 22 recordings.
const fixtureDir = "../amiwire/amitest/fixtures/asterisk-22"

// fixturePackets returns the packets of a recorded server transcript. When
// the file is missing it skips the test if skip, and returns nil otherwise.
func fixturePackets(tb testing.TB, name string, skip bool) []amiwire.Packet {
	tb.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name))
	if err != nil {
		if skip {
			tb.Fatalf("fixture %s not available: %v", name, err)
		}
		return nil
	}
	defer f.Close()
	r := amiwire.NewReader(f)
	if _, err := r.ReadBanner(); err != nil {
		tb.Fatal(err)
	}
	var ps []amiwire.Packet
	for range 1_000_000 {
		p, err := r.ReadPacket()
		if err == io.EOF {
			return ps
		}
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		ps = append(ps, p)
	}
	tb.Fatalf("%s: too many packets", name)
	return nil
}

// allFixtures returns the packets of every server transcript.
func allFixtures(t *testing.T) map[string][]amiwire.Packet {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(fixtureDir, "*.server.ami"))
	if len(names) == 0 {
		t.Fatalf("no fixtures in %s", fixtureDir)
	}
	out := map[string][]amiwire.Packet{}
	for _, n := range names {
		out[filepath.Base(n)] = fixturePackets(t, filepath.Base(n), true)
	}
	return out
}

func fld(k, v string) amiwire.Field { return amiwire.Field{Key: k, Value: v} }

func pkt(kv ...string) amiwire.Packet {
	var p amiwire.Packet
	for i := 0; i+1 < len(kv); i += 2 {
		p.Fields = append(p.Fields, fld(kv[i], kv[i+1]))
	}
	return p
}

// handmade holds the awkward cases no fixture has.
func handmade() []amiwire.Packet {
	return []amiwire.Packet{
		pkt("Event", "VarSet", "Variable", "a=1", "Channel", "x", "Variable", "b=2", "variable", "c=3"),
		pkt("Response", "Success", "Empty", "", "Message", "a: b: c", "", ""),
		pkt("Event", "Weird", "Nul", "a\x00b", "Bad", "\xff\xfeok\xed\xa0\x80", "Sep", "x\u2028y\u2029z", "Quote", `"\`+"\t\r\x1b\x7f", "Html", "<a href=\"x\">&amp;</a>"),
		pkt("Response", "Follows", "", "raw line one", "", "raw: two", "ActionID", "7"),
		pkt("Event", "Long", "Value", strings.Repeat("0123456789", 300)),
		pkt("Event", "Unicode", "CallerIDName", "Zoë 電話 📞", "Cyr", "Привет"),
		pkt("Event", "Collide", "@lines", "key named like ours", "", "colonless", "@timestamp", "not ours"),
		pkt("Event", "BadKeys", "K\xff", "one", "K\xfe", "two", "\xc0", "three"),
		pkt(),
	}
}

func render(t testing.TB, name string, opts Options, ps []amiwire.Packet) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(name, &buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := w.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./format -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	sources := []struct {
		name string
		load func(t *testing.T) []amiwire.Packet
	}{
		{"handmade", func(*testing.T) []amiwire.Packet { return handmade() }},
		{"status-3", func(t *testing.T) []amiwire.Packet { return fixturePackets(t, "status-3.server.ami", true) }},
		{"originate", func(t *testing.T) []amiwire.Packet { return fixturePackets(t, "originate-async.server.ami", true) }},
		{"command-output", func(t *testing.T) []amiwire.Packet {
			return fixturePackets(t, "command-core-show-channels.server.ami", true)
		}},
	}
	cases := []struct {
		format, suffix string
		opts           Options
		handmadeOnly   bool
	}{
		{"text", "text", Options{}, false},
		{"text", "color.text", Options{Color: true}, false},
		{"text", "fields.text", Options{Fields: []string{"channel", "Event"}}, false},
		{"json", "json", Options{}, false},
		{"json", "fields.json", Options{Fields: []string{"channel", "Event", "VARIABLE"}}, false},
		{"raw", "raw", Options{}, false},
		{"table", "table", Options{}, false},
		{"table", "fields.table", Options{Fields: []string{"event", "Channel", "Missing"}}, false},
		{"table", "color.table", Options{Color: true}, true},
	}
	for _, src := range sources {
		for _, c := range cases {
			if c.handmadeOnly && src.name != "handmade" {
				continue
			}
			t.Run(src.name+"."+c.suffix, func(t *testing.T) {
				ps := src.load(t)
				got := render(t, c.format, c.opts, ps)
				golden(t, src.name+"."+c.suffix+".golden", got)
				if c.format == "json" {
					checkJSONLines(t, got, ps, c.opts)
				}
			})
		}
	}
}

// member is one member of a decoded JSON object, in order.
type member struct {
	Key   string
	Vals  []string
	Array bool
}

// decodeOrdered decodes one JSON object of strings and arrays of strings,
// keeping the members in order.
func decodeOrdered(line []byte) ([]member, error) {
	d := json.NewDecoder(bytes.NewReader(line))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want '{', got %v %v", tok, err)
	}
	var ms []member
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return nil, err
		}
		m := member{Key: k.(string)}
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case string:
			m.Vals = []string{tok}
		case json.Delim:
			if tok != '[' {
				return nil, fmt.Errorf("key %q: unexpected %v", m.Key, tok)
			}
			m.Array = true
			for d.More() {
				v, err := d.Token()
				if err != nil {
					return nil, err
				}
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("key %q: element %v is not a string", m.Key, v)
				}
				m.Vals = append(m.Vals, s)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("key %q: value %v is not a string", m.Key, tok)
		}
		ms = append(ms, m)
	}
	if tok, err := d.Token(); err != nil || tok != json.Delim('}') {
		return nil, fmt.Errorf("want '}', got %v %v", tok, err)
	}
	if d.More() {
		return nil, errors.New("data after the object")
	}
	return ms, nil
}

// sanitize replaces each invalid byte with U+FFFD: the conversion to
// []rune does exactly that, independently of the code under test.
func sanitize(s string) string { return string([]rune(s)) }

// wantMembers is the documented JSON mapping, written the slow, obvious way.
func wantMembers(fields []amiwire.Field) []member {
	var ms []member
	add := func(k, v string) {
		k = sanitize(k)
		for i := range ms {
			if ms[i].Key == k {
				ms[i].Vals = append(ms[i].Vals, sanitize(v))
				ms[i].Array = true
				return
			}
		}
		ms = append(ms, member{Key: k, Vals: []string{sanitize(v)}, Array: k == LinesKey})
	}
	for _, f := range fields {
		k := f.Key
		if k == "" {
			k = LinesKey
		}
		add(k, f.Value)
	}
	return ms
}

// checkJSON checks that line is valid JSON holding exactly fields.
func checkJSON(t testing.TB, line []byte, fields []amiwire.Field) {
	t.Helper()
	if !json.Valid(line) || !utf8.Valid(line) {
		t.Fatalf("not valid JSON: %q", line)
	}
	if bytes.Contains(line, []byte("\u2028")) || bytes.Contains(line, []byte("\u2029")) || bytes.ContainsAny(line, "\n\r") {
		t.Fatalf("unescaped line separator: %q", line)
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	got, err := decodeOrdered(line)
	if err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	want := wantMembers(fields)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.EqualFunc(got, want, func(a, b member) bool {
		return a.Key == b.Key && a.Array == b.Array && slices.Equal(a.Vals, b.Vals)
	}) {
		t.Fatalf("line %q\ngot  %+v\nwant %+v", line, got, want)
	}
}

// checkJSONLines checks every line of a json writer's output against the
// packets written.
func checkJSONLines(t *testing.T, out []byte, ps []amiwire.Packet, opts Options) {
	t.Helper()
	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
	if len(ps) == 0 {
		lines = nil
	}
	if len(lines) != len(ps) {
		t.Fatalf("%d lines for %d packets", len(lines), len(ps))
	}
	for i, line := range lines {
		fields := ps[i].Fields
		if len(opts.Fields) > 0 {
			fields = pick(nil, ps[i], opts.Fields, nil)
		}
		checkJSON(t, line, fields)
	}
}

func TestJSONFixtures(t *testing.T) {
	for name, ps := range allFixtures(t) {
		t.Run(name, func(t *testing.T) {
			checkJSONLines(t, render(t, "json", Options{}, ps), ps, Options{})
		})
	}
}

func TestJSONMapping(t *testing.T) {
	cases := []struct {
		name string
		p    amiwire.Packet
		want string
	}{
		{"empty", pkt(), `{}`},
		{"order and arrays", handmade()[0],
			`{"Event":"VarSet","Variable":["a=1","b=2"],"Channel":"x","variable":"c=3"}`},
		{"empty values", pkt("A", "", "B", ""), `{"A":"","B":""}`},
		{"colonless always an array", pkt("Response", "Follows", "", "one"), `{"Response":"Follows","@lines":["one"]}`},
		{"colonless grouped", pkt("", "one", "K", "v", "", "two"), `{"@lines":["one","two"],"K":"v"}`},
		{"received @lines joins ours", pkt("@lines", "a", "", "b"), `{"@lines":["a","b"]}`},
		{"escapes", pkt("K", "\"\\\n\r\t\x00\x1f\x7f<>&/"), `{"K":"\"\\\n\r\t\u0000\u001f` + "\x7f" + `<>&/"}`},
		{"separators", pkt("K", "a\u2028b\u2029c"), `{"K":"a\u2028b\u2029c"}`},
		{"invalid bytes", pkt("K", "a\xffb\xc3"), "{\"K\":\"a\uFFFDb\uFFFD\"}"},
		{"surrogate half", pkt("K", "\xed\xa0\x80"), "{\"K\":\"\uFFFD\uFFFD\uFFFD\"}"},
		{"keys equal once written", pkt("K\xff", "1", "K\xfe", "2"), "{\"K\uFFFD\":[\"1\",\"2\"]}"},
		{"valid non-ASCII kept", pkt("Name", "Zoë 📞"), `{"Name":"Zoë 📞"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e jsonEncoder
			got := string(e.appendObject(nil, c.p.Fields))
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			checkJSON(t, []byte(got), c.p.Fields)
		})
	}
}

func TestJSONLargePackets(t *testing.T) {
	shapes := map[string]func(i int) string{
		"one key":       func(int) string { return "Output" },
		"distinct keys": func(i int) string { return fmt.Sprintf("Key%d", i) },
		"alternating":   func(i int) string { return []string{"Output", fmt.Sprintf("K%d", i%26), ""}[i%3] },
	}
	for name, key := range shapes {
		t.Run(name, func(t *testing.T) {
			var fs []amiwire.Field
			for i := range 10_000 {
				fs = append(fs, fld(key(i), fmt.Sprint(i)))
			}
			var e jsonEncoder
			checkJSON(t, e.appendObject(nil, fs), fs)
			// Steady state: a second encoding allocates nothing.
			buf := make([]byte, 0, 1<<20)
			if n := testing.AllocsPerRun(5, func() { buf = e.appendObject(buf[:0], fs) }); n != 0 {
				t.Errorf("%v allocs", n)
			}
		})
	}
}

func TestTextMapping(t *testing.T) {
	got := string(render(t, "text", Options{}, []amiwire.Packet{
		pkt("Response", "Follows", "", "raw line", "Empty", ""),
		pkt("Event", "B"),
	}))
	want := "Response: Follows\nraw line\nEmpty: \n\nEvent: B\n\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = string(render(t, "text", Options{Color: true}, []amiwire.Packet{pkt("Event", "x")}))
	if got != "\x1b[36mEvent\x1b[0m: x\n\n" {
		t.Errorf("colour: got %q", got)
	}
}

// Text output is AMI text: reading it back gives the same packets.
func TestTextReadsBack(t *testing.T) {
	for name, ps := range allFixtures(t) {
		out := render(t, "text", Options{}, ps)
		r := amiwire.NewReader(bytes.NewReader(out))
		for i, want := range ps {
			got, err := r.ReadPacket()
			if err != nil {
				t.Fatalf("%s: packet %d: %v", name, i, err)
			}
			if !slices.Equal(got.Fields, want.Fields) {
				t.Fatalf("%s: packet %d:\ngot  %q\nwant %q", name, i, got.Fields, want.Fields)
			}
		}
		if _, err := r.ReadPacket(); err != io.EOF {
			t.Fatalf("%s: after the last packet: %v", name, err)
		}
	}
}

func TestRawBuiltPacket(t *testing.T) {
	got := render(t, "raw", Options{}, []amiwire.Packet{amiwire.NewAction("Ping", "ActionID", "1"), pkt("", "no colon")})
	if string(got) != "Action: Ping\r\nActionID: 1\r\n\r\nno colon\r\n\r\n" {
		t.Errorf("got %q", got)
	}
}

// Raw output is every byte received after the banner, in order.
func TestRawIsExact(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(fixtureDir, "*.server.ami"))
	if len(names) == 0 {
		t.Fatalf("no fixtures in %s", fixtureDir)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		got := render(t, "raw", Options{Fields: []string{"ignored"}}, fixturePackets(t, filepath.Base(n), true))
		banner := bytes.IndexByte(data, '\n') + 1
		if !bytes.Equal(got, data[banner:]) {
			t.Errorf("%s: raw output differs from the bytes received", filepath.Base(n))
		}
	}
}

func TestTable(t *testing.T) {
	ps := []amiwire.Packet{
		pkt("Event", "A", "Name", "電話", "Bad", "\xff\x00x\ty", "Variable", "a=1", "variable", "b=2"),
		pkt("Event", "LongerName", "Extra", "e", "", "colonless", "Sep", "a\u2028b"),
	}
	got := string(render(t, "table", Options{}, ps))
	// Control bytes, tab included, and bytes that are not UTF-8 are
	// escaped, so each row stays one line and nothing acts on a terminal.
	want := "" +
		"Event       Name  Bad           Variable  Extra  Sep\n" +
		"A           電話  \\xff\\x00x\\ty  a=1,b=2\n" + // 電話 is four cells wide
		"LongerName                                e      a\\u2028b\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Each Flush writes the rows held since the last one as a new table;
	// nothing held, nothing written.
	var buf bytes.Buffer
	w, _ := New("table", &buf, Options{Fields: []string{"event"}})
	if err := w.Flush(); err != nil || buf.Len() != 0 {
		t.Fatalf("empty table wrote %q (%v)", buf.String(), err)
	}
	_ = w.WritePacket(ps[0])
	_ = w.Flush()
	_ = w.WritePacket(ps[1])
	_ = w.Flush()
	if buf.String() != "event\nA\nevent\nLongerName\n" {
		t.Errorf("two flushes: %q", buf.String())
	}
}

func TestOptionsFields(t *testing.T) {
	fields := []string{"CHANNEL", "event"}
	w, _ := New("text", io.Discard, Options{Fields: fields})
	fields[0] = "changed" // the writer keeps its own copy
	var buf bytes.Buffer
	w.(*textWriter).w = &buf
	_ = w.WritePacket(pkt("Event", "E", "Channel", "C", "channel", "c2", "Other", "o"))
	_ = w.Flush()
	if buf.String() != "Channel: C\nchannel: c2\nEvent: E\n\n" {
		t.Errorf("got %q", buf.String())
	}
}

func TestNew(t *testing.T) {
	if !slices.Equal(Names(), []string{"text", "json", "raw", "table", "timeline"}) {
		t.Errorf("Names() = %q", Names())
	}
	for _, n := range append(Names(), "JSON", "Table") {
		if _, err := New(n, io.Discard, Options{}); err != nil {
			t.Errorf("New(%q): %v", n, err)
		}
	}
	_, err := New("yaml", io.Discard, Options{})
	if err == nil || err.Error() != `unknown output format "yaml" (valid: text, json, raw, table, timeline)` {
		t.Errorf("err = %v", err)
	}
}

// failWriter fails every write with err, after counting the call.
type failWriter struct {
	err   error
	calls *int
}

func (f failWriter) Write([]byte) (int, error) { *f.calls++; return 0, f.err }

func TestWriteErrorsStick(t *testing.T) {
	for _, name := range Names() {
		calls := 0
		w, _ := New(name, failWriter{syscall.EPIPE, &calls}, Options{})
		p := handmade()[0]
		if err := w.WritePacket(p); err != nil {
			t.Errorf("%s: WritePacket before any write: %v", name, err)
		}
		if err := w.Flush(); err != syscall.EPIPE || !errors.Is(err, syscall.EPIPE) {
			t.Errorf("%s: Flush = %v, want EPIPE unchanged", name, err)
		}
		if err := w.WritePacket(p); err != syscall.EPIPE {
			t.Errorf("%s: WritePacket after failure = %v, want EPIPE", name, err)
		}
		if err := w.Flush(); err != syscall.EPIPE {
			t.Errorf("%s: second Flush = %v, want EPIPE", name, err)
		}
		if calls != 1 {
			t.Errorf("%s: %d writes after the failure, want none", name, calls-1)
		}
	}
}

func TestBuffersUntilFlush(t *testing.T) {
	for _, name := range Names() {
		var buf bytes.Buffer
		w, _ := New(name, &buf, Options{})
		_ = w.WritePacket(handmade()[1])
		if buf.Len() != 0 {
			t.Errorf("%s wrote before Flush", name)
		}
		_ = w.Flush()
		if buf.Len() == 0 {
			t.Errorf("%s wrote nothing on Flush", name)
		}
	}
}

// A full buffer is written out without Flush, in blocks of at least 64 KiB;
// a buffer grown by a huge packet is not kept.
func TestFullBufferWritten(t *testing.T) {
	var sizes []int
	rec := writerFunc(func(p []byte) (int, error) { sizes = append(sizes, len(p)); return len(p), nil })
	w, _ := New("json", rec, Options{})
	p := pkt("Event", "E", "Value", strings.Repeat("x", 1000))
	for range 200 {
		_ = w.WritePacket(p)
	}
	if len(sizes) != 3 || sizes[0] < bufferSize || sizes[0] > bufferSize+1100 {
		t.Errorf("writes before Flush: %v", sizes)
	}
	_ = w.WritePacket(pkt("Value", strings.Repeat("y", 4<<20)))
	if c := cap(w.(*jsonWriter).buf); c > maxRetained {
		t.Errorf("kept a %d-byte buffer", c)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestNoAllocs(t *testing.T) {
	ps := benchPackets(t)
	for _, name := range []string{"text", "json", "raw"} {
		for _, opts := range []Options{{}, {Fields: []string{"Event", "channel", "Missing"}}, {Color: true}} {
			w, _ := New(name, io.Discard, opts)
			for _, p := range ps {
				_ = w.WritePacket(p)
			}
			i := 0
			n := testing.AllocsPerRun(2000, func() {
				_ = w.WritePacket(ps[i%len(ps)])
				i++
			})
			if n != 0 {
				t.Errorf("%s %+v: %v allocs per packet, want 0", name, opts, n)
			}
		}
	}
}

// encodeFuzz turns a packet into FuzzJSON's input: a flags byte (bit 1:
// see FuzzPlainJSON; FuzzJSON ignores it), then for each field a 1-byte
// key length, the key, a 2-byte little-endian value length and the value.
func encodeFuzz(p amiwire.Packet, flags byte) []byte {
	b := []byte{flags}
	for _, f := range p.Fields {
		k, v := f.Key[:min(len(f.Key), 255)], f.Value[:min(len(f.Value), 65535)]
		b = append(b, byte(len(k)))
		b = append(b, k...)
		b = append(b, byte(len(v)), byte(len(v)>>8))
		b = append(b, v...)
	}
	return b
}

// decodeFuzz is the inverse of encodeFuzz for any bytes: lengths beyond the
// end are cut short.
func decodeFuzz(data []byte) (fields []amiwire.Field, flags byte) {
	if len(data) == 0 {
		return nil, 0
	}
	flags, data = data[0], data[1:]
	take := func(n int) string {
		n = min(n, len(data))
		s := string(data[:n])
		data = data[n:]
		return s
	}
	for len(data) > 0 {
		kl := int(data[0])
		data = data[1:]
		k := take(kl)
		vl := 0
		if len(data) >= 2 {
			vl = int(data[0]) | int(data[1])<<8
			data = data[2:]
		} else {
			data = data[:0]
		}
		fields = append(fields, fld(k, take(vl)))
	}
	return fields, flags
}

// TestFuzzSeeds keeps testdata/fuzz/FuzzJSON in step with handmade() and a
// few real events (rewritten with -update).
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzJSON")
	seeds := map[string][]byte{}
	for i, p := range handmade() {
		seeds[fmt.Sprintf("handmade-%d", i)] = encodeFuzz(p, 0)
	}
	for i, p := range fixturePackets(t, "originate-async.server.ami", false) {
		if i < 4 {
			seeds[fmt.Sprintf("originate-%d", i)] = encodeFuzz(p, 0)
		}
	}
	for name, data := range seeds {
		fs, flags := decodeFuzz(data)
		if want, _ := decodeFuzz(encodeFuzz(amiwire.Packet{Fields: fs}, flags)); !slices.Equal(fs, want) {
			t.Fatalf("%s: encodeFuzz and decodeFuzz disagree", name)
		}
		file := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != file {
			t.Errorf("%s is missing or stale (run go test ./format -update): %v", path, err)
		}
	}
}

// FuzzJSON: any packet gives one line of valid JSON whose members are
// exactly the packet's fields, grouped as documented, with invalid bytes
// (and only those) replaced by U+FFFD.
func FuzzJSON(f *testing.F) {
	for _, p := range handmade() {
		f.Add(encodeFuzz(p, 0))
	}
	// One writer, reused: New's 64 KiB buffer would otherwise dominate
	// each run.
	var buf bytes.Buffer
	w, _ := New("json", &buf, Options{})
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, _ := decodeFuzz(data)
		buf.Reset()
		if err := w.WritePacket(amiwire.Packet{Fields: fields}); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		out := buf.Bytes()
		if len(out) == 0 || out[len(out)-1] != '\n' {
			t.Fatalf("output does not end in a newline: %q", out)
		}
		checkJSON(t, out[:len(out)-1], fields)
	})
}

// TestTableListGolden: the default table of a list's items, as `ami list`
// asks for it (its own ActionID hidden), from real Asterisk 22 replies:
// no ActionID column, and no Event column since every item has the same.
func TestTableListGolden(t *testing.T) {
	for _, src := range []struct{ fixture, event string }{
		{"status-3.server.ami", "Status"},
		{"core-show-channels-3.server.ami", "CoreShowChannel"},
		{"queue-status.server.ami", ""}, // three kinds of items: Event stays
	} {
		var items []amiwire.Packet
		for _, p := range fixturePackets(t, src.fixture, true) {
			ev := p.Get("Event")
			if ev != "" && ev == src.event || (src.event == "" && strings.HasPrefix(ev, "Queue") && ev != "QueueStatusComplete") {
				items = append(items, p)
			}
		}
		if len(items) < 3 {
			t.Fatalf("%s: %d items", src.fixture, len(items))
		}
		got := render(t, "table", Options{Hide: []string{"actionid"}}, items)
		header, _, _ := strings.Cut(string(got), "\n")
		if strings.Contains(header, "ActionID") || strings.HasPrefix(header, "Event ") != (src.event == "") {
			t.Errorf("%s: header %q", src.fixture, header)
		}
		golden(t, strings.TrimSuffix(src.fixture, ".server.ami")+".items.table.golden", got)
	}
}

func TestTableDefaultColumns(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opts   Options
		ps     []amiwire.Packet
		header string
	}{
		{"same Event dropped, ActionID hidden", Options{Hide: []string{"ActionID"}},
			[]amiwire.Packet{pkt("Event", "Item", "ActionID", "x-1", "Channel", "a"), pkt("Event", "Item", "ActionID", "x-1", "Channel", "b")},
			"Channel"},
		{"different Events kept", Options{Hide: []string{"ActionID"}},
			[]amiwire.Packet{pkt("Event", "Item", "ActionID", "x-1", "Channel", "a"), pkt("Event", "ItemComplete", "ActionID", "x-1")},
			"Event         Channel"},
		{"a row without Event keeps it", Options{},
			[]amiwire.Packet{pkt("Response", "Success"), pkt("Event", "Item", "Channel", "a")},
			"Response  Event  Channel"},
		{"same Event differently spelled key", Options{},
			[]amiwire.Packet{pkt("Event", "Item", "Channel", "a"), pkt("event", "Item", "Channel", "b")},
			"Channel"},
		{"nothing else left: all kept", Options{Hide: []string{"ActionID"}},
			[]amiwire.Packet{pkt("Event", "Item", "ActionID", "x-1"), pkt("Event", "Item", "ActionID", "x-1")},
			"Event  ActionID"},
		{"without Hide ActionID stays", Options{},
			[]amiwire.Packet{pkt("Event", "Item", "ActionID", "x-1", "Channel", "a")},
			"ActionID  Channel"},
		{"Fields win over both rules", Options{Fields: []string{"event", "ActionID"}, Hide: []string{"ActionID"}},
			[]amiwire.Packet{pkt("Event", "Item", "ActionID", "x-1"), pkt("Event", "Item", "ActionID", "x-1")},
			"event  ActionID"},
	} {
		got := string(render(t, "table", tt.opts, tt.ps))
		if header, _, _ := strings.Cut(got, "\n"); header != tt.header {
			t.Errorf("%s: header %q, want %q\n%s", tt.name, header, tt.header, got)
		}
	}
}

// TestTableDisplayWidth: columns line up on a terminal when cells hold
// wide (two-cell) characters, combining marks and emoji.
func TestTableDisplayWidth(t *testing.T) {
	names := []string{"plain", "電話番号", "Zoë", "Zoe\u0308", "📞 call", "ｆｕｌｌ", "Привет"}
	var ps []amiwire.Packet
	for _, n := range names {
		ps = append(ps, pkt("Name", n, "Next", "|"))
	}
	got := string(render(t, "table", Options{}, ps))
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != len(names)+1 {
		t.Fatalf("%d lines:\n%s", len(lines), got)
	}
	// Display columns, counted by hand: wide characters two cells,
	// combining marks none.
	cells := map[string]int{"plain": 5, "電話番号": 8, "Zoë": 3, "Zoe\u0308": 3, "📞 call": 7, "ｆｕｌｌ": 8, "Привет": 6, "Name": 4}
	for i, l := range lines[1:] {
		name, rest, _ := strings.Cut(l, names[i])
		if name != "" {
			t.Fatalf("line %q", l)
		}
		if pad := len(rest) - len(strings.TrimLeft(rest, " ")); cells[names[i]]+pad != 8+2 {
			t.Errorf("%q: %d cells then %d spaces, want the next column at cell 10:\n%s", names[i], cells[names[i]], pad, got)
		}
	}
}

func TestMissingFields(t *testing.T) {
	ps := []amiwire.Packet{
		pkt("Event", "Status", "Channel", "PJSIP/100", "ChannelState", "6", "ChannelStateDesc", "Up"),
		pkt("Event", "Status", "Channel", "PJSIP/200", "ChannelState", "4", "Extra", "x"),
	}
	fields := []string{"Chanel", "channel", "State", "Nonsense", "extra"}
	want := []MissingField{{"Chanel", "Channel"}, {"State", "ChannelState"}, {"Nonsense", ""}}
	for _, name := range []string{"text", "json", "table"} {
		w, err := New(name, io.Discard, Options{Fields: fields})
		if err != nil {
			t.Fatal(err)
		}
		fc := w.(FieldChecker)
		if got := fc.MissingFields(); got != nil {
			t.Errorf("%s: before any packet: %v", name, got)
		}
		for _, p := range ps {
			_ = w.WritePacket(p)
		}
		_ = w.Flush()
		if got := fc.MissingFields(); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
		// Nothing missing: nil.
		w, _ = New(name, io.Discard, Options{Fields: []string{"CHANNEL"}})
		_ = w.WritePacket(ps[0])
		if got := w.(FieldChecker).MissingFields(); got != nil {
			t.Errorf("%s: %v", name, got)
		}
	}
	if _, ok := any(&rawWriter{}).(FieldChecker); ok {
		t.Error("raw ignores Fields but reports them")
	}
}

func TestClosestKey(t *testing.T) {
	keys := []string{"Event", "Channel", "ChannelState", "Uniqueid", "CallerIDNum"}
	for _, tt := range []struct{ in, want string }{
		{"Chanel", "Channel"}, {"chanel", "Channel"}, {"Channle", "Channel"}, {"UniqueID", "Uniqueid"},
		{"State", "ChannelState"}, {"callerid", "CallerIDNum"}, {"Xyzzy", ""}, {"", ""}, {"Evnt", "Event"},
	} {
		if got := closestKey(tt.in, keys); got != tt.want {
			t.Errorf("closestKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLead: Options.Lead and SetLead put the given fields first in every
// packet (whatever Fields picks), the same whether
// the packet is written from its fields or from its wire bytes; raw
// ignores them; without a lead the output is what it was.
func TestLead(t *testing.T) {
	raw := []byte("Event: Hangup\r\nChannel: PJSIP/1\r\nCause: 16\r\n\r\n")
	p := amiwire.Packet{Raw: raw, Fields: []amiwire.Field{fld("Event", "Hangup"), fld("Channel", "PJSIP/1"), fld("Cause", "16")}}
	host := []amiwire.Field{fld("@host", "pbx1")}
	for _, tc := range []struct {
		name   string
		format string
		opts   Options
		want   string
	}{
		{"json", "json", Options{Lead: host}, `{"@host":"pbx1","Event":"Hangup","Channel":"PJSIP/1","Cause":"16"}` + "\n"},
		{"json fields", "json", Options{Lead: host, Fields: []string{"cause"}}, `{"@host":"pbx1","Cause":"16"}` + "\n"},
		{"json fields none", "json", Options{Lead: host, Fields: []string{"nothing"}}, `{"@host":"pbx1"}` + "\n"},
		{"json no lead", "json", Options{}, `{"Event":"Hangup","Channel":"PJSIP/1","Cause":"16"}` + "\n"},
		{"text", "text", Options{Lead: host}, "@host: pbx1\nEvent: Hangup\nChannel: PJSIP/1\nCause: 16\n\n"},
		{"text escape", "text", Options{Lead: []amiwire.Field{fld("@host", "a\x1bb")}, Escape: true},
			"@host: a\\x1bb\nEvent: Hangup\nChannel: PJSIP/1\nCause: 16\n\n"},
		{"text color", "text", Options{Lead: host, Color: true, Fields: []string{"Cause"}},
			colorKey + "@host" + colorReset + ": pbx1\n" + colorKey + "Cause" + colorReset + ": 16\n\n"},
		{"table", "table", Options{Lead: []amiwire.Field{fld("HOST", "pbx1")}},
			"HOST  Channel  Cause\npbx1  PJSIP/1  16\n"},
		{"table fields", "table", Options{Lead: []amiwire.Field{fld("HOST", "pbx1")}, Fields: []string{"Cause"}},
			"HOST  Cause\npbx1  16\n"},
		{"raw", "raw", Options{Lead: host}, string(raw)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fromFields, fromRaw bytes.Buffer
			w, err := New(tc.format, &fromFields, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WritePacket(p); err != nil || w.Flush() != nil {
				t.Fatal(err)
			}
			if got := fromFields.String(); got != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
			w, _ = New(tc.format, &fromRaw, tc.opts)
			if rw, ok := w.(RawWriter); ok {
				took, err := rw.WriteRaw(raw)
				if err != nil {
					t.Fatal(err)
				}
				if !took {
					if err := w.WritePacket(p); err != nil {
						t.Fatal(err)
					}
				}
				w.Flush()
				if fromRaw.String() != tc.want {
					t.Fatalf("from the wire bytes (taken %v):\n%q\nwant\n%q", took, fromRaw.String(), tc.want)
				}
			}
		})
	}
}

// TestSetLead: a lead changed between packets tags the packets written
// after it; a table gives each row its own and one column for all.
func TestSetLead(t *testing.T) {
	a := amiwire.Packet{Fields: []amiwire.Field{fld("Event", "A")}}
	b := amiwire.Packet{Fields: []amiwire.Field{fld("Event", "B"), fld("X", "1")}}
	for _, tc := range []struct {
		format, key, want string
	}{
		{"json", "@host", `{"@host":"one","Event":"A"}` + "\n" + `{"Event":"B","X":"1"}` + "\n" + `{"@host":"three","Event":"A"}` + "\n"},
		{"text", "@host", "@host: one\nEvent: A\n\nEvent: B\nX: 1\n\n@host: three\nEvent: A\n\n"},
		{"table", "HOST", "HOST   Event  X\none    A\n       B      1\nthree  A\n"},
	} {
		var out bytes.Buffer
		w, _ := New(tc.format, &out, Options{})
		ls := w.(LeadSetter)
		ls.SetLead([]amiwire.Field{fld(tc.key, "one")})
		w.WritePacket(a)
		ls.SetLead(nil)
		w.WritePacket(b)
		ls.SetLead([]amiwire.Field{fld(tc.key, "three")})
		w.WritePacket(a)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.format, out.String(), tc.want)
		}
		if strings.Contains(out.String(), "{}") {
			t.Errorf("%s: an empty object", tc.format)
		}
	}
}
