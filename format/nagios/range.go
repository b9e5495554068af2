package nagios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range is a threshold in the monitoring-plugins range syntax,
// [@]start:end:
//
//	10      alert when the value is below 0 or above 10
//	10:     alert when the value is below 10
//	~:10    alert when the value is above 10 (~ is minus infinity)
//	10:20   alert when the value is below 10 or above 20
//	@10:20  alert when the value is 10 or more and 20 or less
//
// Both ends belong to the range. The zero Range is "no threshold": it never
// alerts and prints as an empty perfdata field.
type Range struct {
	start, end float64 // math.Inf(-1) and math.Inf(1) for open ends
	inside     bool    // "@": alert inside instead of outside
	set        bool
}

// ParseRange parses a threshold range: an optional "@", then either END
// alone (start 0) or START:END, where START may be "~" (minus infinity) and
// END may be empty (plus infinity). An empty START counts as 0, as the
// monitoring-plugins C library reads it. Numbers are plain decimals
// (-1, 0.5, .5); START must not be above END. Spaces around the text are
// ignored; an empty text is an error (leave the Range zero for "none").
func ParseRange(s string) (Range, error) {
	text := strings.TrimSpace(s)
	fail := func(msg string) (Range, error) {
		return Range{}, fmt.Errorf("range %q: %s (want N, N:, ~:N, N:M or @N:M)", s, msg)
	}
	r := Range{start: 0, end: math.Inf(1), set: true}
	if rest, ok := strings.CutPrefix(text, "@"); ok {
		r.inside, text = true, rest
	}
	if text == "" {
		return fail("empty")
	}
	endText := text
	if startText, after, ok := strings.Cut(text, ":"); ok {
		endText = after
		switch startText {
		case "~":
			r.start = math.Inf(-1)
		case "":
		default:
			v, err := parseNumber(startText)
			if err != nil {
				return fail(fmt.Sprintf("start %q: %v", startText, err))
			}
			r.start = v
		}
	} else if endText == "~" {
		return fail(`"~" is only for the start, as in ~:10`)
	}
	if endText != "" {
		v, err := parseNumber(endText)
		if err != nil {
			return fail(fmt.Sprintf("end %q: %v", endText, err))
		}
		r.end = v
	} else if !strings.Contains(text, ":") {
		return fail("empty")
	}
	if r.start > r.end {
		return fail(fmt.Sprintf("start %s is above end %s", number(r.start), number(r.end)))
	}
	return r, nil
}

var errNotNumber = errors.New("not a number")

// parseNumber reads a plain decimal number: an optional sign, digits and
// an optional fraction. Exponents, "inf", "nan" and hex are refused, so
// that what a range says is what a person reads in it.
func parseNumber(s string) (float64, error) {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		case (c == '-' || c == '+') && i == 0:
		default:
			return 0, errNotNumber
		}
	}
	if digits == 0 {
		return 0, errNotNumber
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, errors.New("out of range")
	}
	return v, nil
}

// UpTo is the range "end": it alerts when a value is below 0 or above
// end, which for a count or a duration means "more than end". A negative
// or NaN end gives the zero Range (no threshold).
func UpTo(end float64) Range {
	if !(end >= 0) {
		return Range{}
	}
	return Range{start: 0, end: end, set: true}
}

// IsSet reports whether r is a threshold (not the zero Range).
func (r Range) IsSet() bool { return r.set }

// Inside reports whether r alerts inside its ends (the "@" form).
func (r Range) Inside() bool { return r.inside }

// Bounds returns r's ends; an open end is an infinity.
func (r Range) Bounds() (start, end float64) { return r.start, r.end }

// Alert reports whether v raises an alert: v lies outside r (or inside it,
// for the "@" form). The zero Range never alerts; a NaN value always does
// when r is set, since it cannot be judged.
func (r Range) Alert(v float64) bool {
	if !r.set {
		return false
	}
	if math.IsNaN(v) {
		return true
	}
	in := r.start <= v && v <= r.end
	return in == r.inside
}

// String returns r in the range syntax, in its shortest form ("10",
// "10:", "~:10", "10:20", "@10:20"), which ParseRange reads back as the
// same range. The zero Range is "".
func (r Range) String() string {
	if !r.set {
		return ""
	}
	var b strings.Builder
	if r.inside {
		b.WriteByte('@')
	}
	switch {
	case r.start == 0 && !math.IsInf(r.end, 1) && !math.Signbit(r.start):
		b.WriteString(number(r.end))
	case math.IsInf(r.start, -1):
		b.WriteString("~:")
		if !math.IsInf(r.end, 1) {
			b.WriteString(number(r.end))
		}
	default:
		b.WriteString(number(r.start))
		b.WriteByte(':')
		if !math.IsInf(r.end, 1) {
			b.WriteString(number(r.end))
		}
	}
	return b.String()
}

// number formats a finite v in plain decimal, as short as it can be and
// still read back exactly.
func number(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Thresholds are a check's warning and critical ranges.
type Thresholds struct {
	Warning, Critical Range
}

// State judges v: Critical when the critical range alerts, else Warning
// when the warning range does, else OK.
func (t Thresholds) State(v float64) State {
	switch {
	case t.Critical.Alert(v):
		return Critical
	case t.Warning.Alert(v):
		return Warning
	}
	return OK
}
