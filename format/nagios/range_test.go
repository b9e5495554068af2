package nagios

import (
	"math"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		in      string
		str     string    // String() of the result
		alert   []float64 // values that alert
		quiet   []float64 // values that do not
		inside  bool
		startTo float64
		endTo   float64
	}{
		{"10", "10", []float64{-0.001, 10.001, 11, -5}, []float64{0, 5, 10}, false, 0, 10},
		{"10:", "10:", []float64{9.999, 0, -1}, []float64{10, 11, 1e300}, false, 10, inf},
		{"~:10", "~:10", []float64{10.5, 11}, []float64{10, 0, -1e300}, false, math.Inf(-1), 10},
		{"10:20", "10:20", []float64{9, 21, -1}, []float64{10, 15, 20}, false, 10, 20},
		{"@10:20", "@10:20", []float64{10, 15, 20}, []float64{9.99, 20.01, -1}, true, 10, 20},
		{"@10", "@10", []float64{0, 10}, []float64{-1, 11}, true, 0, 10},
		{"@~:10", "@~:10", []float64{-100, 10}, []float64{10.1}, true, math.Inf(-1), 10},
		{"-10:-5", "-10:-5", []float64{-11, -4}, []float64{-10, -5, -7.5}, false, -10, -5},
		{"0.5:1.5", "0.5:1.5", []float64{0.4, 1.6}, []float64{0.5, 1, 1.5}, false, 0.5, 1.5},
		{".5", "0.5", []float64{0.6}, []float64{0.5, 0}, false, 0, 0.5},
		{"5.", "5", []float64{6}, []float64{5}, false, 0, 5},
		{"+5:+7", "5:7", []float64{4, 8}, []float64{5, 7}, false, 5, 7},
		{" 10 ", "10", []float64{11}, []float64{10}, false, 0, 10},
		{":10", "10", []float64{-1, 11}, []float64{0, 10}, false, 0, 10}, // an empty start is 0, as in the C library
		{"~:", "~:", nil, []float64{-1e300, 0, 1e300}, false, math.Inf(-1), inf},
		{"@~:", "@~:", []float64{-1e300, 0, 1e300}, nil, true, math.Inf(-1), inf},
		{"0:", "0:", []float64{-0.1}, []float64{0, 1e9}, false, 0, inf},
		{"10:10", "10:10", []float64{9, 11}, []float64{10}, false, 10, 10},
		{"0", "0", []float64{-1, 1}, []float64{0}, false, 0, 0},
	}
	for _, tt := range tests {
		r, err := ParseRange(tt.in)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", tt.in, err)
			continue
		}
		if got := r.String(); got != tt.str {
			t.Errorf("ParseRange(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
		if !r.IsSet() || r.Inside() != tt.inside {
			t.Errorf("%q: set %v inside %v", tt.in, r.IsSet(), r.Inside())
		}
		if s, e := r.Bounds(); s != tt.startTo || e != tt.endTo {
			t.Errorf("%q: bounds %v..%v, want %v..%v", tt.in, s, e, tt.startTo, tt.endTo)
		}
		for _, v := range tt.alert {
			if !r.Alert(v) {
				t.Errorf("%q: %v does not alert", tt.in, v)
			}
		}
		for _, v := range tt.quiet {
			if r.Alert(v) {
				t.Errorf("%q: %v alerts", tt.in, v)
			}
		}
		if !r.Alert(math.NaN()) {
			t.Errorf("%q: NaN does not alert", tt.in)
		}
	}
}

func TestParseRangeErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "@", "~", "@~", "20:10", "@5:1", "abc", "10:abc", "1e3", "inf", "NaN", "-inf:",
		"0x10", "10:~", "1:2:3", "--1", "1-", ".", "-", "+", "10 :20", "1,5", "１０",
		"1" + strings.Repeat("0", 400),
	} {
		if r, err := ParseRange(in); err == nil {
			t.Errorf("ParseRange(%q) = %v, want an error", in, r)
		} else if !strings.HasPrefix(err.Error(), "range ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRange(%q): error %q", in, err)
		}
	}
	_, err := ParseRange("20:10")
	if err == nil || !strings.Contains(err.Error(), "start 20 is above end 10") {
		t.Errorf("error %v", err)
	}
}

func TestZeroRange(t *testing.T) {
	var r Range
	for _, v := range []float64{math.Inf(-1), -1, 0, 1, math.NaN(), math.Inf(1)} {
		if r.Alert(v) {
			t.Errorf("zero Range alerts on %v", v)
		}
	}
	if r.String() != "" || r.IsSet() {
		t.Errorf("zero Range: %q %v", r.String(), r.IsSet())
	}
}

func TestUpTo(t *testing.T) {
	r := UpTo(0.2)
	if r.String() != "0.2" || !r.Alert(0.21) || r.Alert(0.2) || r.Alert(0) {
		t.Errorf("UpTo(0.2) = %q", r)
	}
	if UpTo(-1).IsSet() || UpTo(math.NaN()).IsSet() {
		t.Error("UpTo of a negative or NaN end is set")
	}
}

func TestThresholds(t *testing.T) {
	w, _ := ParseRange("2")
	c, _ := ParseRange("5")
	th := Thresholds{Warning: w, Critical: c}
	for _, tt := range []struct {
		v    float64
		want State
	}{{0, OK}, {2, OK}, {3, Warning}, {5, Warning}, {6, Critical}, {-1, Critical}} {
		if got := th.State(tt.v); got != tt.want {
			t.Errorf("State(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
	if (Thresholds{}).State(1e9) != OK {
		t.Error("no thresholds is not OK")
	}
}

// FuzzParseRange checks that no text makes ParseRange panic, that what it
// accepts prints in a form it reads back as the same range, and that the
// printed form is safe inside perfdata.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10", "10:", "~:10", "10:20", "@10:20", "@~:", ":", "-1.5:2.", "20:10", "1e3", "@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			if r.IsSet() {
				t.Fatalf("%q: error %v with a set range", s, err)
			}
			return
		}
		str := r.String()
		if strings.ContainsAny(str, " ;|'=\n") {
			t.Fatalf("%q prints as %q", s, str)
		}
		back, err := ParseRange(str)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", s, str, err)
		}
		if back != r {
			t.Fatalf("%q: %+v prints as %q, which reads back as %+v", s, r, str, back)
		}
		start, end := r.Bounds()
		if start > end || math.IsNaN(start) || math.IsNaN(end) {
			t.Fatalf("%q: bounds %v..%v", s, start, end)
		}
		for _, v := range []float64{start, end, start - 1, end + 1, 0} {
			if math.IsInf(v, 0) {
				continue
			}
			in := start <= v && v <= end
			if r.Alert(v) != (in == r.Inside()) {
				t.Fatalf("%q: Alert(%v) = %v", s, v, r.Alert(v))
			}
		}
	})
}
