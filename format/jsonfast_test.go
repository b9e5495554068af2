package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

// plainByte is the definition appendPlain's word tests must agree with.
func plainByte(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }

// comparePaths checks that appendObject, and appendPlain when it takes the
// packet, write exactly what the general path writes, after an existing
// prefix and whatever dst's spare capacity, and that the bytes are valid
// UTF-8 and JSON. It reports whether appendPlain took the packet.
func comparePaths(t testing.TB, fields []amiwire.Field) bool {
	t.Helper()
	var gen jsonEncoder
	want := gen.appendGeneral([]byte("x"), fields)[1:]
	if !utf8.Valid(want) || !json.Valid(want) {
		t.Fatalf("general path: invalid output %q", want)
	}
	// Capacity: none to spare, exactly enough, and plenty.
	for _, spare := range []int{0, len(want), 1 << 12} {
		dst := make([]byte, 1, 1+spare)
		dst[0] = 'x'
		got, ok := appendPlain(dst, fields)
		if !ok {
			if len(got) != 1 || got[0] != 'x' {
				t.Fatalf("appendPlain declined but changed dst: %q", got)
			}
		} else if !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("fields %q:\nfast    %q\ngeneral %q", fields, got[1:], want)
		}
		var enc jsonEncoder
		if all := enc.appendObject(dst[:1], fields); !bytes.Equal(all[1:], want) {
			t.Fatalf("fields %q:\nappendObject %q\ngeneral      %q", fields, all[1:], want)
		}
	}
	_, ok := appendPlain(nil, fields)
	return ok
}

// TestPlainWordTests puts every byte value at every position of strings of
// 1 to 24 bytes (in a key and in a value), so each word test, the
// overlapping last word and the short-string loads are all checked
// against plainByte.
func TestPlainWordTests(t *testing.T) {
	for n := 1; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				s := []byte(strings.Repeat("a", n))
				s[pos] = byte(c)
				for _, fs := range [][]amiwire.Field{
					{fld("Event", string(s))},
					{fld(string(s), "v"), fld("Event", "x")},
				} {
					_, ok := appendPlain(nil, fs)
					if ok != plainByte(byte(c)) {
						t.Fatalf("len %d, byte %#x at %d: appendPlain took it = %v", n, c, pos, ok)
					}
				}
			}
		}
	}
}

