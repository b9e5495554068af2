package match_test

import (
	"errors"
	"path"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/match"
)

func mustGlob(t testing.TB, pat string, fold bool) match.Glob {
	t.Helper()
	g, err := match.NewGlob(pat, fold)
	if err != nil {
		t.Fatalf("NewGlob(%q): %v", pat, err)
	}
	return g
}

func event(kv ...string) *amiwire.Packet {
	p := &amiwire.Packet{}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Fields = append(p.Fields, amiwire.Field{Key: kv[i], Value: kv[i+1]})
	}
	return p
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		fold   bool
		want   bool
	}{
		{"Newchannel", "Newchannel", true, true},
		{"newchannel", "NewChannel", true, true},
		{"newchannel", "NewChannel", false, false},
		{"Dial*", "DialBegin", true, true},
		{"dial*", "DialBegin", true, true},
		{"*Complete", "CoreShowChannelsComplete", false, true},
		{"*Complete", "CoreShowChannel", false, false},
		{"Hang?p", "Hangup", false, true},
		{"Hang?p", "Hangp", false, false},
		{"PJSIP/*", "PJSIP/100-0001", false, true},
		{"*100*", "PJSIP/100-0001", false, true},
		{"*100", "PJSIP/100-0001", false, false},
		{"[a-c]x", "bx", false, true},
		{"[a-c]x", "Bx", false, false},
		{"[a-c]x", "Bx", true, true},
		{"[^a-c]x", "dx", false, true},
		{"[^a-c]x", "ax", false, false},
		{`\*`, "*", false, true},
		{`\*`, "a", false, false},
		{"", "", false, true},
		{"", "a", false, false},
		{"*", "", false, true},
		{"a*b*c", "aXXbYYbc", false, true},
		{"a*b*c", "aXXbYYbd", false, false},
		{"é*", "É1", true, true},
		{"?", "é", false, true},
		{`[\]]`, "]", false, true},
		{"[z-a]", "m", false, false},
	} {
		g := mustGlob(t, tc.pat, tc.fold)
		if got := g.Match(tc.s); got != tc.want {
			t.Errorf("glob %q fold=%v match %q = %v, want %v", tc.pat, tc.fold, tc.s, got, tc.want)
		}
		if g.Pattern() != tc.pat || g.Fold() != tc.fold {
			t.Errorf("glob %q fold=%v: Pattern %q Fold %v", tc.pat, tc.fold, g.Pattern(), g.Fold())
		}
	}
}

