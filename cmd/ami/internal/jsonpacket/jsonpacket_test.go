package jsonpacket

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// members runs Members on in, which must start with '{'.
func members(t testing.TB, in, linesKey string) (amiwire.Packet, error) {
	dec := json.NewDecoder(strings.NewReader(in))
	dec.UseNumber()
	var p amiwire.Packet
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		t.Skipf("%q does not start with an object", in)
	}
	return p, Members(dec, &p, linesKey)
}

func TestMembers(t *testing.T) {
	for _, tc := range []struct {
		name, in, lines string
		want            string // the packet as AMI text
		err             string
		shape           bool
	}{
		{name: "empty", in: `{}`},
		{name: "in order, scalars as text", in: `{"Action":"Ping","N":-1.50e3,"B":false,"Z":null}`, want: "Action: Ping\nN: -1.50e3\nB: false\nZ: \n"},
		{name: "array repeats the key", in: `{"Variable":["a=1",2,true],"X":"y"}`, want: "Variable: a=1\nVariable: 2\nVariable: true\nX: y\n"},
		{name: "repeated keys kept", in: `{"K":"1","K":"2"}`, want: "K: 1\nK: 2\n"},
		{name: "lines key", in: `{"Response":"Follows","@lines":["a: b","c"]}`, lines: "@lines", want: "Response: Follows\na: b\nc\n"},
		{name: "lines key off", in: `{"@lines":["a"]}`, want: "@lines: a\n"},
		{name: "lines key as a string", in: `{"@lines":"a"}`, lines: "@lines", want: "@lines: a\n"},
		{name: "nested object", in: `{"A":"b","O":{"x":1}}`, err: `key "O": a nested object is not an AMI value`, shape: true},
		{name: "array of arrays", in: `{"V":["a",["b"]]}`, err: `key "V": an array may hold only`, shape: true},
		{name: "array of objects", in: `{"V":[{}]}`, err: `key "V": an array may hold only`, shape: true},
		{name: "cut short", in: `{"A":"b"`, err: io.ErrUnexpectedEOF.Error()},
		{name: "cut in an array", in: `{"A":["b"`, err: io.ErrUnexpectedEOF.Error()},
		{name: "syntax", in: `{"A" "b"}`, err: "invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := members(t, tc.in, tc.lines)
			if tc.err != "" {
				var se *ShapeError
				if err == nil || !strings.Contains(err.Error(), tc.err) || errors.As(err, &se) != tc.shape {
					t.Fatalf("err %v, want %q (a ShapeError: %v)", err, tc.err, tc.shape)
				}
				if errors.Is(err, io.EOF) {
					t.Errorf("err %v is io.EOF; inside an object the end is unexpected", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.String(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// FuzzMembers: any input either fails or yields one field per scalar of a
// valid JSON object, each key one of the object's keys.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b","c":["d",1,null,true]}`, `{"@lines":["x"]}`, `{"a":{}}`, `{"a":[[]]}`, `{"a":"\u00e9\n"}`, `{"a"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !strings.HasPrefix(strings.TrimLeft(in, " \t\r\n"), "{") {
			return
		}
		dec := json.NewDecoder(strings.NewReader(in))
		dec.UseNumber()
		if _, err := dec.Token(); err != nil {
			return
		}
		var p amiwire.Packet
		if err := Members(dec, &p, "@lines"); err != nil {
			return
		}
		obj := []byte(in)[:dec.InputOffset()]
		if !json.Valid(obj) {
			t.Fatalf("%q accepted, but %q is not valid JSON", in, obj)
		}
		count := func(v any) int {
			if a, ok := v.([]any); ok {
				return len(a)
			}
			return 1
		}
		// Count through a second, independent reading (keys may repeat,
		// so decode member by member).
		d2 := json.NewDecoder(bytes.NewReader(obj))
		d2.UseNumber()
		d2.Token()
		want := 0
		keys := map[string]bool{}
		for d2.More() {
			k, _ := d2.Token()
			var v any
			if err := d2.Decode(&v); err != nil {
				t.Fatalf("second reading of %q: %v", obj, err)
			}
			keys[k.(string)] = true
			want += count(v)
		}
		if len(p.Fields) != want {
			t.Fatalf("%q: %d fields, want %d", obj, len(p.Fields), want)
		}
		for _, f := range p.Fields {
			if f.Key != "" && !keys[f.Key] {
				t.Fatalf("%q: field key %q is none of the object's keys", obj, f.Key)
			}
		}
	})
}
