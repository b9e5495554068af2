package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const fixtureDir = "../../shared/fixtures/asterisk-22"

// readFixture returns the packets of a recorded server transcript.
func readFixture(tb testing.TB, name string) []amiwire.Packet {
	tb.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name))
	if err != nil {
		tb.Skipf("fixture %s not available: %v", name, err)
	}
	defer f.Close()
	r := amiwire.NewReader(f)
	if _, err := r.ReadBanner(); err != nil {
		tb.Fatal(err)
	}
	var ps []amiwire.Packet
	for {
		p, err := r.ReadPacket()
		if err == io.EOF {
			return ps
		}
		if err != nil {
			tb.Fatal(err)
		}
		ps = append(ps, p)
	}
}

func fld(k, v string) amiwire.Field { return amiwire.Field{Key: k, Value: v} }

// handmade holds the awkward cases no fixture has.
func handmade() []amiwire.Packet {
	return []amiwire.Packet{
		{Fields: []amiwire.Field{fld("Event", "VarSet"), fld("Variable", "a=1"), fld("Channel", "x"), fld("Variable", "b=2"), fld("variable", "c=3")}},
		{Fields: []amiwire.Field{fld("Response", "Success"), fld("Empty", ""), fld("Message", "a: b: c")}},
		{Fields: []amiwire.Field{fld("Event", "Weird"), fld("Nul", "a\x00b"), fld("Bad", "\xff\xfeok"), fld("Sep", "x\u2028y\u2029z"), fld("Quote", `"\`+"\t\r")}},
		{Fields: []amiwire.Field{fld("Response", "Follows"), fld("", "raw line one"), fld("", "raw: two")}},
		{Fields: []amiwire.Field{fld("Event", "Long"), fld("Value", strings.Repeat("0123456789", 300))}},
		{Fields: []amiwire.Field{fld("Event", "Unicode"), fld("CallerIDName", "Zoë 電話 📞")}},
	}
}

func render(t *testing.T, name string, opts Options, ps []amiwire.Packet) []byte {
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
	sources := map[string]func(t *testing.T) []amiwire.Packet{
		"handmade":       func(*testing.T) []amiwire.Packet { return handmade() },
		"status-3":       func(t *testing.T) []amiwire.Packet { return readFixture(t, "status-3.server.ami") },
		"originate":      func(t *testing.T) []amiwire.Packet { return readFixture(t, "originate-async.server.ami") },
		"command-output": func(t *testing.T) []amiwire.Packet { return readFixture(t, "command-core-show-channels.server.ami") },
	}
	cases := []struct {
		format string
		opts   Options
		suffix string
	}{
		{"text", Options{}, "text"},
		{"text", Options{Color: true}, "color.text"},
		{"json", Options{}, "json"},
		{"raw", Options{}, "raw"},
		{"table", Options{}, "table"},
		{"table", Options{Fields: []string{"event", "Channel", "Missing"}}, "fields.table"},
		{"json", Options{Fields: []string{"channel", "Event"}}, "fields.json"},
		{"text", Options{Fields: []string{"channel", "Event"}}, "fields.text"},
	}
	for src, load := range sources {
		for _, c := range cases {
			t.Run(src+"."+c.suffix, func(t *testing.T) {
				got := render(t, c.format, c.opts, load(t))
				golden(t, src+"."+c.suffix, got)
				if c.format == "json" {
					checkJSONLines(t, got)
				}
			})
		}
	}
}

func checkJSONLines(t *testing.T, out []byte) {
	t.Helper()
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if !json.Valid(line) || !utf8.Valid(line) {
			t.Fatalf("line %d is not valid JSON: %q", i+1, line)
		}
	}
}

// decodeJSON turns one JSON line back into fields: arrays are expanded in
// place so the order of first occurrences can be compared.
func decodeJSON(t *testing.T, line []byte) map[string][]string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	out := map[string][]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = []string{v}
		case []any:
			for _, e := range v {
				out[k] = append(out[k], e.(string))
			}
		default:
			t.Fatalf("key %q has %T", k, v)
		}
	}
	return out
}

func TestJSONRoundTrip(t *testing.T) {
	ps := append(handmade(), readFixture(t, "pipelined.server.ami")...)
	for _, p := range ps {
		var enc JSONEncoder
		line := enc.Append(nil, p.Fields)
		got := decodeJSON(t, line)
		want := map[string][]string{}
		for _, f := range p.Fields {
			want[f.Key] = append(want[f.Key], validUTF8(f.Value))
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d keys, want %d", line, len(got), len(want))
		}
		for k, vs := range want {
			if strings.Join(got[k], "\x00") != strings.Join(vs, "\x00") {
				t.Errorf("key %q: got %q, want %q", k, got[k], vs)
			}
		}
	}
}

// validUTF8 replaces each invalid byte with U+FFFD, as the JSON writer does.
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func TestJSONOrderAndArrays(t *testing.T) {
	var enc JSONEncoder
	got := string(enc.Append(nil, handmade()[0].Fields))
	want := `{"Event":"VarSet","Variable":["a=1","b=2"],"Channel":"x","variable":"c=3"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Many repeats of few keys and many distinct keys both stay linear and exact.
	var fs []amiwire.Field
	for i := 0; i < 10000; i++ {
		fs = append(fs, amiwire.Field{Key: []string{"Output", "Key" + string(rune('a'+i%26))}[i%2], Value: "v"})
	}
	if !json.Valid(enc.Append(nil, fs)) {
		t.Fatal("10,000 fields: invalid JSON")
	}
}

func TestRawBuiltPacket(t *testing.T) {
	got := render(t, "raw", Options{}, []amiwire.Packet{amiwire.NewAction("Ping", "ActionID", "1")})
	if string(got) != "Action: Ping\r\nActionID: 1\r\n\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestRawIsExact(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "originate-async.server.ami"))
	if err != nil {
		t.Skip(err)
	}
	got := render(t, "raw", Options{}, readFixture(t, "originate-async.server.ami"))
	banner := bytes.IndexByte(data, '\n') + 1
	if !bytes.Equal(got, data[banner:]) {
		t.Error("raw output differs from the bytes received")
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New("yaml", io.Discard, Options{}); err == nil || !strings.Contains(err.Error(), "text, json, raw, table") {
		t.Errorf("err = %v", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestWriteErrorsStick(t *testing.T) {
	for _, name := range Names() {
		w, _ := New(name, failWriter{syscall.EPIPE}, Options{})
		p := handmade()[0]
		_ = w.WritePacket(p)
		if err := w.Flush(); !errors.Is(err, syscall.EPIPE) {
			t.Errorf("%s: Flush = %v, want EPIPE", name, err)
		}
		if err := w.WritePacket(p); !errors.Is(err, syscall.EPIPE) {
			t.Errorf("%s: WritePacket after failure = %v, want EPIPE", name, err)
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

func TestNoAllocs(t *testing.T) {
	p := benchPacket(t)
	for _, name := range []string{"text", "json", "raw"} {
		w, _ := New(name, io.Discard, Options{})
		_ = w.WritePacket(p)
		if n := testing.AllocsPerRun(1000, func() { _ = w.WritePacket(p) }); n != 0 {
			t.Errorf("%s: %v allocs per packet, want 0", name, n)
		}
	}
}

func FuzzJSON(f *testing.F) {
	f.Add("Event", "Hangup", "Cause", "16")
	f.Add("Variable", "a=1", "Variable", "b=2")
	f.Add("", "raw line", "K", "\xff\x00\u2028")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		fields := []amiwire.Field{fld(k1, v1), fld(k2, v2), fld(k1, v2)}
		var enc JSONEncoder
		line := enc.Append(nil, fields)
		if !json.Valid(line) || !utf8.Valid(line) {
			t.Fatalf("invalid JSON %q", line)
		}
		got := decodeJSON(t, line)
		want := map[string][]string{}
		for _, f := range fields {
			want[f.Key] = append(want[f.Key], f.Value)
		}
		for _, f := range fields {
			if !utf8.ValidString(f.Key) || !utf8.ValidString(f.Value) {
				return // replaced by U+FFFD: checked for validity only
			}
		}
		for k, vs := range want {
			if strings.Join(got[k], "\x00") != strings.Join(vs, "\x00") {
				t.Fatalf("key %q: got %q, want %q", k, got[k], vs)
			}
		}
	})
}
