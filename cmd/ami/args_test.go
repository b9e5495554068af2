package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

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
