package nagios

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./format/nagios -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./format/nagios -update to accept)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func mustRange(t *testing.T, s string) Range {
	t.Helper()
	r, err := ParseRange(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestState(t *testing.T) {
	for _, tt := range []struct {
		s    State
		name string
		code int
	}{{OK, "OK", 0}, {Warning, "WARNING", 1}, {Critical, "CRITICAL", 2}, {Unknown, "UNKNOWN", 3}, {State(7), "UNKNOWN", 3}, {State(-1), "UNKNOWN", 3}} {
		if tt.s.String() != tt.name || tt.s.ExitCode() != tt.code {
			t.Errorf("State(%d): %q %d", int(tt.s), tt.s.String(), tt.s.ExitCode())
		}
	}
	for _, tt := range []struct {
		in   []State
		want State
	}{
		{nil, OK},
		{[]State{OK, OK}, OK},
		{[]State{OK, Unknown}, Unknown},
		{[]State{Unknown, Warning}, Warning},
		{[]State{Critical, Warning, Unknown, OK}, Critical},
		{[]State{Warning, OK}, Warning},
	} {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPerf(t *testing.T) {
	tenth := 0.1
	for _, tt := range []struct {
		p    Perf
		want string
	}{
		{Perf{Label: "items", Value: 6, Warn: mustRange(t, "2"), Crit: mustRange(t, "5")}, "items=6;2;5"},
		{Perf{Label: "total", Value: 0.003, Unit: "s", Crit: mustRange(t, "1"), Min: Float(0)}, "total=0.003s;;1;0"},
		{Perf{Label: "connect", Value: 0.0004, Unit: "s"}, "connect=0.0004s"},
		{Perf{Label: "pbx1:5038 connect", Value: 0.0004, Unit: "s", Warn: mustRange(t, "0.2"), Crit: mustRange(t, "1")}, "'pbx1:5038 connect'=0.0004s;0.2;1"},
		{Perf{Label: "a=b", Value: 1}, "'a=b'=1"},
		{Perf{Label: "it's", Value: 1}, "'it''s'=1"},
		{Perf{Label: "pipe|line\nbreak", Value: 1}, "'pipe¦line break'=1"},
		{Perf{Label: "", Value: 1}, "_=1"},
		{Perf{Label: "x", Value: math.NaN(), Unit: "s"}, "x=U"},
		{Perf{Label: "x", Value: math.Inf(1)}, "x=U"},
		{Perf{Label: "x", Value: -2.5, Unit: "s;|1 2"}, "x=-2.5s"},
		{Perf{Label: "pct", Value: 50, Unit: "%", Min: Float(0), Max: Float(100)}, "pct=50%;;;0;100"},
		{Perf{Label: "x", Value: 1, Max: Float(math.NaN())}, "x=1"},
		{Perf{Label: "x", Value: 1, Warn: mustRange(t, "@10:20"), Crit: mustRange(t, "~:30")}, "x=1;@10:20;~:30"},
		{Perf{Label: "longest Duration", Value: 3700, Unit: "s", Warn: UpTo(3600), Crit: UpTo(7200)}, "'longest Duration'=3700s;3600;7200"},
		{Perf{Label: "big", Value: 1e21}, "big=1000000000000000000000"},
		{Perf{Label: "sum", Value: tenth + 0.2, Unit: "s"}, "sum=0.3s"},
		{Perf{Label: "tiny", Value: 0.000001234, Unit: "s"}, "tiny=0.000001234s"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestSanitize(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"  padded  ", "padded"},
		{"a|b", "a¦b"},
		{"line\r\nbreak\nand\rmore", "line  break and more"},
		{"tab\there", "tab here"},
		{"bell\x07 del\x7f c1\u0085 ls\u2028ps\u2029", "bell  del  c1  ls ps"},
		{"bad \xff\xfe utf8", "bad \ufffd\ufffd utf8"},
		{"real \ufffd kept", "real \ufffd kept"},
		{"Zoë 電話 📞", "Zoë 電話 📞"},
		{"Asterisk Call Manager/11.0.0|x\r", "Asterisk Call Manager/11.0.0¦x"},
	} {
		got := Sanitize(tt.in)
		if got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(got, "|\r\n") || !utf8.ValidString(got) {
			t.Errorf("Sanitize(%q) = %q is not safe", tt.in, got)
		}
	}
}

func sampleItems() []Item {
	th := func(v float64) []Perf {
		return []Perf{
			{Label: "connect", Value: v / 10, Unit: "s"},
			{Label: "total", Value: v, Unit: "s", Warn: UpTo(0.2), Crit: UpTo(1), Min: Float(0)},
		}
	}
	return []Item{
		{Name: "pbx1:5038", State: OK, Text: "Asterisk Call Manager/11.0.0, login 2.1 ms", Perf: th(0.003)},
		{Name: "pbx2:5038", State: Critical, Text: "connection refused"},
		{Name: "pbx3:5038", State: Warning, Text: "Asterisk Call Manager/11.0.0, total 250.0 ms > warning 200ms", Perf: th(0.25)},
		{Name: "pbx|4\n:5038", State: Critical, Text: "bad banner: \"SSH-2.0|x\"\r\nAMI OK - fake"},
	}
}

func TestGolden(t *testing.T) {
	items := sampleItems()
	many := func(n int) []Item {
		var out []Item
		for i := range n {
			it := Item{Name: "h" + string(rune('a'+i)), State: Critical, Text: "connection refused"}
			if i%3 == 1 {
				it.State, it.Text = Warning, "slow"
			}
			out = append(out, it)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		c    Check
	}{
		{"single-ok", Check{Service: "AMI", State: OK, Text: "admin@pbx1:5038 (Asterisk Call Manager/11.0.0) login 2.1 ms",
			Perf: []Perf{{Label: "connect", Value: 0.0004, Unit: "s"}, {Label: "total", Value: 0.003, Unit: "s", Warn: UpTo(0.2), Crit: UpTo(1), Min: Float(0)}}}},
		{"single-banner", Check{Service: "AMI", State: OK, Text: "admin@pbx1:5038 (Asterisk Call Manager/11.0.0 | x\nAMI CRITICAL - fake) login 2.1 ms",
			Perf: []Perf{{Label: "total", Value: 0.003, Unit: "s"}}}},
		{"unknown", Check{Service: "AMI", State: Unknown, Text: "--warning \"x|y\": bad range"}},
		{"no-text", Check{Service: "AMI", State: OK}},
		{"long-no-perf", Check{Service: "AMI", State: Warning, Text: "summary", Long: []string{"one", "two|three"}}},
		{"long-perf-only", Check{Service: "AMI", State: OK, Text: "summary", LongPerf: []Perf{{Label: "x", Value: 1}}}},
		{"both-perf", Check{Service: "AMI", State: OK, Text: "summary", Perf: []Perf{{Label: "hosts", Value: 2}}, Long: []string{"a", "b"}, LongPerf: []Perf{{Label: "a x", Value: 1}, {Label: "b x", Value: 2}}}},
		{"group", Group{Service: "AMI", Noun: "host", Items: items}.Check()},
		{"group-down", Group{Service: "AMI", Noun: "host", Problem: "down", Items: items[:2]}.Check()},
		{"group-ok", Group{Service: "AMI", Noun: "host", Items: []Item{items[0], items[0]}}.Check()},
		{"group-quiet", Group{Service: "AMI", Noun: "host", Items: items, OnlyProblems: true}.Check()},
		{"group-one", Group{Service: "AMI", Noun: "host", Items: items[1:2]}.Check()},
		{"group-many", Group{Service: "AMI", Noun: "host", Problem: "down", Items: many(9)}.Check()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.String()
			checkShape(t, got)
			golden(t, tt.name+".golden", got)
			var buf bytes.Buffer
			n, err := tt.c.WriteTo(&buf)
			if err != nil || n != int64(len(got)) || buf.String() != got {
				t.Errorf("WriteTo: %d %v %q", n, err, buf.String())
			}
		})
	}
}

// checkShape checks what any plugin output must be: lines ended by "\n",
// valid UTF-8, the first line "SERVICE STATE", at most one "|" on the
// first line and at most one on the last line, and none elsewhere.
func checkShape(t *testing.T, out string) {
	t.Helper()
	if !strings.HasSuffix(out, "\n") || !utf8.ValidString(out) || strings.Contains(out, "\r") {
		t.Fatalf("bad output %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		n := strings.Count(l, "|")
		if n > 1 || (n == 1 && i != 0 && i != len(lines)-1) {
			t.Errorf("line %d has %d pipes: %q", i+1, n, l)
		}
		if n == 1 && !strings.Contains(l, " | ") {
			t.Errorf("line %d: perfdata not after \" | \": %q", i+1, l)
		}
	}
}

func TestGroupSummary(t *testing.T) {
	items := sampleItems()
	c := Group{Service: "AMI", Noun: "host", Problem: "down", Items: items[:2]}.Check()
	if c.State != Critical || c.Text != "1 of 2 hosts down: pbx2:5038 connection refused" {
		t.Errorf("%v %q", c.State, c.Text)
	}
	// Worst first: the CRITICAL items are named before the WARNING one.
	c = Group{Service: "AMI", Noun: "host", Items: items}.Check()
	if !strings.HasPrefix(c.Text, "3 of 4 hosts not OK: pbx2:5038 connection refused; pbx|4\n:5038 bad banner") ||
		!strings.Contains(c.Text, "; pbx3:5038 Asterisk") {
		t.Errorf("%q", c.Text)
	}
	if len(c.LongPerf) != 4 || c.LongPerf[0].Label != "pbx1:5038 connect" || c.LongPerf[3].Label != "pbx3:5038 total" {
		t.Errorf("perf %+v", c.LongPerf)
	}
	// The items passed in are not changed.
	if items[0].Perf[0].Label != "connect" {
		t.Errorf("item label changed: %q", items[0].Perf[0].Label)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteToError(t *testing.T) {
	if _, err := (Check{State: OK}).WriteTo(failWriter{}); err == nil || err.Error() != "disk full" {
		t.Errorf("error %v", err)
	}
}
