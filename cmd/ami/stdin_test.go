package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

func fields(kv ...string) []amiwire.Field {
	var out []amiwire.Field
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, amiwire.Field{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestParseActions(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    [][]amiwire.Field
		lines   []int
		wantErr string
	}{
		{name: "text LF", in: "Action: Ping\nActionID: 1\n\nAction: CoreStatus\n\n",
			want: [][]amiwire.Field{fields("Action", "Ping", "ActionID", "1"), fields("Action", "CoreStatus")}, lines: []int{1, 4}},
		{name: "text CRLF, no final blank", in: "Action: Ping\r\nActionID: 1\r\n\r\nAction: CoreStatus\r\n",
			want: [][]amiwire.Field{fields("Action", "Ping", "ActionID", "1"), fields("Action", "CoreStatus")}},
		{name: "text extra blank lines", in: "\n\n  \nAction: Ping\n\n\n\nAction: Ping\n",
			want: [][]amiwire.Field{fields("Action", "Ping"), fields("Action", "Ping")}, lines: []int{4, 8}},
		{name: "text repeated keys and colons", in: "Action: Originate\nVariable: a=1\nVariable: b=2\nData: x: y\nEmpty:\n",
			want: [][]amiwire.Field{fields("Action", "Originate", "Variable", "a=1", "Variable", "b=2", "Data", "x: y", "Empty", "")}},
		{name: "text bare CR stays in value", in: "Action: Originate\nChannel: x\rAction: Command\r\n\r\n",
			want: [][]amiwire.Field{fields("Action", "Originate", "Channel", "x\rAction: Command")}},
		{name: "text no colon", in: "Action: Ping\nbogus\n", wantErr: "line 2"},
		{name: "text no action", in: "Action: Ping\n\nChannel: x\n", wantErr: "line 3: packet without an Action"},
		{name: "text empty key", in: ": x\n", wantErr: "empty key"},
		{name: "empty input", in: "", want: nil},
		{name: "blank input", in: "\n \r\n", want: nil},
		{name: "json lines", in: `{"Action":"Ping","ActionID":"j1"}` + "\n" + `{"Action":"Setvar","Variable":["a=1","b=2"],"N":42,"B":true,"Z":null}` + "\n",
			want:  [][]amiwire.Field{fields("Action", "Ping", "ActionID", "j1"), fields("Action", "Setvar", "Variable", "a=1", "Variable", "b=2", "N", "42", "B", "true", "Z", "")},
			lines: []int{1, 2}},
		{name: "json keeps key order", in: `{"ActionID":"x","Action":"Ping"}`, want: [][]amiwire.Field{fields("ActionID", "x", "Action", "Ping")}},
		{name: "json escapes decoded", in: `{"Action":"Originate","Channel":"x\r\nAction: Command"}`,
			want: [][]amiwire.Field{fields("Action", "Originate", "Channel", "x\r\nAction: Command")}},
		{name: "json number text kept", in: `{"Action":"X","F":1.50,"E":1e3}`, want: [][]amiwire.Field{fields("Action", "X", "F", "1.50", "E", "1e3")}},
		{name: "json leading blank lines and BOM", in: "\xef\xbb\xbf\n\n" + `{"Action":"Ping"}`, want: [][]amiwire.Field{fields("Action", "Ping")}, lines: []int{3}},
		{name: "json nested object", in: `{"Action":"X","O":{"a":1}}`, wantErr: "nested object"},
		{name: "json nested array", in: `{"Action":"X","O":[[1]]}`, wantErr: "only strings"},
		{name: "json not object", in: `{"Action":"Ping"}` + "\n[1]\n", wantErr: "object 2 (line 2)"},
		{name: "json broken", in: `{"Action":"Ping"` + "\n", wantErr: "object 1"},
		{name: "json no action", in: `{"Action":"Ping"}` + "\n" + `{"Channel":"x"}`, wantErr: `object 2 (line 2): no "Action"`},
		{name: "json trailing garbage", in: `{"Action":"Ping"} x`, wantErr: "object 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readActions(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var fs [][]amiwire.Field
			var lines []int
			for _, a := range got {
				fs = append(fs, a.Packet.Fields)
				lines = append(lines, a.Line)
			}
			if !reflect.DeepEqual(fs, tt.want) {
				t.Fatalf("got %q\nwant %q", fs, tt.want)
			}
			if tt.lines != nil && !reflect.DeepEqual(lines, tt.lines) {
				t.Fatalf("lines %v, want %v", lines, tt.lines)
			}
		})
	}
}

func TestReadActionsTooBig(t *testing.T) {
	big := strings.Repeat("Action: Ping\n\n", maxStdinBytes/14+2)
	if _, err := readActions(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Fatalf("err = %v", err)
	}
}

// FuzzParseActions checks that the stdin parser never panics, that every
// action it returns has an Action header, and that a checked action's wire
// form parses back to the same action (text round trip).
func FuzzParseActions(f *testing.F) {
	for _, s := range []string{
		"Action: Ping\nActionID: 1\n\nAction: CoreStatus\n\n",
		"Action: Ping\r\n\r\n",
		"Action: Originate\nChannel: x\rAction: Command\r\n\r\n",
		`{"Action":"Ping","Variable":["a=1","b=2"],"N":1,"B":false,"Z":null}`,
		`{"Action":"X","O":{"a":1}}`,
		"{",
		":\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		acts, err := parseActions(in)
		if err != nil {
			return
		}
		for _, a := range acts {
			if !a.Packet.Has("Action") {
				t.Fatalf("action without Action: %q", a.Packet.Fields)
			}
			if a.Line < 1 {
				t.Fatalf("line %d", a.Line)
			}
			if checkAction(a.Packet, "fuzz") != nil {
				continue
			}
			wire, err := amiwire.AppendAction(nil, a.Packet)
			if err != nil {
				t.Fatalf("checked action not writable: %v", err)
			}
			if wire[0] == '{' {
				continue // a key starting with '{' reads as JSON on its own
			}
			back, err := parseActions(wire)
			if err != nil || len(back) != 1 {
				t.Fatalf("wire form %q did not parse back: %v, %d actions", wire, err, len(back))
			}
			want := a.Packet.Fields
			got := back[0].Packet.Fields
			if len(got) != len(want) {
				t.Fatalf("round trip %q -> %q", want, got)
			}
			for i := range want {
				if got[i].Key != want[i].Key || got[i].Value != strings.TrimLeft(want[i].Value, " \t") {
					t.Fatalf("round trip field %d: %q -> %q", i, want[i], got[i])
				}
			}
		}
	})
}
