package check

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format/nagios"
)

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{"3600", 3600, ""},
		{"0", 0, ""},
		{"0.5", 0.5, ""},
		{" 90 ", 90, ""},
		{"1h", 3600, ""},
		{"1h30m", 5400, ""},
		{"250ms", 0.25, ""},
		{"", 0, "want seconds"},
		{"-5", 0, "want seconds"},
		{"-1h", 0, "negative"},
		{"1e3", 0, "want seconds"},
		{"inf", 0, "want seconds"},
		{"NaN", 0, "want seconds"},
		{"0x10", 0, "want seconds"},
		{"1.2.3", 0, "want seconds"},
		{"10 s", 0, "want seconds"},
		{"99999999999", 0, "out of range"},
		{"2000000h", 0, "out of range"},
	}
	for _, tt := range tests {
		got, err := ParseSeconds(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseSeconds(%q) = %v, %v; want error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSeconds(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMax(t *testing.T) {
	tests := []struct {
		in         string
		field      string
		warn, crit float64
		err        string
	}{
		{"Duration=3600:7200", "Duration", 3600, 7200, ""},
		{"Duration=1h:2h", "Duration", 3600, 7200, ""},
		{"Wait=60:", "Wait", 60, -1, ""},
		{"Wait=:5m", "Wait", -1, 300, ""},
		{" Seconds = 10 : 20 ", "Seconds", 10, 20, ""},
		{"Duration=1h:1h", "Duration", 3600, 3600, ""},
		{"Duration=2h:1h", "", 0, 0, "above critical"},
		{"Duration=:", "", 0, 0, "no threshold"},
		{"Duration=3600", "", 0, 0, "want FIELD=WARN:CRIT"},
		{"=1:2", "", 0, 0, "want FIELD=WARN:CRIT"},
		{"Duration", "", 0, 0, "want FIELD=WARN:CRIT"},
		{"Dur ation=1:2", "", 0, 0, "want FIELD=WARN:CRIT"},
		{"Duration=x:2", "", 0, 0, "warning"},
		{"Duration=1:-2", "", 0, 0, "critical"},
		{"Duration=1:2:3", "", 0, 0, "critical"},
	}
	for _, tt := range tests {
		m, err := ParseMax(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseMax(%q) = %+v, %v; want error with %q", tt.in, m, err, tt.err)
			}
			continue
		}
		if err != nil || m.Field != tt.field || m.Warn != tt.warn || m.Crit != tt.crit {
			t.Errorf("ParseMax(%q) = %+v, %v; want %s %v %v", tt.in, m, err, tt.field, tt.warn, tt.crit)
		}
	}
}

func TestFieldSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"00:00:01", 1, true},
		{"01:01:40", 3700, true},
		{"100:00:00", 360000, true},
		{"1:2:3", 3723, true},
		{"3700", 3700, true},
		{"12.5", 12.5, true},
		{"0", 0, true},
		{"", 0, false},
		{"00:60:00", 0, false},
		{"00:00:60", 0, false},
		{"01:01", 0, false},
		{"1:2:3:4", 0, false},
		{"a:00:00", 0, false},
		{"-1", 0, false},
		{"00:-1:00", 0, false},
		{"00:001:00", 0, false},
		{"<unknown>", 0, false},
		{"1e9", 0, false},
	}
	for _, tt := range tests {
		got, ok := FieldSeconds(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("FieldSeconds(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClock(t *testing.T) {
	for sec, want := range map[float64]string{0: "00:00:00", 3700: "01:01:40", 360000.9: "100:00:00", -1: "?"} {
		if got := Clock(sec); got != want {
			t.Errorf("Clock(%v) = %q, want %q", sec, got, want)
		}
	}
}

func TestItemName(t *testing.T) {
	tests := []struct {
		fields []amiwire.Field
		want   string
	}{
		{fields("Event", "CoreShowChannel", "ActionID", "1", "Channel", "PJSIP/100-1", "Queue", "q"), "PJSIP/100-1"},
		{fields("Event", "QueueEntry", "Queue", "support", "Position", "1", "Channel", "Local/queue@default-1;2"), "Local/queue@default-1;2"},
		{fields("Event", "OutboundRegistrationDetail", "ObjectType", "registration", "ObjectName", "trunk1"), "trunk1"},
		{fields("Event", "Foo", "ActionID", "1", "Privilege", "call,all", "Other", "x"), "x"},
		{fields("Event", "Foo", "Channel", "", "Other", "y"), "y"},
		{fields("Event", "Foo", "ActionID", "1"), "?"},
	}
	for _, tt := range tests {
		if got := ItemName(tt.fields); got != tt.want {
			t.Errorf("ItemName(%v) = %q, want %q", tt.fields, got, tt.want)
		}
	}
}

// eq is a condition KEY=VALUE (exact, case-sensitive), standing in for
// the glob matcher the command uses.
func eq(key, value string) Cond {
	return Cond{Key: key, Text: key + "=" + value, Match: func(fs []amiwire.Field) bool {
		for _, f := range fs {
			if strings.EqualFold(f.Key, key) && f.Value == value {
				return true
			}
		}
		return false
	}}
}

func fields(kv ...string) []amiwire.Field {
	var out []amiwire.Field
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, amiwire.Field{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func mustRange(t *testing.T, s string) nagios.Range {
	t.Helper()
	r, err := nagios.ParseRange(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestJudge(t *testing.T) {
	channels := [][]amiwire.Field{
		fields("Event", "CoreShowChannel", "Channel", "PJSIP/100-1", "ChannelStateDesc", "Up", "Duration", "00:01:02"),
		fields("Event", "CoreShowChannel", "Channel", "PJSIP/200-2", "ChannelStateDesc", "Ringing", "Duration", "00:00:03"),
		fields("Event", "CoreShowChannel", "Channel", "Local/hold@default-3;1", "ChannelStateDesc", "Up", "Duration", "01:01:40"),
	}
	regs := [][]amiwire.Field{
		fields("Event", "OutboundRegistrationDetail", "ObjectName", "trunk1", "Status", "Registered"),
		fields("Event", "OutboundRegistrationDetail", "ObjectName", "trunk2", "Status", "Rejected"),
		fields("Event", "OutboundRegistrationDetail", "ObjectName", "trunk3"),
	}
	longCall, err := ParseMax("Duration=1h:2h")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		spec  Spec
		items [][]amiwire.Field
		state nagios.State
		text  string
		perf  string
	}{
		{"no thresholds", Spec{}, channels, nagios.OK, "3 items", "items=3"},
		{"empty list", Spec{Count: nagios.Thresholds{Critical: mustRange(t, "1:")}}, nil, nagios.Critical,
			"0 items (critical range 1:)", "items=0;;1:"},
		{"count warning", Spec{Count: nagios.Thresholds{Warning: mustRange(t, "2"), Critical: mustRange(t, "5")}}, channels,
			nagios.Warning, "3 items (warning range 2)", "items=3;2;5"},
		{"count critical", Spec{Count: nagios.Thresholds{Warning: mustRange(t, "1"), Critical: mustRange(t, "2")}}, channels,
			nagios.Critical, "3 items (critical range 2)", "items=3;1;2"},
		{"count ok", Spec{Count: nagios.Thresholds{Warning: mustRange(t, "~:10"), Critical: mustRange(t, "@5:8")}}, channels,
			nagios.OK, "3 items", "items=3;~:10;@5:8"},
		{"where", Spec{Where: []Cond{eq("ChannelStateDesc", "Up")}, Count: nagios.Thresholds{Critical: mustRange(t, "1")}}, channels,
			nagios.Critical, "2 of 3 items match --where (critical range 1)", "items=2;;1"},
		{"expect all pass", Spec{Expect: []Cond{eq("Event", "CoreShowChannel")}}, channels, nagios.OK, "3 items", "items=3"},
		{"expect failing", Spec{Expect: []Cond{eq("Status", "Registered")}}, regs, nagios.Critical,
			"3 items, 2 of 3 not Status=Registered: trunk2 (Status Rejected), trunk3 (Status none)", "items=3"},
		{"expect only kept", Spec{Where: []Cond{eq("Status", "Rejected")}, Expect: []Cond{eq("Status", "Registered")}}, regs, nagios.Critical,
			"1 of 3 items match --where, 1 of 1 not Status=Registered: trunk2 (Status Rejected)", "items=1"},
		{"max critical", Spec{Max: []Max{{Field: "Duration", Warn: 60, Crit: 3600}}}, channels, nagios.Critical,
			"3 items, longest Duration 01:01:40 on Local/hold@default-3;1 (critical 3600s)", "items=3 longest_Duration=3700s;60;3600"},
		{"max warning", Spec{Max: []Max{{Field: "Duration", Warn: 3600, Crit: -1}}}, channels, nagios.Warning,
			"3 items, longest Duration 01:01:40 on Local/hold@default-3;1 (warning 3600s)", "items=3 longest_Duration=3700s;3600"},
		{"max ok", Spec{Max: []Max{longCall}}, channels[:2], nagios.OK,
			"2 items, longest Duration 00:01:02 on PJSIP/100-1", "items=2 longest_Duration=62s;3600;7200"},
		{"max of nothing", Spec{Max: []Max{longCall}}, nil, nagios.OK, "0 items", "items=0 longest_Duration=0s;3600;7200"},
		{"max misspelt", Spec{Max: []Max{{Field: "Durration", Warn: 1, Crit: 2}}}, channels, nagios.Unknown,
			"3 items, no item has a field Durration (--max)", "items=3 longest_Durration=U;1;2"},
		{"max not numbers", Spec{Max: []Max{{Field: "Channel", Warn: 1, Crit: 2}}}, channels, nagios.OK,
			"3 items, no item has a number in Channel", "items=3 longest_Channel=0s;1;2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := NewJudge(tt.spec)
			for _, it := range tt.items {
				j.Add(it)
			}
			r := j.Result()
			var perf []string
			for _, p := range r.Perf {
				perf = append(perf, p.String())
			}
			if r.State != tt.state || r.Text != tt.text || strings.Join(perf, " ") != tt.perf {
				t.Errorf("got %v %q %q\nwant %v %q %q", r.State, r.Text, strings.Join(perf, " "), tt.state, tt.text, tt.perf)
			}
			if r.Total != len(tt.items) {
				t.Errorf("Total %d, want %d", r.Total, len(tt.items))
			}
		})
	}
}

// TestJudgeNamesFive checks that at most nagios.MaxNamed failing items
// are named, and the rest counted.
func TestJudgeNamesFive(t *testing.T) {
	j := NewJudge(Spec{Expect: []Cond{eq("Status", "Registered")}})
	for i := 0; i < 8; i++ {
		j.Add(fields("Event", "X", "ObjectName", "t"+string(rune('0'+i)), "Status", "Rejected"))
	}
	r := j.Result()
	if len(r.Failing) != nagios.MaxNamed || r.Failed != 8 || !strings.HasSuffix(r.Text, "t4 (Status Rejected) and 3 more") {
		t.Errorf("got %d named, %d failed, %q", len(r.Failing), r.Failed, r.Text)
	}
}

func FuzzParseMax(f *testing.F) {
	for _, s := range []string{"Duration=3600:7200", "Wait=1m:", "X=:1h30m", "=:", "a=1:2:3", "Duration=0.5:1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMax(s)
		if err != nil {
			return
		}
		for _, v := range []float64{m.Warn, m.Crit} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v > maxThreshold {
				t.Fatalf("ParseMax(%q): threshold %v", s, v)
			}
		}
		if m.Warn < 0 && m.Crit < 0 || m.Warn >= 0 && m.Crit >= 0 && m.Warn > m.Crit {
			t.Fatalf("ParseMax(%q) = %+v: bad thresholds accepted", s, m)
		}
		back, err := ParseMax(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseMax(%q) = %+v; its String %q reads back as %+v, %v", s, m, m.String(), back, err)
		}
	})
}

func FuzzFieldSeconds(f *testing.F) {
	for _, s := range []string{"00:00:01", "01:01:40", "3700", "12.5", "", "1:2:3", "99:59:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := FieldSeconds(s)
		if !ok {
			return
		}
		if math.IsNaN(v) || v < 0 || v > maxThreshold {
			t.Fatalf("FieldSeconds(%q) = %v", s, v)
		}
		if strings.Contains(s, ":") {
			if back, ok := FieldSeconds(Clock(v)); !ok || back != v {
				t.Fatalf("FieldSeconds(%q) = %v; Clock gives %q, read back as %v, %v", s, v, Clock(v), back, ok)
			}
		}
	})
}

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30d", 30 * 24 * time.Hour, ""},
		{"1.5d", 36 * time.Hour, ""},
		{"720h", 720 * time.Hour, ""},
		{" 90m ", 90 * time.Minute, ""},
		{"30", 0, "want days"},
		{"d", 0, "want days"},
		{"-1d", 0, "want days"},
		{"0d", 0, "more than zero"},
		{"-5h", 0, "more than zero"},
		{"30 d", 0, "want days"},
		{"999999d", 0, "out of range"},
		{"", 0, "want days"},
	}
	for _, tt := range tests {
		got, err := ParseAge(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseAge(%q) = %v, %v; want error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"30d", "1.5d", "720h", "30", "-1d", "1e3d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAge(s)
		if err == nil && (d <= 0 || d.Seconds() > maxThreshold) {
			t.Fatalf("ParseAge(%q) = %v", s, d)
		}
	})
}