func TestGlobBadPattern(t *testing.T) {
	for _, bad := range []string{"[", "[a-", `a\`, "[]"} {
		_, err := match.NewGlob(bad, false)
		if !errors.Is(err, path.ErrBadPattern) {
			t.Errorf("NewGlob(%q) = %v, want path.ErrBadPattern", bad, err)
		}
		if err != nil && !strings.Contains(err.Error(), bad) {
			t.Errorf("NewGlob(%q): error %q does not name the pattern", bad, err)
		}
	}
}

// TestGlobAgreesWithPathMatch checks that for names without '/', a glob
// means what path.Match means.
func TestGlobAgreesWithPathMatch(t *testing.T) {
	pats := []string{"*", "a*", "*a", "a?c", "[abc]*", "[^x]?", "*b*", `\?`, "ab", "[a-z]b"}
	strs := []string{"", "a", "ab", "abc", "xbc", "?", "bb", "zzbzz", "a?c"}
	for _, p := range pats {
		g := mustGlob(t, p, false)
		for _, s := range strs {
			want, _ := path.Match(p, s)
			if got := g.Match(s); got != want {
				t.Errorf("%q vs %q: got %v, path.Match %v", p, s, got, want)
			}
		}
	}
}

func TestZeroGlob(t *testing.T) {
	var g match.Glob
	if !g.Match("") || g.Match("x") {
		t.Errorf("zero Glob: Match(\"\") = %v, Match(\"x\") = %v; want true, false", g.Match(""), g.Match("x"))
	}
}

// FuzzGlob checks that a glob agrees with path.Match where their syntax is
// the same (no '/'), and that its regex compiles and matches at least what
// the glob matches in a header value.
func FuzzGlob(f *testing.F) {
	f.Add("a*b?[c-d]", "axxbyc")
	f.Add(`[^\]]*`, "abc")
	f.Add("[z-a]*", "q")
	f.Add(`[\-x]`, "-")
	f.Fuzz(func(t *testing.T, pat, s string) {
		g, err := match.NewGlob(pat, true)
		if err != nil {
			return
		}
		g.Match(s)
		exact := mustGlob(t, pat, false)
		if !strings.Contains(pat, "/") && !strings.Contains(s, "/") {
			want, _ := path.Match(pat, s)
			if got := exact.Match(s); got != want {
				t.Errorf("%q vs %q: got %v, path.Match %v", pat, s, got, want)
			}
		}
		if !utf8.ValidString(pat) {
			return
		}
		re, err := regexp.CompilePOSIX("^" + exact.Regex() + "$")
		if err != nil {
			t.Fatalf("glob %q -> regex %q: %v", pat, exact.Regex(), err)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl) && exact.Match(s) && !re.MatchString(s) {
			t.Errorf("glob %q matches %q but its regex %q does not", pat, s, exact.Regex())
		}
	})
}

func TestGlobAllocs(t *testing.T) {
	g := mustGlob(t, "*dial*", true)
	f := match.Filter{Events: []match.Glob{g}, Exclude: []match.Field{{Key: "Channel", Value: mustGlob(t, "Local/*", false)}}}
	p := event("Event", "DialBegin", "Channel", "PJSIP/100-0001")
	n := testing.AllocsPerRun(100, func() {
		g.Match("SomethingDialBegin")
		f.Pass(p)
	})
	if n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

func TestParseField(t *testing.T) {
	for _, tc := range []struct {
		in, key, pat string
		err          string
	}{
		{in: "Channel=PJSIP/*", key: "Channel", pat: "PJSIP/*"},
		{in: " Channel =PJSIP/*", key: "Channel", pat: "PJSIP/*"},
		{in: "Channel= x", key: "Channel", pat: " x"},
		{in: "Channel=", key: "Channel", pat: ""},
		{in: "Variable=a=b", key: "Variable", pat: "a=b"},
		{in: "Channel", err: "want Key=glob"},
		{in: "=x", err: "want Key=glob"},
		{in: "  =x", err: "want Key=glob"},
		{in: "", err: "want Key=glob"},
		{in: "Channel=[", err: `bad pattern "[": syntax error in pattern`},
	} {
		f, err := match.ParseField(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseField(%q) = %+v, %v; want error %q", tc.in, f, err, tc.err)
			}
			continue
		}
		if err != nil || f.Key != tc.key || f.Value.Pattern() != tc.pat || f.Value.Fold() {
			t.Errorf("ParseField(%q) = %q %q fold=%v, %v; want %q %q, case-sensitive", tc.in, f.Key, f.Value.Pattern(), f.Value.Fold(), err, tc.key, tc.pat)
		}
	}
}

func TestFieldMatchAny(t *testing.T) {
	p := event("Event", "VarSet", "Variable", "A", "Variable", "B", "Channel", "PJSIP/1")
	for _, tc := range []struct {
		spec string
		want bool
	}{
		{"Variable=B", true},
		{"variable=A", true},
		{"VARIABLE=?", true},
		{"Variable=b", false},
		{"Channel=PJSIP/*", true},
		{"Channel=pjsip/*", false},
		{"Uniqueid=*", false},
	} {
		f, err := match.ParseField(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.MatchAny(p.Fields); got != tc.want {
			t.Errorf("%s: MatchAny = %v, want %v", tc.spec, got, tc.want)
		}
	}
}

func TestAll(t *testing.T) {
	p := event("Event", "Newchannel", "Channel", "PJSIP/100-1", "Context", "from-internal")
	chan100, _ := match.ParseField("Channel=PJSIP/100-*")
	fromInt, _ := match.ParseField("context=from-*")
	other, _ := match.ParseField("Context=default")
	for _, tc := range []struct {
		conds []match.Field
		want  bool
	}{
		{nil, true},
		{[]match.Field{chan100}, true},
		{[]match.Field{chan100, fromInt}, true},
		{[]match.Field{chan100, other}, false},
		{[]match.Field{other}, false},
	} {
		if got := match.All(tc.conds, p.Fields); got != tc.want {
			t.Errorf("All(%d conditions) = %v, want %v", len(tc.conds), got, tc.want)
		}
	}
}

func TestFilterPass(t *testing.T) {
	field := func(s string) match.Field {
		f, err := match.ParseField(s)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	dial := event("Event", "DialBegin", "Channel", "PJSIP/100-1", "Context", "from-internal")
	hang := event("Event", "Hangup", "Channel", "Local/hold@default-1;1", "Context", "default")
	for _, tc := range []struct {
		name       string
		f          match.Filter
		dial, hang bool
	}{
		{"zero", match.Filter{}, true, true},
		{"event any of", match.Filter{Events: []match.Glob{mustGlob(t, "dial*", true), mustGlob(t, "HANGUP", true)}}, true, true},
		{"event case-sensitive glob", match.Filter{Events: []match.Glob{mustGlob(t, "dial*", false)}}, false, false},
		{"match all of", match.Filter{Match: []match.Field{field("Channel=*1"), field("Context=from-*")}}, true, false},
		{"exclude", match.Filter{Exclude: []match.Field{field("Channel=Local/*")}}, true, false},
		{"all three", match.Filter{Events: []match.Glob{mustGlob(t, "*", true)}, Match: []match.Field{field("Channel=*")}, Exclude: []match.Field{field("Context=from-*")}}, false, true},
	} {
		if got := tc.f.Pass(dial); got != tc.dial {
			t.Errorf("%s: Pass(DialBegin) = %v, want %v", tc.name, got, tc.dial)
		}
		if got := tc.f.Pass(hang); got != tc.hang {
			t.Errorf("%s: Pass(Hangup) = %v, want %v", tc.name, got, tc.hang)
		}
	}
}

func TestServerFilters(t *testing.T) {
	field := func(s string) match.Field {
		f, err := match.ParseField(s)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	ev := match.Filter{
		Events:  []match.Glob{mustGlob(t, "Dial*", true)},
		Match:   []match.Field{field("Channel=P*")},
		Exclude: []match.Field{field("Context=x")},
	}
	want := []string{
		"(^|[[:space:]])[Ee][vV][eE][nN][tT]: [Dd][iI][aA][lL][^[:cntrl:]]*[[:space:]]",
		"!(^|[[:space:]])[Cc][oO][nN][tT][eE][xX][tT]: x[[:space:]]",
	}
	if got := ev.ServerFilters(); !reflect.DeepEqual(got, want) {
		t.Errorf("with Events:\n got %q\nwant %q", got, want)
	}
	noEv := match.Filter{Match: ev.Match}
	want = []string{"(^|[[:space:]])[Cc][hH][aA][nN][nN][eE][lL]: P[^[:cntrl:]]*[[:space:]]"}
	if got := noEv.ServerFilters(); !reflect.DeepEqual(got, want) {
		t.Errorf("without Events:\n got %q\nwant %q", got, want)
	}
	var zero match.Filter
	if got := zero.ServerFilters(); len(got) != 0 {
		t.Errorf("zero Filter: %q", got)
	}
}

func TestHeaderRegex(t *testing.T) {
	for _, tc := range []struct {
		key, glob string
		fold      bool
		text      string
		want      bool
	}{
		{"Event", "Newchannel", true, "Event: Newchannel\r\nPrivilege: call,all\r\n", true},
		{"Event", "newchannel", true, "Event: NewChannel\r\nPrivilege: call,all\r\n", true},
		{"Event", "Newchannel", true, "Event: NewchannelX\r\n", false},
		{"Event", "Newchannel", true, "UserEvent: Newchannel\r\n", false},
		{"Event", "Dial*", true, "Event: DialBegin\r\nChannel: x\r\n", true},
		{"Event", "Dial*", true, "Event: Hangup\r\nChannel: DialBegin\r\n", false},
		{"Channel", "PJSIP/1.0*", false, "Event: Hangup\r\nChannel: PJSIP/1.0-1\r\n", true},
		{"Channel", "PJSIP/1.0*", false, "Event: Hangup\r\nChannel: PJSIP/1x0-1\r\n", false},
		{"channel", "[a-c]*", false, "Event: Hangup\r\nChannel: b\r\n", true},
		{"Channel", "[a-c]*", true, "Event: Hangup\r\nChannel: B\r\n", true},
		{"Channel", `[\]]*`, false, "Event: Hangup\r\nChannel: ]\r\n", true},
		{"Channel", "[z-a]", false, "Event: Hangup\r\nChannel: q\r\n", true},
	} {
		re := match.HeaderRegex(tc.key, mustGlob(t, tc.glob, tc.fold))
		rx, err := regexp.CompilePOSIX(re)
		if err != nil {
			t.Fatalf("%q: %v", re, err)
		}
		if got := rx.MatchString(tc.text); got != tc.want {
			t.Errorf("%s=%s -> %q on %q = %v, want %v", tc.key, tc.glob, re, tc.text, got, tc.want)
		}
	}
}

func BenchmarkFilterPass(b *testing.B) {
	f := match.Filter{
		Events:  []match.Glob{mustGlob(b, "*dial*", true), mustGlob(b, "Hangup", true)},
		Exclude: []match.Field{{Key: "Channel", Value: mustGlob(b, "Local/*", false)}},
	}
	p := event("Event", "Newexten", "Privilege", "dialplan,all", "Channel", "PJSIP/100-00000001",
		"Context", "from-internal", "Exten", "200", "Priority", "1", "Application", "Dial",
		"AppData", "PJSIP/200,30", "Uniqueid", "1733400000.1", "Linkedid", "1733400000.1")
	b.SetBytes(int64(len(p.String())))
	b.ReportAllocs()
	for b.Loop() {
		f.Pass(p)
	}
}
