package duration_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/cmd/ami/internal/duration"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"5", 5 * time.Second}, {"0.2", 200 * time.Millisecond}, {".5", 500 * time.Millisecond},
		{"-1", -time.Second}, {"+2", 2 * time.Second}, {" 3 ", 3 * time.Second}, {"0", 0},
		{"1.0000000004", time.Second}, {"1.0000000006", time.Second + 1},
		{"200ms", 200 * time.Millisecond}, {"1m30s", 90 * time.Second}, {"-1.5h", -90 * time.Minute},
		{"9223372036", 9223372036 * time.Second},
	} {
		if got, err := duration.Parse(tc.in); err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", " ", "five", "1e3", "Inf", "NaN", "1.2.3", ".", "-", "1s5", "5 s", "9223372037", "99999999999999999999"} {
		if got, err := duration.Parse(bad); !errors.Is(err, duration.ErrSyntax) {
			t.Errorf("Parse(%q) = %v, %v; want ErrSyntax", bad, got, err)
		}
	}
}

// FuzzParse: any input gives a duration or ErrSyntax, never a panic, and a
// bare number and the same number with an "s" agree to the
// microsecond (or to float64 precision, for huge numbers).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"5", "0.2", "-1", "200ms", "1m30s", "1e3", "9223372036.9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := duration.Parse(s)
		if err != nil {
			if !errors.Is(err, duration.ErrSyntax) {
				t.Fatalf("Parse(%q): %v, not ErrSyntax", s, err)
			}
			return
		}
		if strings.Trim(s, "0123456789.+-") != "" {
			return // not a bare number
		}
		if g, err := time.ParseDuration(s + "s"); err == nil {
			if diff := (g - d).Abs(); diff > time.Microsecond+g.Abs()/1e12 {
				t.Errorf("Parse(%q) = %v, ParseDuration(%q) = %v", s, d, s+"s", g)
			}
		}
	})
}
