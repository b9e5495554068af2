package main

import (
	"path"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

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
	} {
		g, err := newGlob(tc.pat, tc.fold)
		if err != nil {
			t.Fatalf("%q: %v", tc.pat, err)
		}
		if got := g.match(tc.s); got != tc.want {
			t.Errorf("glob %q fold=%v match %q = %v, want %v", tc.pat, tc.fold, tc.s, got, tc.want)
		}
	}
	for _, bad := range []string{"[", "[a-", `a\`} {
		if _, err := newGlob(bad, false); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestGlobAgreesWithPathMatch checks that for names without '/', the glob
// means what path.Match means.
func TestGlobAgreesWithPathMatch(t *testing.T) {
	pats := []string{"*", "a*", "*a", "a?c", "[abc]*", "[^x]?", "*b*", `\?`, "ab", "[a-z]b"}
	strs := []string{"", "a", "ab", "abc", "xbc", "?", "bb", "zzbzz", "a?c"}
	for _, p := range pats {
		g, _ := newGlob(p, false)
		for _, s := range strs {
			want, _ := path.Match(p, s)
			if got := g.match(s); got != want {
				t.Errorf("%q vs %q: got %v, path.Match %v", p, s, got, want)
			}
		}
	}
}

func FuzzGlob(f *testing.F) {
	f.Add("a*b?[c-d]", "axxbyc")
	f.Add(`[^\]]*`, "abc")
	f.Fuzz(func(t *testing.T, pat, s string) {
		g, err := newGlob(pat, true)
		if err != nil {
			return
		}
		g.match(s)
		if !strings.Contains(pat, "/") && !strings.Contains(s, "/") {
			g2, _ := newGlob(pat, false)
			want, _ := path.Match(pat, s)
			if got := g2.match(s); got != want {
				t.Errorf("%q vs %q: got %v, path.Match %v", pat, s, got, want)
			}
		}
		if !utf8.ValidString(pat) {
			return
		}
		re := globToRegex(pat, false)
		if _, err := regexp.CompilePOSIX(re); err != nil {
			t.Errorf("glob %q -> regex %q: %v", pat, re, err)
		}
	})
}

func TestGlobAllocs(t *testing.T) {
	g, _ := newGlob("*dial*", true)
	n := testing.AllocsPerRun(100, func() { g.match("SomethingDialBegin") })
	if n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"64MiB", 64 << 20}, {"512KiB", 512 << 10}, {"1G", 1 << 30}, {"1000", 1000}, {"10 MB", 10e6},
		{"1.5M", 3 << 19}, {"2k", 2048}, {"4kB", 4000}, {"100B", 100},
	} {
		got, err := parseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "0", "1X", "1e3", "lots", "99999999T"} {
		if n, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, no error", bad, n)
		}
	}
	if s := formatSize(64 << 20); s != "64MiB" {
		t.Errorf("formatSize = %s", s)
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
	} {
		re := headerRegex(tc.key, tc.glob, tc.fold)
		rx, err := regexp.CompilePOSIX(re)
		if err != nil {
			t.Fatalf("%q: %v", re, err)
		}
		if got := rx.MatchString(tc.text); got != tc.want {
			t.Errorf("%s=%s -> %q on %q = %v, want %v", tc.key, tc.glob, re, tc.text, got, tc.want)
		}
	}
}
