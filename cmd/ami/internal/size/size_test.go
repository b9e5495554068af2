package size_test

import (
	"strings"
	"testing"

	"github.com/ami-cli/ami/cmd/ami/internal/size"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"64MiB", 64 << 20}, {"512KiB", 512 << 10}, {"1G", 1 << 30}, {"1000", 1000}, {"10 MB", 10e6},
		{"1.5M", 3 << 19}, {"2k", 2048}, {"4kB", 4000}, {"100B", 100}, {" 1 KiB ", 1024}, {"1", 1},
		{"2047T", 2047 << 40}, {"3GB", 3e9}, {"1TB", 1e12},
	} {
		got, err := size.Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"", `bad size "": want a number and a unit, like 64MiB`},
		{"MiB", `bad size "MiB": want a number and a unit, like 64MiB`},
		{"-1", `bad size "-1": want a number and a unit, like 64MiB`},
		{"1..2", `bad size "1..2": want a number and a unit, like 64MiB`},
		{"0", `bad size "0": out of range`},
		{"0.5", `bad size "0.5": out of range`},
		{"2048T", `bad size "2048T": out of range`},
		{"99999999T", `bad size "99999999T": out of range`},
		{"1X", `bad size "1X": unknown unit "X" (use B, KiB, MiB, GiB)`},
		{"1e3", `bad size "1e3": unknown unit "e3" (use B, KiB, MiB, GiB)`},
		{"1mb", `bad size "1mb": unknown unit "mb" (use B, KiB, MiB, GiB)`},
		{"lots", `bad size "lots": want a number and a unit, like 64MiB`},
	} {
		n, err := size.Parse(tc.in)
		if err == nil || err.Error() != tc.err {
			t.Errorf("Parse(%q) = %d, %v; want error %q", tc.in, n, err, tc.err)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0B"}, {100, "100B"}, {1023, "1023B"}, {1024, "1KiB"}, {1536, "1.5KiB"},
		{64 << 20, "64MiB"}, {1 << 30, "1GiB"}, {3 << 40, "3TiB"}, {5 << 50, "5120TiB"},
	} {
		if got := size.Format(tc.n); got != tc.want {
			t.Errorf("Format(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// FuzzParse checks that Parse never panics, keeps to its range, and reads
// what Format writes back as the same size (to Format's one decimal).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"64MiB", "1.5 K", "10 MB", "0", "1e3", "9999999999999999999T"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := size.Parse(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bad size ") {
				t.Errorf("Parse(%q): error %q", s, err)
			}
			return
		}
		if n < 1 || float64(n) > size.Max {
			t.Fatalf("Parse(%q) = %d, out of [1, Max]", s, n)
		}
		back, err := size.Parse(size.Format(n))
		if err != nil {
			t.Fatalf("Parse(Format(%d) = %q): %v", n, size.Format(n), err)
		}
		if d := float64(back-n) / float64(n); d > 0.05 || d < -0.05 {
			t.Errorf("Parse(Format(%d) = %q) = %d", n, size.Format(n), back)
		}
	})
}
