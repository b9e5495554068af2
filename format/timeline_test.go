package format

import (
	"bytes"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

func TestTimeline(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		in   []amiwire.Packet
		want string
	}{
		{
			name: "columns widen as values come, the rest as pairs",
			in: []amiwire.Packet{
				pkt("@t", "+0.000", "Event", "Newchannel", "Channel", "Local/a-1;1", "ChannelStateDesc", "Down"),
				pkt("@t", "+12.250", "Event", "Hangup", "Channel", "Local/a-1;2", "Cause", "16", "Cause-txt", "Normal Clearing"),
				pkt("@t", "+0.5", "Event", "BridgeCreate", "BridgeUniqueid", "b1"),
			},
			want: "+0.000  Local/a-1;1  Newchannel  ChannelStateDesc=Down\n" +
				"+12.250  Local/a-1;2  Hangup      Cause=16  Cause-txt=\"Normal Clearing\"\n" +
				"   +0.5               BridgeCreate  BridgeUniqueid=b1\n",
		},
		{
			name: "empty values and colonless lines are left out; no trailing spaces",
			in:   []amiwire.Packet{{Fields: []amiwire.Field{{Key: "Event", Value: "E"}, {Key: "Empty"}, {Value: "loose line"}}}},
			want: "    E\n",
		},
		{
			name: "control bytes escaped, quotes in values escaped",
			in:   []amiwire.Packet{pkt("@t", "1", "Channel", "X\x1b[2J", "Event", "UserEvent", "Say", `he said "hi"`)},
			want: "1  X\\x1b[2J  UserEvent  Say=\"he said \\\"hi\\\"\"\n",
		},
		{
			name: "lead and fields",
			opts: Options{Lead: []amiwire.Field{{Key: "@host", Value: "pbx1"}}, Fields: []string{"@t", "Event", "Cause"}},
			in:   []amiwire.Packet{pkt("@t", "+1.000", "Event", "Hangup", "Channel", "C", "Cause", "16", "Other", "x")},
			want: "+1.000    Hangup  @host=pbx1  Cause=16\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New("timeline", &buf, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.in {
				if err := w.WritePacket(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