// BenchmarkJudge measures judging one CoreShowChannel item with a --where,
// an --expect and a --max: the work per item of a big list.
func BenchmarkJudge(b *testing.B) {
	item := fields("Event", "CoreShowChannel", "ActionID", "1", "Channel", "PJSIP/100-00000001", "ChannelState", "6",
		"ChannelStateDesc", "Up", "CallerIDNum", "100", "Context", "default", "Exten", "200", "Application", "Dial",
		"Duration", "00:12:34", "BridgeId", "")
	size := 0
	for _, f := range item {
		size += len(f.Key) + len(f.Value) + 4
	}
	j := NewJudge(Spec{
		Where:  []Cond{eq("ChannelStateDesc", "Up")},
		Expect: []Cond{eq("Context", "default")},
		Max:    []Max{{Field: "Duration", Warn: 3600, Crit: 7200}},
	})
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		j.Add(item)
	}
	if r := j.Result(); r.Kept != r.Total || r.Failed != 0 {
		b.Fatalf("%+v", r)
	}
}

// TestJudgeAllocs: judging an item allocates nothing once the longest
// value is known (a list of any length costs no garbage per item).
func TestJudgeAllocs(t *testing.T) {
	item := fields("Event", "CoreShowChannel", "Channel", "PJSIP/100-1", "ChannelStateDesc", "Up", "Duration", "00:12:34")
	j := NewJudge(Spec{Where: []Cond{eq("ChannelStateDesc", "Up")}, Expect: []Cond{eq("Event", "CoreShowChannel")},
		Max: []Max{{Field: "Duration", Warn: 1, Crit: 2}}})
	j.Add(item)
	if n := testing.AllocsPerRun(100, func() { j.Add(item) }); n != 0 {
		t.Errorf("%v allocations per item", n)
	}
}
