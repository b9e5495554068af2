package actions_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
)

func fields(kv ...string) []amiwire.Field {
	var out []amiwire.Field
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, amiwire.Field{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    [][]amiwire.Field
		lines   []int
		form    actions.Form
		wantErr string
	}{
		{name: "text LF", in: "Action: Ping\nActionID: 1\n\nAction: CoreStatus\n\n",
			want: [][]amiwire.Field{fields("Action", "Ping", "ActionID", "1"), fields("Action", "CoreStatus")}, lines: []int{1, 4}, form: actions.FormText},
		{name: "text CRLF, no final blank", in: "Action: Ping\r\nActionID: 1\r\n\r\nAction: CoreStatus\r\n",
			want: [][]amiwire.Field{fields("Action", "Ping", "ActionID", "1"), fields("Action", "CoreStatus")}, lines: []int{1, 4}},
		{name: "text extra blank lines", in: "\n\n  \nAction: Ping\n\n\n\nAction: Ping\n",
			want: [][]amiwire.Field{fields("Action", "Ping"), fields("Action", "Ping")}, lines: []int{4, 8}},
		{name: "text indented first key", in: "  Action: Ping\n", want: [][]amiwire.Field{fields("Action", "Ping")}, lines: []int{1}},
		{name: "text repeated keys and colons", in: "Action: Originate\nVariable: a=1\nVariable: b=2\nData: x: y\nEmpty:\n",
			want: [][]amiwire.Field{fields("Action", "Originate", "Variable", "a=1", "Variable", "b=2", "Data", "x: y", "Empty", "")}},
		{name: "text bare CR stays in value", in: "Action: Originate\nChannel: x\rAction: Command\r\n\r\n",
			want: [][]amiwire.Field{fields("Action", "Originate", "Channel", "x\rAction: Command")}},
		{name: "text value keeps trailing space", in: "Action: X\nA:  v \n", want: [][]amiwire.Field{fields("Action", "X", "A", "v ")}},
		{name: "text BOM", in: "\xef\xbb\xbfAction: Ping\n", want: [][]amiwire.Field{fields("Action", "Ping")}, lines: []int{1}},
		{name: "text no colon", in: "Action: Ping\nbogus\n", wantErr: "action 1 (line 2): \"bogus\" is not 'Key: Value'"},
		{name: "text no action", in: "Action: Ping\n\nChannel: x\n", wantErr: "action 2 (line 3): packet without an Action header"},
		{name: "text empty key", in: ": x\n", wantErr: "action 1 (line 1): empty key"},
		{name: "text line too long", in: "Action: X\nBody: " + strings.Repeat("x", actions.MaxActionBytes) + "\n", wantErr: "action 1 (line 2): more than 1024 KiB"},
		{name: "text action too long", in: "Action: X\n" + strings.Repeat("Body: "+strings.Repeat("y", 1000)+"\n", 1100), wantErr: "more than 1024 KiB"},
		{name: "empty input", in: "", want: nil},
		{name: "blank input", in: "\n \r\n", want: nil},
		{name: "json lines", in: `{"Action":"Ping","ActionID":"j1"}` + "\n" + `{"Action":"Setvar","Variable":["a=1","b=2"],"N":42,"B":true,"Z":null}` + "\n",
			want:  [][]amiwire.Field{fields("Action", "Ping", "ActionID", "j1"), fields("Action", "Setvar", "Variable", "a=1", "Variable", "b=2", "N", "42", "B", "true", "Z", "")},
			lines: []int{1, 2}, form: actions.FormJSON},
		{name: "json keeps key order", in: `{"ActionID":"x","Action":"Ping"}`, want: [][]amiwire.Field{fields("ActionID", "x", "Action", "Ping")}},
		{name: "json escapes decoded", in: `{"Action":"Originate","Channel":"x\r\nAction: Command"}`,
			want: [][]amiwire.Field{fields("Action", "Originate", "Channel", "x\r\nAction: Command")}},
		{name: "json number text kept", in: `{"Action":"X","F":1.50,"E":1e3}`, want: [][]amiwire.Field{fields("Action", "X", "F", "1.50", "E", "1e3")}},
		{name: "json leading blank lines and BOM", in: "\xef\xbb\xbf\n\n" + `{"Action":"Ping"}`, want: [][]amiwire.Field{fields("Action", "Ping")}, lines: []int{3}},
		{name: "json objects back to back", in: `{"Action":"A"}{"Action":"B"}`, want: [][]amiwire.Field{fields("Action", "A"), fields("Action", "B")}, lines: []int{1, 1}},
		{name: "json array (jq -s)", in: "[\n  {\n    \"Action\": \"Ping\"\n  },\n  {\n    \"Action\": \"CoreStatus\",\n    \"ActionID\": \"a2\"\n  }\n]\n",
			want: [][]amiwire.Field{fields("Action", "Ping"), fields("Action", "CoreStatus", "ActionID", "a2")}, lines: []int{2, 5}, form: actions.FormJSON},
		{name: "json array compact", in: `[{"Action":"Ping"},{"Action":"Ping","X":[1,2]}]`,
			want: [][]amiwire.Field{fields("Action", "Ping"), fields("Action", "Ping", "X", "1", "X", "2")}},
		{name: "json arrays and objects mixed", in: `[{"Action":"A"}]` + "\n" + `{"Action":"B"}` + "\n[]\n" + `[{"Action":"C"}]`,
			want: [][]amiwire.Field{fields("Action", "A"), fields("Action", "B"), fields("Action", "C")}, lines: []int{1, 2, 4}},
		{name: "json empty array", in: "[]", want: nil},
		{name: "json nested object", in: `{"Action":"X","O":{"a":1}}`, wantErr: "action 1 (line 1): key \"O\": a nested object"},
		{name: "json nested array", in: `{"Action":"X","O":[[1]]}`, wantErr: "only strings"},
		{name: "json array of scalars", in: `{"Action":"Ping"}` + "\n[1]\n", wantErr: `action 2 (line 2): want an object {"Action": ...}, found "1"`},
		{name: "json array in array", in: `[[{"Action":"Ping"}]]`, wantErr: "action 1 (line 1): want an object"},
		{name: "json top-level string", in: `{"Action":"Ping"}` + "\n\"x\"", wantErr: "action 2 (line 2): want an object"},
		{name: "json broken", in: `{"Action":"Ping"` + "\n", wantErr: "action 1 (line 2): unexpected EOF"},
		{name: "json array not closed", in: `[{"Action":"Ping"},` + "\n", wantErr: "action 2 (line 2): unexpected EOF"},
		{name: "json no action", in: `{"Action":"Ping"}` + "\n" + `{"Channel":"x"}`, wantErr: `action 2 (line 2): no "Action" key`},
		{name: "json no action in array", in: "[\n{\"Action\":\"Ping\"},\n{\"Channel\":\"x\"}\n]", wantErr: `action 2 (line 3): no "Action" key`},
		{name: "json trailing garbage", in: `{"Action":"Ping"} x`, wantErr: "action 2 (line 1): invalid character 'x'"},
		{name: "json garbage on a later line", in: `{"Action":"Ping"}` + "\n\n  x", wantErr: "action 2 (line 3)"},
		{name: "json too long", in: `{"Action":"X","Body":"` + strings.Repeat("x", actions.MaxActionBytes) + `"}`, wantErr: "action 1 (line 1): more than 1024 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []string{"whole", "one byte at a time"} {
				var src io.Reader = strings.NewReader(tt.in)
				if mode != "whole" {
					src = iotest.OneByteReader(src)
				}
				r := actions.NewReader(src)
				var got []actions.Action
				var err error
				for {
					var a actions.Action
					a, err = r.Next()
					if err != nil {
						break
					}
					got = append(got, a)
				}
				if again, _ := r.Next(); again.Packet.Fields != nil {
					t.Fatalf("%s: Next after the end gave %q", mode, again.Packet.Fields)
				}
				if tt.wantErr != "" {
					var ae *actions.Error
					if !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("%s: err = %v, want *Error with %q", mode, err, tt.wantErr)
					}
					continue
				}
				if err != io.EOF {
					t.Fatalf("%s: %v", mode, err)
				}
				var fs [][]amiwire.Field
				var lines []int
				for i, a := range got {
					fs = append(fs, a.Packet.Fields)
					lines = append(lines, a.Line)
					if a.N != i+1 {
						t.Errorf("%s: action %d numbered %d", mode, i+1, a.N)
					}
				}
				if !reflect.DeepEqual(fs, tt.want) {
					t.Fatalf("%s: got %q\nwant %q", mode, fs, tt.want)
				}
				if tt.lines != nil && !reflect.DeepEqual(lines, tt.lines) {
					t.Fatalf("%s: lines %v, want %v", mode, lines, tt.lines)
				}
				if tt.form != actions.FormUnknown && r.Form() != tt.form {
					t.Fatalf("%s: form %v, want %v", mode, r.Form(), tt.form)
				}
			}
		})
	}
}

