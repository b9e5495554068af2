package amiwire

import (
	"fmt"
	"github.com/ami-cli/ami/amiwire/amitls"
	"strings"
	"testing"
)

func TestPacketLookups(t *testing.T) {
	p := pk("Event", "Status", "ActionId", "a1", "Variable", "a=1", "variable", "b=2", "Empty", "", "BridgeID", "x")
	if p.Get("actionid") != "a1" || p.Get("ActionID") != "a1" || p.Get("Event") != "Status" || p.Get("Action") != "" {
		t.Errorf("Get: %q %q %q", p.Get("actionid"), p.Get("Event"), p.Get("Action"))
	}
	if v, ok := p.Lookup("EMPTY"); !ok || v != "" {
		t.Errorf("Lookup(EMPTY) = %q, %v", v, ok)
	}
	if _, ok := p.Lookup("Missing"); ok || p.Has("Missing") || !p.Has("bridgeid") {
		t.Error("Has/Lookup of missing key")
	}
	if vs := p.Values("VARIABLE"); strings.Join(vs, ",") != "a=1,b=2" {
		t.Errorf("Values %q", vs)
	}
	if vs := p.Values("nope"); vs != nil {
		t.Errorf("Values of missing key %q", vs)
	}
}

func TestPacketKind(t *testing.T) {
	tests := []struct {
		p    Packet
		want packetKind
	}{
		{pk("Response", "Success"), kindResponse},
		{pk("Event", "OriginateResponse", "ActionID", "x", "Response", "Success"), kindEvent},
		{pk("Response", "Success", "Event", "Late"), kindEvent},
		{pk("Action", "Ping"), kindAction},
		{pk("action", "Ping", "Response", "x"), kindAction},
		{pk("Foo", "bar"), kindUnknown},
		{Packet{}, kindUnknown},
	}
	for _, tc := range tests {
		if got := tc.p.kind(); got != tc.want {
			t.Errorf("packetKind(%q) = %v, want %v", tc.p.Fields, got, tc.want)
		}
	}
	for k, s := range map[packetKind]string{kindAction: "action", kindResponse: "response", kindEvent: "event", kindUnknown: "unknown"} {
		if k.String() != s {
			t.Errorf("%d.String() = %q", k, k.String())
		}
	}
	if !pk("Response", "error").isError() || pk("Response", "Success").isError() || pk("Event", "X", "Response", "Error").isError() {
		t.Error("IsError")
	}
}

func TestPacketEdit(t *testing.T) {
	p := NewAction("Originate", "Variable", "a=1", "Variable", "b=2", "Odd")
	if p.String() != "Action: Originate\nVariable: a=1\nVariable: b=2\nOdd: \n" {
		t.Errorf("NewAction: %q", p.String())
	}
	p.Raw = []byte("stale")
	q := p.Clone()
	p.Add("ActionID", "1")
	if p.Raw != nil {
		t.Error("Add kept a stale Raw")
	}
	if got := p.Values("variable"); len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
		t.Errorf("Values: %q", got)
	}
	if p.String() != "Action: Originate\nVariable: a=1\nVariable: b=2\nOdd: \nActionID: 1\n" {
		t.Errorf("after Add: %q", p.String())
	}
	if q.String() != "Action: Originate\nVariable: a=1\nVariable: b=2\nOdd: \n" || string(q.Raw) != "stale" {
		t.Errorf("Clone changed: %q", q.String())
	}
	if (Packet{Fields: []Field{{"", "raw line"}}}).String() != "raw line\n" {
		t.Error("String of a colonless field")
	}
	// Packets from a Reader share slabs: editing one leaves its neighbours alone.
	r := NewReader(strings.NewReader("Event: A\r\nX: 1\r\n\r\nEvent: B\r\nY: 2\r\n\r\n"))
	a, _ := r.ReadPacket()
	b, _ := r.ReadPacket()
	a.Add("Z", "3")
	a.Add("X", "9")
	if b.String() != "Event: B\nY: 2\n" || a.String() != "Event: A\nX: 1\nZ: 3\nX: 9\n" {
		t.Errorf("a %q, b %q", a.String(), b.String())
	}
}

// TestEnumNames: the enum-like types print their names, and a value
// out of range says its type and number.
func TestEnumNames(t *testing.T) {
	for _, tt := range []struct {
		v    fmt.Stringer
		want string
	}{
		{kindEvent, "event"},
		{amitls.Pinned, "pinned"},
		{amitls.Check(9), "Check(9)"},
		{amitls.WrongName, "wrong name"},
		{amitls.Reason(0), "Reason(0)"},
		{listCancelled, "cancelled"},
		{listMark(-1), "listMark(-1)"},
	} {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%#v prints %q, want %q", tt.v, got, tt.want)
		}
	}
}