// TestJSONFastPath compares the two paths on the awkward cases, and checks
// that the fast path does take the ordinary ones.
func TestJSONFastPath(t *testing.T) {
	lengths := []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 100}
	var packets [][]amiwire.Field
	for _, p := range handmade() {
		packets = append(packets, p.Fields)
	}
	for _, ps := range allFixturesOrNone(t) {
		for _, p := range ps {
			packets = append(packets, p.Fields)
		}
	}
	for _, n := range lengths {
		s := strings.Repeat("abcdefghij", 10)[:n]
		packets = append(packets,
			[]amiwire.Field{fld("K"+s, s), fld(s+"K", "v")},
			[]amiwire.Field{fld(s, s)},
			[]amiwire.Field{fld("Key", s+`"`)},
			[]amiwire.Field{fld("Key", `\`+s)},
			[]amiwire.Field{fld("Key", s+"\x7f"+s)},
			[]amiwire.Field{fld("Key", s+"é")},
			[]amiwire.Field{fld("Key", s+"\xff")},
			[]amiwire.Field{fld(s+"\xfe", "a"), fld(s+"\xff", "b")},
			[]amiwire.Field{fld("", s), fld("Key", s)},
			[]amiwire.Field{fld("", s), fld("", s)},
			[]amiwire.Field{fld(LinesKey, s), fld("", s)},
			[]amiwire.Field{fld("@host", s)},
			[]amiwire.Field{fld("A"+s, "1"), fld("B", "2"), fld("A"+s, "3")},
		)
	}
	// Many keys, so the key table's probes run long, and the limits.
	for _, n := range []int{plainMaxFields - 1, plainMaxFields, plainMaxFields + 1} {
		var fs, rep []amiwire.Field
		for i := range n {
			fs = append(fs, fld(fmt.Sprintf("Key%d", i), "v"))
			rep = append(rep, fld(fmt.Sprintf("K%d", i%(n-1)), "v"))
		}
		packets = append(packets, fs, rep)
	}
	for _, fs := range packets {
		comparePaths(t, fs)
	}

	// The fast path must not decline what it is for.
	for _, tc := range []struct {
		fields []amiwire.Field
		want   bool
	}{
		{nil, true},
		{[]amiwire.Field{fld("Event", "Hangup"), fld("Cause-txt", "Normal <Clearing> & 'such'")}, true},
		{[]amiwire.Field{fld("Response", "Follows"), fld("", "line: one")}, false},
		{[]amiwire.Field{fld("Variable", "a=1"), fld("variable", "b=2")}, true},
		{[]amiwire.Field{fld("@host", "x"), fld("ReceivedAt", "2026-11-22T23:00:01.000001+01:00")}, true},
		{[]amiwire.Field{fld("Variable", "a=1"), fld("Variable", "b=2")}, false},
		{[]amiwire.Field{fld("", "a"), fld(LinesKey, "b")}, false},
		{[]amiwire.Field{fld("Key", "tab\there")}, false},
	} {
		if got := comparePaths(t, tc.fields); got != tc.want {
			t.Errorf("%q: fast path taken = %v, want %v", tc.fields, got, tc.want)
		}
	}
	for _, p := range benchPackets(t) {
		if !comparePaths(t, p.Fields) {
			t.Fatalf("fast path declined a realistic event: %q", p.Fields)
		}
	}
}

// allFixturesOrNone is allFixtures without the skip.
func allFixturesOrNone(t *testing.T) map[string][]amiwire.Packet {
	out := map[string][]amiwire.Packet{}
	for _, name := range []string{"flood-1000.listener.server.ami", "originate-async.server.ami", "getconfig.server.ami"} {
		out[name] = fixturePackets(t, name, false)
	}
	return out
}

// FuzzPlainJSON: for any packet the fast path, when it takes it, writes
// the general path's bytes, and both are valid UTF-8 JSON with the
// documented members. The input is FuzzJSON's; bit 1 of the flags byte
// maps every key and value byte into 0x20..0x7f (with '"' and '\\' made
// 'x'), so that the fuzzer spends time on packets the fast path takes.
func FuzzPlainJSON(f *testing.F) {
	for _, p := range handmade() {
		f.Add(encodeFuzz(p, 0))
		f.Add(encodeFuzz(p, 2))
	}
	f.Add(encodeFuzz(pkt("Event", "1234567", "12345678", "123456789", "123456789012345", "1234567890123456", "12345678901234567", "x"), 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, flags := decodeFuzz(data)
		if flags&2 != 0 {
			for i := range fields {
				fields[i].Key, fields[i].Value = plainify(fields[i].Key), plainify(fields[i].Value)
			}
		}
		comparePaths(t, fields)
		var enc jsonEncoder
		checkJSON(t, enc.appendObject(nil, fields), fields)
	})
}

// plainify maps every byte of s to a plain one.
func plainify(s string) string {
	b := []byte(s)
	for i, c := range b {
		c = 0x20 + c%0x60
		if c == '"' || c == '\\' {
			c = 'x'
		}
		b[i] = c
	}
	return string(b)
}

// BenchmarkJSONEscaped measures the general path: every event carries a
// value that must be escaped, so the fast path declines each one.
func BenchmarkJSONEscaped(b *testing.B) {
	ps := benchPackets(b)
	escaped := make([]amiwire.Packet, len(ps))
	for i, p := range ps {
		fs := append([]amiwire.Field(nil), p.Fields...)
		fs = append(fs, fld("Payload2", "tab\tand \"quotes\" and Zoë"))
		escaped[i] = amiwire.Packet{Fields: fs}
	}
	benchPacketsFormat(b, "json", Options{}, escaped)
}

// BenchmarkJSONRepeated measures the grouping path: every event repeats a
// key.
func BenchmarkJSONRepeated(b *testing.B) {
	ps := benchPackets(b)
	rep := make([]amiwire.Packet, len(ps))
	for i, p := range ps {
		fs := append([]amiwire.Field(nil), p.Fields...)
		fs = append(fs, fld("Variable", "a=1"), fld("Variable", "b=2"))
		rep[i] = amiwire.Packet{Fields: fs}
	}
	benchPacketsFormat(b, "json", Options{}, rep)
}

// TestSeparatorWords keeps the JSON separators, written as words, in step
// with the strings they stand for.
func TestSeparatorWords(t *testing.T) {
	for _, tc := range []struct {
		w    uint64
		want string
	}{
		{sepColon, `":"`},
		{sepComma, `","`},
	} {
		var b [8]byte
		store64(b[:], 0, tc.w)
		if got, want := string(b[:]), tc.want+strings.Repeat("\x00", 8-len(tc.want)); got != want {
			t.Errorf("word %#x is %q, want %q", tc.w, got, tc.want)
		}
	}
}
