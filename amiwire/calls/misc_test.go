package calls

import (
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// Each Originate outcome of the recordings, by the Originate's ActionID.
func TestOriginateOutcomeRecordings(t *testing.T) {
	want := map[string]struct {
		o      Outcome
		reason int
	}{
		"orig-talk-2":        {OutcomeAnswered, 4},
		"orig-busy-3":        {OutcomeBusy, 5},
		"orig-congest-4":     {OutcomeCongestion, 8},
		"orig-noanswer-5":    {OutcomeNoAnswer, 3},
		"orig-nosuchexten-6": {OutcomeFailed, 0},
		"orig-originate-2":   {OutcomeAnswered, 4},
		"orig-2":             {OutcomeAnswered, 4},
	}
	seen := 0
	for _, file := range []string{"originate-outcomes.server.ami", "call-bridged.listener.server.ami", "originate-async.server.ami"} {
		for _, p := range recording(t, file) {
			o, reason, ok := OriginateOutcome(p)
			if !ok {
				continue
			}
			seen++
			w, known := want[p.Get("ActionID")]
			if !known || o != w.o || reason != w.reason {
				t.Errorf("%s %s: %s (%d), want %s (%d)", file, p.Get("ActionID"), o, reason, w.o, w.reason)
			}
		}
	}
	if seen != 7 {
		t.Errorf("%d OriginateResponse events, want 7", seen)
	}
}

func TestOriginateOutcome(t *testing.T) {
	tests := []struct {
		name   string
		p      amiwire.Packet
		o      Outcome
		reason int
		ok     bool
	}{
		{"hangup before answer", ev("OriginateResponse", "Response", "Failure", "Reason", "1"), OutcomeHangup, 1, true},
		{"a code Asterisk does not send", ev("OriginateResponse", "Response", "Failure", "Reason", "2"), OutcomeFailed, 2, true},
		{"no Reason, Success", ev("OriginateResponse", "Response", "Success"), OutcomeAnswered, -1, true},
		{"no Reason, Failure", ev("OriginateResponse", "Response", "Failure"), OutcomeFailed, -1, true},
		{"Reason not a number", ev("OriginateResponse", "Response", "Failure", "Reason", "x"), OutcomeFailed, -1, true},
		{"another event", ev("Hangup", "Reason", "4"), "", 0, false},
		{"a response", amiwire.Packet{Fields: []amiwire.Field{{Key: "Response", Value: "Success"}, {Key: "Reason", Value: "4"}}}, "", 0, false},
	}
	for _, tt := range tests {
		o, reason, ok := OriginateOutcome(tt.p)
		if o != tt.o || reason != tt.reason || ok != tt.ok {
			t.Errorf("%s: %q %d %v, want %q %d %v", tt.name, o, reason, ok, tt.o, tt.reason, tt.ok)
		}
	}
	for code, want := range map[int]Outcome{0: OutcomeFailed, 1: OutcomeHangup, 3: OutcomeNoAnswer, 4: OutcomeAnswered, 5: OutcomeBusy, 8: OutcomeCongestion, -1: OutcomeFailed, 99: OutcomeFailed} {
		if got := ReasonOutcome(code); got != want {
			t.Errorf("ReasonOutcome(%d) = %s, want %s", code, got, want)
		}
	}
}

func TestCauses(t *testing.T) {
	tests := []struct {
		code       int
		text, name string
	}{
		{0, "Unknown", ""},
		{1, "Unallocated (unassigned) number", "UNALLOCATED"},
		{4, "Unknown", ""},
		{16, "Normal Clearing", "NORMAL_CLEARING"},
		{17, "User busy", "USER_BUSY"},
		{19, "User alerting, no answer", "NO_ANSWER"},
		{21, "Call Rejected", "CALL_REJECTED"},
		{34, "Circuit/channel congestion", "NORMAL_CIRCUIT_CONGESTION"},
		{127, "Interworking, unspecified", "INTERWORKING"},
		{128, "Unknown", ""},
		{-1, "Unknown", ""},
	}
	for _, tt := range tests {
		if got := CauseText(tt.code); got != tt.text {
			t.Errorf("CauseText(%d) = %q, want %q", tt.code, got, tt.text)
		}
		if got := CauseName(tt.code); got != tt.name {
			t.Errorf("CauseName(%d) = %q, want %q", tt.code, got, tt.name)
		}
	}
	for i := 1; i < len(causes); i++ {
		if causes[i-1].code >= causes[i].code {
			t.Fatalf("the cause table is not in code order at %d", causes[i].code)
		}
	}
	if causeTextOf("x") != "" || causeTextOf("16") != "Normal Clearing" {
		t.Errorf("causeTextOf")
	}
}

func TestTimestamp(t *testing.T) {
	tests := []struct {
		v    string
		want time.Time
		ok   bool
	}{
		{"1796456334.123456", time.Unix(1796456334, 123456000), true},
		{"1796456334", time.Unix(1796456334, 0), true},
		{"1796456334.5", time.Unix(1796456334, 500000000), true},
		{"", time.Time{}, false},
		{"-5.0", time.Time{}, false},
		{"12.x", time.Time{}, false},
		{"12.1234567890", time.Time{}, false},
		{"now", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := Timestamp(ev("Newstate", "Timestamp", tt.v))
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("Timestamp(%q) = %v %v, want %v %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := Timestamp(ev("Newstate")); ok {
		t.Errorf("Timestamp of an event without one")
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"00:00:01", time.Second, true},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"123:00:00", 123 * time.Hour, true},
		{"00:60:00", 0, false},
		{"1:2", 0, false},
		{"", 0, false},
		{"a:b:c", 0, false},
	}
	for _, tt := range tests {
		if got, ok := parseDuration(tt.v); got != tt.want || ok != tt.ok {
			t.Errorf("parseDuration(%q) = %v %v", tt.v, got, ok)
		}
	}
}

func TestPartyString(t *testing.T) {
	for _, tt := range []struct {
		p    Party
		want string
	}{{Party{"100", "Alice"}, "100 (Alice)"}, {Party{"100", ""}, "100"}, {Party{"", "Alice"}, "Alice"}, {Party{}, "?"}} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v: %q", tt.p, got)
		}
	}
}
