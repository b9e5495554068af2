package actions_test

import (
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
)

func TestTimeout(t *testing.T) {
	tests := []struct {
		action amiwire.Packet
		want   time.Duration
	}{
		{amiwire.NewAction("Ping"), 0},
		{amiwire.NewAction("Originate", "Channel", "Local/100@default", "Timeout", "13000"), 13 * time.Second},
		{amiwire.NewAction("originate", "Timeout", " 250 "), 250 * time.Millisecond},
		// Asterisk rings a synchronous Originate for 30 s unless told.
		{amiwire.NewAction("Originate", "Channel", "Local/100@default"), 30 * time.Second},
		{amiwire.NewAction("Originate", "Async", "false"), 30 * time.Second},
		{amiwire.NewAction("Originate", "Async", "yes"), 0},
		{amiwire.NewAction("Originate", "Async", "true", "Timeout", "5000"), 5 * time.Second},
		{amiwire.NewAction("Park", "Timeout", "45000"), 45 * time.Second},
		{amiwire.NewAction("WaitEvent", "Timeout", "30"), 30 * time.Second}, // seconds
		{amiwire.NewAction("Originate", "Timeout", "soon"), 0},
		{amiwire.NewAction("Originate", "Timeout", "-5"), 0},
		{amiwire.NewAction("Ping", "Timeout", "99999999999999999999999"), 0},
	}
	for _, tt := range tests {
		if got := actions.Timeout(tt.action); got != tt.want {
			t.Errorf("Timeout(%q) = %v, want %v", tt.action.String(), got, tt.want)
		}
	}
	// Huge values saturate without overflowing a sum with a timeout.
	huge := actions.Timeout(amiwire.NewAction("WaitEvent", "Timeout", "9223372036854775807"))
	if huge <= 0 || huge+time.Hour <= 0 {
		t.Errorf("huge Timeout gives %v", huge)
	}
}

func FuzzTimeout(f *testing.F) {
	for _, s := range []string{"", "0", "13000", "-1", "30", " 7 ", "1e9", "9223372036854775807", "x"} {
		f.Add("Originate", s)
		f.Add("WaitEvent", s)
	}
	f.Fuzz(func(t *testing.T, name, v string) {
		d := actions.Timeout(amiwire.NewAction(name, "Timeout", v))
		if d < 0 || d+24*time.Hour < 0 {
			t.Fatalf("Timeout(%q, %q) = %v", name, v, d)
		}
	})
}
