// Package duration reads the values of ami's duration flags, which take a
// bare number as seconds besides Go's durations.
package duration

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrSyntax is Parse's error for a value it cannot read: it says what
// Parse takes, with examples, for a flag's error message.
var ErrSyntax = errors.New("want seconds (like 5 or 0.2) or a duration with a unit (like 200ms, 10s or 1m30s)")

// Parse reads a duration as ami's duration flags take it: a bare decimal
// number of seconds ("5", "0.2", "-1", as monitoring plugins take -w and
// -c), rounded to the nanosecond, or a Go duration ("200ms", "1m30s").
// Space around it is ignored. Every failure is ErrSyntax.
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if isDecimal(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Abs(f) > float64(math.MaxInt64)/float64(time.Second) {
			return 0, ErrSyntax
		}
		return time.Duration(math.Round(f * float64(time.Second))), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, ErrSyntax
	}
	return d, nil
}

// isDecimal reports whether s is an optionally signed decimal number with
// at least one digit and at most one point: "5", "0.2", ".5", "-1". No
// exponent, no "Inf" or "NaN".
func isDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	digits, points := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}