// TestReadError: a failure of the input itself is passed on, not taken for
// bad syntax.
func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{"Action: Ping\n", `{"Action":`, "[", ""} {
		r := actions.NewReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)))
		_, err := r.Next()
		var ae *actions.Error
		if !errors.Is(err, boom) || errors.As(err, &ae) {
			t.Errorf("%q: err = %v, want boom and no *Error", in, err)
		}
	}
}

// TestStreaming: each action comes out as soon as its last byte is in, with
// the next one not written yet (a coprocess waits for the answer before
// writing on).
func TestStreaming(t *testing.T) {
	tests := []struct {
		name  string
		parts []string // written one by one; each completes one action
	}{
		{"text", []string{"Action: Ping\nActionID: 1\n\n", "Action: Ping\nActionID: 2\n\n", "Action: Ping\r\nActionID: 3\r\n\r\n"}},
		{"json lines", []string{`{"Action":"Ping","ActionID":"1"}`, "\n" + `{"Action":"Ping","ActionID":"2"}`, "\n" + `{"Action":"Ping","ActionID":"3"}`}},
		{"json array", []string{`[{"Action":"Ping","ActionID":"1"}`, `,{"Action":"Ping","ActionID":"2"}`, ",\n" + `{"Action":"Ping","ActionID":"3"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			defer pr.Close()
			r := actions.NewReader(pr)
			type result struct {
				a   actions.Action
				err error
			}
			next := make(chan result)
			go func() {
				for {
					a, err := r.Next()
					next <- result{a, err}
					if err != nil {
						return
					}
				}
			}()
			deadline := time.After(10 * time.Second)
			for i, part := range tt.parts {
				go pw.Write([]byte(part))
				select {
				case res := <-next:
					if res.err != nil || res.a.Packet.Get("ActionID") != string(rune('1'+i)) {
						t.Fatalf("action %d: %q, %v", i+1, res.a.Packet.Fields, res.err)
					}
				case <-deadline:
					t.Fatalf("action %d did not come out before more input", i+1)
				}
			}
			end := "]"
			if tt.name != "json array" {
				end = ""
			}
			go func() { pw.Write([]byte(end)); pw.Close() }()
			select {
			case res := <-next:
				if res.err != io.EOF {
					t.Fatalf("after the last action: %q, %v", res.a.Packet.Fields, res.err)
				}
			case <-deadline:
				t.Fatal("no end")
			}
		})
	}
}

// FuzzParse checks that the parser never panics, that every action it
// returns has an Action header, that reading one byte at a time gives
// the same actions or error, and that a valid action's wire form parses
// back to the same action.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Action: Ping\nActionID: 1\n\nAction: CoreStatus\n\n",
		"Action: Ping\r\n\r\n",
		"Action: Originate\nChannel: x\rAction: Command\r\n\r\n",
		`{"Action":"Ping","Variable":["a=1","b=2"],"N":1,"B":false,"Z":null}`,
		`[{"Action":"Ping"},{"Action":"X","O":[1,"2"]}]`,
		`{"Action":"X","O":{"a":1}}`,
		"\xef\xbb\xbf[\n]{",
		"{",
		":\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		acts, err := actions.Parse(in)
		slow, slowErr := parseSlowly(in)
		if (err == nil) != (slowErr == nil) || err != nil && err.Error() != slowErr.Error() || !reflect.DeepEqual(acts, slow) {
			t.Fatalf("one byte at a time differs:\n%v %v\n%v %v", acts, err, slow, slowErr)
		}
		if err != nil {
			var ae *actions.Error
			if !errors.As(err, &ae) || ae.Line < 1 || ae.Action < 1 {
				t.Fatalf("error %v is not an *Error with a place", err)
			}
			return
		}
		for i, a := range acts {
			if !a.Packet.Has("Action") {
				t.Fatalf("action without Action: %q", a.Packet.Fields)
			}
			if a.Line < 1 || a.N != i+1 {
				t.Fatalf("action %d: N %d, line %d", i+1, a.N, a.Line)
			}
			if amiwire.ValidateSend(a.Packet) != nil {
				continue
			}
			var buf bytes.Buffer
			err := amiwire.NewWriter(&buf).WriteAction(a.Packet)
			wire := buf.Bytes()
			if err != nil {
				t.Fatalf("valid action not writable: %v", err)
			}
			if wire[0] == '{' || wire[0] == '[' {
				continue // a key starting with '{' or '[' reads as JSON on its own
			}
			back, err := actions.Parse(wire)
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

func parseSlowly(in []byte) ([]actions.Action, error) {
	r := actions.NewReader(iotest.OneByteReader(bytes.NewReader(in)))
	var out []actions.Action
	for {
		a, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
}
