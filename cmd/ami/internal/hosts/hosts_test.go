package hosts_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/cmd/ami/internal/hosts"
)

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		host string
		port int
		bad  bool
	}{
		{in: "pbx1", host: "pbx1"},
		{in: "pbx2:5039", host: "pbx2", port: 5039},
		{in: "10.0.0.1:5038", host: "10.0.0.1", port: 5038},
		{in: "[::1]:5038", host: "::1", port: 5038},
		{in: "[fe80::1]", host: "fe80::1"},
		{in: "::1", host: "::1"},
		{in: "pbx:0", bad: true},
		{in: "pbx:65536", bad: true},
		{in: "pbx:+5", bad: true},
		{in: "pbx:x", bad: true},
		{in: "pbx:", bad: true},
		{in: ":5038", bad: true},
		{in: "", bad: true},
		{in: "a b", bad: true},
		{in: "user@pbx", bad: true},
		{in: "ami://pbx", bad: true},
		{in: "[::1", bad: true},
		{in: "pbx\r\n", bad: true},
	} {
		h, p, err := hosts.ParseAddr(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseAddr(%q) = %q, %d; want an error", tc.in, h, p)
			}
			continue
		}
		if err != nil || h != tc.host || p != tc.port {
			t.Errorf("ParseAddr(%q) = %q, %d, %v; want %q, %d", tc.in, h, p, err, tc.host, tc.port)
		}
	}
}

func TestParseList(t *testing.T) {
	got, err := hosts.ParseList("pbx1, pbx2:5039,[::1]:7000")
	want := []hosts.Target{
		{Name: "pbx1", Host: "pbx1"},
		{Name: "pbx2:5039", Host: "pbx2", Port: 5039},
		{Name: "[::1]:7000", Host: "::1", Port: 7000},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseList = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"", "pbx1,", ",pbx1", "pbx1,,pbx2", "pbx1,pbx:99999", strings.Repeat("a,", hosts.MaxHosts+1) + "a"} {
		if got, err := hosts.ParseList(bad); err == nil {
			t.Errorf("ParseList(%.40q) = %+v; want an error", bad, got)
		}
	}
}

func TestParseProfiles(t *testing.T) {
	got, err := hosts.ParseProfiles("east,west")
	want := []hosts.Target{{Name: "east", Profile: "east"}, {Name: "west", Profile: "west"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseProfiles = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"", "east,", "a b", "[x]", "@x"} {
		if got, err := hosts.ParseProfiles(bad); err == nil {
			t.Errorf("ParseProfiles(%q) = %+v; want an error", bad, got)
		}
	}
	if !want[0].IsProfile() || (hosts.Target{Host: "h"}).IsProfile() {
		t.Error("IsProfile is wrong")
	}
}

func TestParseFile(t *testing.T) {
	in := "\uFEFF# the fleet\r\npbx1\r\n\r\n  pbx2:5039   # TLS\r\n@east\n[::1]:5038\nhost#1\n"
	got, err := hosts.ParseFile(strings.NewReader(strings.Replace(in, "host#1\n", "", 1)), "fleet")
	want := []hosts.Target{
		{Name: "pbx1", Host: "pbx1"},
		{Name: "pbx2:5039", Host: "pbx2", Port: 5039},
		{Name: "east", Profile: "east"},
		{Name: "[::1]:5038", Host: "::1", Port: 5038},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseFile = %+v, %v; want %+v", got, err, want)
	}

	for _, tc := range []struct {
		in, msg string
	}{
		{"pbx1\nhost#1\n", "fleet:2: "},
		{"pbx1 pbx2\n", "fleet:1: one host per line"},
		{"pbx1,pbx2\n", "fleet:1: one host per line"},
		{"# nothing\n\n", "fleet: names no host"},
		{"", "fleet: names no host"},
		{"@\n", "fleet:1: empty profile name"},
		{"pbx:0\n", "fleet:1: \"pbx:0\": port"},
		{"ok\n" + strings.Repeat("x", 5000) + "\n", "fleet:2: line longer than 4096 bytes"},
	} {
		_, err := hosts.ParseFile(strings.NewReader(tc.in), "fleet")
		var fe *hosts.FileError
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("ParseFile(%.30q) error %v; want a *FileError starting %q", tc.in, err, tc.msg)
		}
	}
}

// FuzzParseFile: ParseFile never panics, fails only with a *FileError,
// and every target it returns is an address ParseAddr reads back to the
// same host and port, or a profile with a name.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"pbx1\npbx2:5039\n@east\n",
		"# c\r\n[::1]:5038 # x\r\n",
		"\uFEFFa\n\n\n@b\n",
		"a:b:c\n[x]:1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ts, err := hosts.ParseFile(strings.NewReader(in), "f")
		if err != nil {
			var fe *hosts.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *FileError", err, err)
			}
			return
		}
		if len(ts) == 0 {
			t.Fatal("no targets and no error")
		}
		for _, tg := range ts {
			if tg.IsProfile() {
				if tg.Name != tg.Profile || tg.Host != "" {
					t.Fatalf("profile target %+v", tg)
				}
				continue
			}
			h, p, err := hosts.ParseAddr(tg.Name)
			if err != nil || h != tg.Host || p != tg.Port || h == "" {
				t.Fatalf("target %+v reads back as %q, %d, %v", tg, h, p, err)
			}
			if strings.ContainsAny(tg.Name, " \t\r\n,#") {
				t.Fatalf("target name %q holds a separator", tg.Name)
			}
		}
	})
}

// FuzzParseList: ParseList never panics and each target's name reads
// back to it.
func FuzzParseList(f *testing.F) {
	f.Add("pbx1,pbx2:5039")
	f.Add("[::1]:1, x")
	f.Fuzz(func(t *testing.T, in string) {
		ts, err := hosts.ParseList(in)
		if err != nil {
			return
		}
		for _, tg := range ts {
			if h, p, err := hosts.ParseAddr(tg.Name); err != nil || h != tg.Host || p != tg.Port {
				t.Fatalf("target %+v reads back as %q, %d, %v", tg, h, p, err)
			}
		}
	})
}
