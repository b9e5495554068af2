package actions_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		arg     string
		key     string
		val     string
		wantErr bool
	}{
		{arg: "Channel=PJSIP/100", key: "Channel", val: "PJSIP/100"},
		{arg: "Variable=a=1", key: "Variable", val: "a=1"},
		{arg: "Data: x=y", key: "Data", val: "x=y"},
		{arg: "Key:  spaced", key: "Key", val: "spaced"},
		{arg: "Key=  kept", key: "Key", val: "  kept"},
		{arg: "Key=", key: "Key", val: ""},
		{arg: "Key:", key: "Key", val: ""},
		{arg: "URL=http://x:80/", key: "URL", val: "http://x:80/"},
		{arg: " Key =v", key: "Key", val: "v"},
		{arg: "ChanVariable(PJSIP/100-0001): name=value", key: "ChanVariable(PJSIP/100-0001)", val: "name=value"},
		{arg: `CallerID="Ops" <100>`, key: "CallerID", val: `"Ops" <100>`},
		{arg: "Channel=x\r\nAction: Command", key: "Channel", val: "x\r\nAction: Command"},
		{arg: "novalue", wantErr: true},
		{arg: "=value", wantErr: true},
		{arg: ": value", wantErr: true},
		{arg: "", wantErr: true},
	}
	for _, tt := range tests {
		f, err := actions.ParseHeader(tt.arg)
		if (err != nil) != tt.wantErr {
			t.Errorf("actions.ParseHeader(%q) error = %v, wantErr %v", tt.arg, err, tt.wantErr)
			continue
		}
		if err == nil && (f.Key != tt.key || f.Value != tt.val) {
			t.Errorf("actions.ParseHeader(%q) = %q, %q; want %q, %q", tt.arg, f.Key, f.Value, tt.key, tt.val)
		}
	}
}

func TestFromArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    []amiwire.Field
		wantErr string
	}{
		{name: "bare", args: []string{"Ping"}, want: fields("Action", "Ping")},
		{name: "repeated keys in order", args: []string{"Originate", "Channel=PJSIP/100", "Variable=a=1", "Variable: b=2"},
			want: fields("Action", "Originate", "Channel", "PJSIP/100", "Variable", "a=1", "Variable", "b=2")},
		{name: "Action= form", args: []string{"Action=CoreStatus", "ActionID=x"}, want: fields("Action", "CoreStatus", "ActionID", "x")},
		{name: "Action: form later", args: []string{"ActionID=x", "action: Ping"}, want: fields("action", "Ping", "ActionID", "x")},
		{name: "none", args: nil, wantErr: "no action"},
		{name: "headers only", args: []string{"Channel=x"}, wantErr: "no action"},
		{name: "two actions", args: []string{"Ping", "Action=Logoff"}, wantErr: "second action"},
		{name: "bad header", args: []string{"Ping", "oops"}, wantErr: "argument 2"},
		{name: "blank name", args: []string{" "}, wantErr: "no action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := actions.FromArgs(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if (tt.wantErr == "no action") != errors.Is(err, actions.ErrNoAction) {
					t.Fatalf("err = %v: errors.Is ErrNoAction = %v", err, errors.Is(err, actions.ErrNoAction))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Fields, tt.want) {
				t.Fatalf("fields = %q, want %q", p.Fields, tt.want)
			}
		})
	}
}

func FuzzFromArgs(f *testing.F) {
	f.Add("Originate", "Channel=PJSIP/100", "Variable: a=1")
	f.Add("Action=Ping", "ActionID=1", "")
	f.Add("Ping", "Channel=x\r\nAction: Command\r\nCommand: core stop now", "x")
	f.Add(":", "=", "==")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		args := []string{a, b, c}
		p, err := actions.FromArgs(args)
		if err != nil {
			return
		}
		if !strings.EqualFold(p.Fields[0].Key, "Action") {
			t.Fatalf("first field %q is not Action", p.Fields[0].Key)
		}
		if len(p.Fields) > len(args)+1 {
			t.Fatalf("%d fields from %d args", len(p.Fields), len(args))
		}
		// Whatever FromArgs accepted, an action that passes ValidateSend
		// never carries a line break into the wire form: it has exactly
		// one line per field.
		if amiwire.ValidateSend(p) == nil {
			var buf bytes.Buffer
			err := amiwire.NewWriter(&buf).WriteAction(p)
			wire := buf.Bytes()
			if err != nil {
				t.Fatalf("checked action not writable: %v", err)
			}
			if n := strings.Count(string(wire), "\n"); n != len(p.Fields)+1 {
				t.Fatalf("wire form has %d lines for %d fields: %q", n, len(p.Fields), wire)
			}
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"Key=Value", "Key: Value", "Variable=a=1", "Data: x=y", "=", ":", "a:b=c", "x\r\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		fld, err := actions.ParseHeader(arg)
		if err != nil {
			return
		}
		if fld.Key == "" || strings.ContainsAny(fld.Key, "=:") {
			t.Fatalf("key %q from %q", fld.Key, arg)
		}
		if !strings.Contains(arg, fld.Value) {
			t.Fatalf("value %q not taken from %q", fld.Value, arg)
		}
	})
}
