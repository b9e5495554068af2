package format

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

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
