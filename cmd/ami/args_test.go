package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

func TestParseKV(t *testing.T) {
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
		f, err := parseKV(tt.arg)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseKV(%q) error = %v, wantErr %v", tt.arg, err, tt.wantErr)
			continue
		}
		if err == nil && (f.Key != tt.key || f.Value != tt.val) {
			t.Errorf("parseKV(%q) = %q, %q; want %q, %q", tt.arg, f.Key, f.Value, tt.key, tt.val)
		}
	}
}

func TestParseActionArgs(t *testing.T) {
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
			p, err := parseActionArgs(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
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

func TestCheckAction(t *testing.T) {
	many := amiwire.NewAction("UserEvent")
	for i := 0; i < amiwire.MaxActionHeaders; i++ {
		many.Add("H", "v")
	}
	tests := []struct {
		name    string
		p       amiwire.Packet
		wantKey string // substring of the message
	}{
		{name: "CRLF injection", p: amiwire.NewAction("Originate", "Channel", "x\r\nAction: Command\r\nCommand: core stop now"), wantKey: `"Channel"`},
		{name: "bare CR", p: amiwire.NewAction("Originate", "Channel", "x\rAction: Command"), wantKey: `"Channel"`},
		{name: "bare LF", p: amiwire.NewAction("Originate", "Channel", "x\nAction: Command"), wantKey: `"Channel"`},
		{name: "NUL", p: amiwire.NewAction("Originate", "Channel", "x\x00"), wantKey: `"Channel"`},
		{name: "CR in action name", p: amiwire.NewAction("Ping\r\nCommand: x"), wantKey: `"Action"`},
		{name: "long line", p: amiwire.NewAction("UserEvent", "Body", strings.Repeat("x", 1100)), wantKey: `"Body"`},
		{name: "too many headers", p: many, wantKey: "130 headers with the ActionID"},
		{name: "empty action", p: amiwire.NewAction(""), wantKey: "empty action name"},
		{name: "key with colon", p: amiwire.Packet{Fields: fields("Action", "Ping", "A:B", "x")}, wantKey: `"A:B"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkAction(tt.p, "send")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.wantKey) || !strings.Contains(err.Error(), "nothing was sent") {
				t.Errorf("message %q lacks %q", err, tt.wantKey)
			}
			var fe *amiwire.FieldError
			if !errors.As(err, &fe) {
				t.Errorf("%v is not a *FieldError", err)
			}
			if got := exitCode(err); got != exitUsage {
				t.Errorf("exit code %d, want %d", got, exitUsage)
			}
		})
	}
	if err := checkAction(amiwire.NewAction("Ping", "ActionID", "1"), "send"); err != nil {
		t.Fatalf("valid action refused: %v", err)
	}
}

func FuzzParseActionArgs(f *testing.F) {
	f.Add("Originate", "Channel=PJSIP/100", "Variable: a=1")
	f.Add("Action=Ping", "ActionID=1", "")
	f.Add("Ping", "Channel=x\r\nAction: Command\r\nCommand: core stop now", "x")
	f.Add(":", "=", "==")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		args := []string{a, b, c}
		p, err := parseActionArgs(args)
		if err != nil {
			return
		}
		if !strings.EqualFold(p.Fields[0].Key, "Action") {
			t.Fatalf("first field %q is not Action", p.Fields[0].Key)
		}
		if len(p.Fields) > len(args)+1 {
			t.Fatalf("%d fields from %d args", len(p.Fields), len(args))
		}
		// Whatever the parser accepted, a checked action never carries a
		// line break into the wire form: it has exactly one line per field.
		if checkAction(p, "fuzz") == nil {
			wire, err := amiwire.AppendAction(nil, p)
			if err != nil {
				t.Fatalf("checked action not writable: %v", err)
			}
			if n := strings.Count(string(wire), "\n"); n != len(p.Fields)+1 {
				t.Fatalf("wire form has %d lines for %d fields: %q", n, len(p.Fields), wire)
			}
		}
	})
}

func FuzzParseKV(f *testing.F) {
	for _, s := range []string{"Key=Value", "Key: Value", "Variable=a=1", "Data: x=y", "=", ":", "a:b=c", "x\r\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		fld, err := parseKV(arg)
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
