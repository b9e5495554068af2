package amiwire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestAppendActionBytes(t *testing.T) {
	p := NewAction("Originate", "ActionID", "orig-2", "Channel", "Local/short@default", "Data", "", "Variable", "A=1", "Variable", "B=two words: yes")
	got, err := appendAction([]byte("prefix"), p)
	if err != nil {
		t.Fatal(err)
	}
	want := "prefixAction: Originate\r\nActionID: orig-2\r\nChannel: Local/short@default\r\nData: \r\nVariable: A=1\r\nVariable: B=two words: yes\r\n\r\n"
	if string(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.WriteAction(NewAction("Ping")); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAction(NewAction("Logoff", "ActionID", "x")); err != nil {
		t.Fatal(err)
	}
	if b.String() != "Action: Ping\r\n\r\nAction: Logoff\r\nActionID: x\r\n\r\n" {
		t.Errorf("written %q", b.String())
	}
}

// countWriter counts Write calls.
type countWriter struct {
	writes int
	bytes.Buffer
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

func TestWriterRefuses(t *testing.T) {
	many := NewAction("X")
	for range MaxActionHeaders {
		many.Add("K", "v")
	}
	tests := []struct {
		name  string
		p     Packet
		key   string
		index int
	}{
		{"no headers", Packet{}, "", -1},
		{"too many headers", many, "", -1},
		{"CR in value", NewAction("Ping", "ActionID", "a\rb"), "ActionID", 1},
		{"LF in value", NewAction("Ping", "ActionID", "a\nAction: Originate"), "ActionID", 1},
		{"CRLF injection", NewAction("Login", "Username", "x\r\nSecret: y"), "Username", 1},
		{"NUL in value", NewAction("Ping", "V", "a\x00b"), "V", 1},
		{"colon in key", NewAction("Ping", "A:B", "v"), "A:B", 1},
		{"space in key", NewAction("Ping", "A B", "v"), "A B", 1},
		{"leading space in key", NewAction("Ping", " Key", "v"), " Key", 1},
		{"trailing space in key", NewAction("Ping", "Key ", "v"), "Key ", 1},
		{"tab in key", NewAction("Ping", "K\tey", "v"), "K\tey", 1},
		{"control in key", NewAction("Ping", "K\x01", "v"), "K\x01", 1},
		{"DEL in key", NewAction("Ping", "K\x7f", "v"), "K\x7f", 1},
		{"LF in key", NewAction("Ping", "K\n", "v"), "K\n", 1},
		{"empty key", NewAction("Ping", "", "v"), "", 1},
		{"empty action name is fine, empty key is not", Packet{Fields: []Field{{"", "Ping"}}}, "", 0},
		{"line too long", NewAction("Ping", "Data", strings.Repeat("x", MaxActionLine-len("Data: \r\n")+1)), "Data", 1},
		{"Response: Follows first", Packet{Fields: []Field{{"Response", " follows"}, {"Privilege", "Command"}}}, "Response", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateAction(tc.p)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("validateAction: %v, want *FieldError", err)
			}
			if fe.Key != tc.key || fe.Index != tc.index || fe.Reason == "" {
				t.Errorf("FieldError{Key %q, Index %d, Reason %q}, want Key %q Index %d", fe.Key, fe.Index, fe.Reason, tc.key, tc.index)
			}
			if !strings.HasPrefix(err.Error(), "invalid action") {
				t.Errorf("message %q", err)
			}
			dst := []byte("keep")
			out, err2 := appendAction(dst, tc.p)
			if string(out) != "keep" || !errors.As(err2, &fe) {
				t.Errorf("appendAction changed dst to %q, err %v", out, err2)
			}
			var cw countWriter
			if err := NewWriter(&cw).WriteAction(tc.p); !errors.As(err, &fe) || cw.writes != 0 || cw.Len() != 0 {
				t.Errorf("WriteAction wrote %d times (%q), err %v", cw.writes, cw.String(), err)
			}
		})
	}
}

func TestWriterLimitsExact(t *testing.T) {
	// A line of exactly MaxActionLine bytes, CRLF included, and exactly
	// MaxActionHeaders headers are accepted.
	p := NewAction("Ping", "Data", strings.Repeat("x", MaxActionLine-len("Data: \r\n")))
	for len(p.Fields) < MaxActionHeaders {
		p.Add("K", "v")
	}
	b, err := appendAction(nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(b, []byte("\r\nK: v")); i != len("Action: Ping\r\n")+MaxActionLine-2 {
		t.Errorf("Data line is %d bytes", i-len("Action: Ping\r\n")+2)
	}
	// Values may hold anything else: spaces, colons, tabs, UTF-8, empty.
	ok := NewAction("Command", "Command", "core show channels\tverbose: yes ünïcode", "Empty", "", "Lead", " x ")
	if err := validateAction(ok); err != nil {
		t.Error(err)
	}
}

type failWriter struct{}

var errWrite = errors.New("write failed")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriterError(t *testing.T) {
	if err := NewWriter(failWriter{}).WriteAction(NewAction("Ping")); !errors.Is(err, errWrite) {
		t.Errorf("got %v", err)
	}
}

// TestRoundTrip writes actions and reads them back: same fields, and Raw is
// exactly what was written.
func TestRoundTrip(t *testing.T) {
	actions := []Packet{
		NewAction("Login", "ActionID", "login-1", "Username", "admin", "Secret", "s3cret", "Events", "off"),
		NewAction("Originate", "Channel", "Local/short@default", "Variable", "A=1", "Variable", "B=b: c", "Data", ""),
		NewAction("Command", "Command", "core show channels", "Lead", "  two leading spaces", "Trail", "trailing  "),
		NewAction("Setvar", "Variable", "X", "Value", "\xff\xfe not UTF-8 \x01\x7f"),
		{Fields: []Field{{"ChanVariable(PJSIP/100-0001)", "name=value"}, {"Response", "Success"}}},
		{Fields: []Field{{"Response", "Follows!"}}},
		NewAction("Ping"),
	}
	var b bytes.Buffer
	w := NewWriter(&b)
	for _, p := range actions {
		if err := w.WriteAction(p); err != nil {
			t.Fatal(err)
		}
	}
	wire := b.String()
	r := NewReader(&b)
	for i, want := range actions {
		got, err := r.ReadPacket()
		if err != nil {
			t.Fatalf("action %d: %v", i, err)
		}
		if !equalFields(got.Fields, want.Fields) {
			t.Errorf("action %d: read back %q, wrote %q", i, got.Fields, want.Fields)
		}
		enc, _ := appendAction(nil, want)
		if !bytes.Equal(got.Raw, enc) {
			t.Errorf("action %d: Raw %q, wrote %q", i, got.Raw, enc)
		}
	}
	if _, err := r.ReadPacket(); err != io.EOF {
		t.Errorf("after the last action: %v (wire %q)", err, wire)
	}
}

func equalFields(a, b []Field) bool {
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
