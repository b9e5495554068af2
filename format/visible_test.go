package format

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

func TestAppendVisible(t *testing.T) {
	for _, tc := range []struct{ in, text, table string }{
		{"plain text", "plain text", "plain text"},
		{"", "", ""},
		{"\x1b]0;pwned\x07\x1b[31m", `\x1b]0;pwned\x07\x1b[31m`, `\x1b]0;pwned\x07\x1b[31m`},
		{"a\tb", "a\tb", `a\tb`},
		{"a\r\nEvent: Fake", `a\r\nEvent: Fake`, `a\r\nEvent: Fake`},
		{"\x00\x7f", `\x00\x7f`, `\x00\x7f`},
		{"Zoë 電話 📞", "Zoë 電話 📞", "Zoë 電話 📞"},
		{"csi \u009b31m nel \u0085", `csi \u009b31m nel \u0085`, `csi \u009b31m nel \u0085`},
		{"raw csi \x9b31m", `raw csi \x9b31m`, `raw csi \x9b31m`},
		{"latin-1 Jos\xe9", `latin-1 Jos\xe9`, `latin-1 Jos\xe9`},
		{"a\u2028b\u2029c", `a\u2028b\u2029c`, `a\u2028b\u2029c`},
		{`back\slash "quoted"`, `back\slash "quoted"`, `back\slash "quoted"`},
		{"16 bytes, then \x1b", `16 bytes, then \x1b`, `16 bytes, then \x1b`},
	} {
		if got := string(AppendVisible([]byte("<"), tc.in, false)); got != "<"+tc.text {
			t.Errorf("AppendVisible(%q, text) = %q, want %q", tc.in, got, "<"+tc.text)
		}
		if got := string(AppendVisible(nil, tc.in, true)); got != tc.table {
			t.Errorf("AppendVisible(%q, table) = %q, want %q", tc.in, got, tc.table)
		}
	}
}

// hostile is a UserEvent whose values would act on a terminal.
const hostile = "Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: x\r\n" +
	"Data: \x1b]0;pwned\x07\x1b[31m\r\nCallerIDName: a\rEvil\u009b2J\r\nBad\x1bKey: v\r\n\r\n"

// TestTextEscape: text for a terminal shows the control bytes of keys and
// values escaped, by either path (fields, or the wire bytes); without
// Escape (a pipe) the bytes are exact; raw is always exact.
func TestTextEscape(t *testing.T) {
	p, err := amiwire.NewReader(strings.NewReader(hostile)).ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	want := "Event: UserEvent\nPrivilege: user,all\nUserEvent: x\n" +
		`Data: \x1b]0;pwned\x07\x1b[31m` + "\n" + `CallerIDName: a\rEvil\u009b2J` + "\n" + `Bad\x1bKey: v` + "\n\n"
	for _, opts := range []Options{{Escape: true}, {Escape: true, Color: true}} {
		got := string(render(t, "text", opts, []amiwire.Packet{p}))
		if opts.Color {
			got = strings.ReplaceAll(strings.ReplaceAll(got, colorKey, ""), colorReset, "")
		}
		if got != want {
			t.Errorf("%+v:\n got %q\nwant %q", opts, got, want)
		}
		if strings.ContainsAny(got, "\x1b\x07\r\u009b") && !opts.Color {
			t.Errorf("%+v: a control byte got through: %q", opts, got)
		}
	}
	var buf bytes.Buffer
	w, _ := New("text", &buf, Options{Escape: true})
	if ok, err := w.(RawWriter).WriteRaw(p.Raw); ok || err != nil {
		t.Errorf("WriteRaw took the hostile packet (%v): %q", err, buf.String())
	}
	plain := "Event: Hangup\r\nChannel: PJSIP/100-00000001\r\nCause-txt: Normal Clearing\r\n\r\n"
	if ok, err := w.(RawWriter).WriteRaw([]byte(plain)); !ok || err != nil {
		t.Errorf("WriteRaw declined a plain packet with Escape (%v)", err)
	}

	if got := string(render(t, "text", Options{}, []amiwire.Packet{p})); !strings.Contains(got, "Data: \x1b]0;pwned\x07\x1b[31m\n") {
		t.Errorf("without Escape the bytes must be exact: %q", got)
	}
	if got := render(t, "raw", Options{Escape: true}, []amiwire.Packet{p}); string(got) != hostile {
		t.Errorf("raw: %q", got)
	}
	if got := string(render(t, "json", Options{Escape: true}, []amiwire.Packet{p})); !strings.Contains(got, `"Data":"\u001b]0;pwned\u0007\u001b[31m"`) {
		t.Errorf("json: %q", got)
	}
	if got := string(render(t, "table", Options{}, []amiwire.Packet{p})); strings.ContainsAny(got, "\x1b\x07\r\u009b") {
		t.Errorf("table: %q", got)
	}
}

// visibleOK reports whether s, the output of AppendVisible, holds nothing
// a terminal acts on.
func visibleOK(s string, tab bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && (r != '\t' || tab) || r >= 0x7f && r < 0xa0 || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// FuzzVisible: AppendVisible's output holds no control character, is
// UTF-8 and is the input itself exactly when the input needed no
// escaping; rawNeedsEscape passes only bytes that need none besides line
// ends.
func FuzzVisible(f *testing.F) {
	for _, s := range []string{hostile, realisticEvent, "a\tb", "Zoë 電話", "\xff\xfe", "\u009b", "12345678\r\n\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tab := range []bool{false, true} {
			out := string(AppendVisible(nil, s, tab))
			if !visibleOK(out, tab) {
				t.Fatalf("AppendVisible(%q, %v) = %q", s, tab, out)
			}
			if needsEscape(s, tab) != (out != s) || (out == s) != visibleOK(s, tab) {
				t.Fatalf("needsEscape(%q, %v) = %v, output %q", s, tab, needsEscape(s, tab), out)
			}
		}
		// rawNeedsEscape false: every line, its end taken off, is ASCII
		// that needs no escaping.
		if !rawNeedsEscape([]byte(s)) {
			for _, line := range strings.Split(s, "\n") {
				line = strings.TrimSuffix(line, "\r")
				for i := 0; i < len(line); i++ {
					if c := line[i]; c < 0x20 && c != '\t' || c >= 0x7f {
						t.Fatalf("rawNeedsEscape(%q) = false, but line %q has %q", s, line, c)
					}
				}
			}
		}
	})
}
