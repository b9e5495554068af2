package check_test

import (
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/check"
)

func TestEmptyList(t *testing.T) {
	resp := func(kv ...string) amiwire.Packet {
		var p amiwire.Packet
		for i := 0; i+1 < len(kv); i += 2 {
			p.Add(kv[i], kv[i+1])
		}
		return p
	}
	tests := []struct {
		name string
		p    amiwire.Packet
		want bool
	}{
		{"confbridge", resp("Response", "Error", "ActionID", "1", "Message", "No active conferences."), true},
		{"case and spaces", resp("Response", "Error", "Message", "  no ACTIVE conferences  "), true},
		{"pjsip trailing line break", resp("Response", "Error", "Message", "No endpoints found\n"), true},
		{"confbridge named", resp("Response", "Error", "Message", "No Conference by that name found."), true},
		{"voicemail success", resp("Response", "Success", "Message", "There are no voicemail users currently defined."), true},
		{"other error", resp("Response", "Error", "Message", "Permission denied"), false},
		{"unknown action", resp("Response", "Error", "Message", "Invalid/unknown command: ConfBridgeList. Use Action: ListCommands to show available commands."), false},
		{"prefix only", resp("Response", "Error", "Message", "No active conferences here"), false},
		{"no message", resp("Response", "Error"), false},
		{"an event", resp("Event", "Foo", "Message", "No active conferences."), false},
		{"an action", resp("Action", "Foo", "Message", "No active conferences."), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check.EmptyList(tt.p); got != tt.want {
				t.Errorf("EmptyList(%q) = %v, want %v", tt.p.String(), got, tt.want)
			}
		})
	}
}
