// Package check judges the items of an AMI list the way a Nagios / Icinga
// plugin judges what it measures: it counts the items that pass every
// --where condition, checks that each of them passes every --expect
// condition, and finds the largest value of each --max field, then says
// the worst state, a summary for the status line and the performance data.
//
// It does no I/O: the caller feeds it items (Judge.Add) as they arrive, so
// a list of any length is judged in constant memory, and prints the
// Result with package nagios.
package check

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format/nagios"
)

// Cond is one KEY=GLOB condition on an item (--where, --expect).
type Cond struct {
	Key  string // the header it looks at, to show that header's value when an item fails
	Text string // as the user wrote it: "Status=Registered"
	// Match reports whether an item's fields pass the condition.
	Match func(fields []amiwire.Field) bool
}

// Max is one --max FIELD=WARN:CRIT: the largest value of Field among the
// kept items, in seconds, against thresholds in seconds.
type Max struct {
	Field string
	// Warn and Crit are the thresholds in seconds; a negative one is
	// not set.
	Warn, Crit float64
}

// Spec is what one check asks of a list.
type Spec struct {
	Count  nagios.Thresholds // the number of kept items
	Where  []Cond            // an item is kept when it passes all of them
	Expect []Cond            // every kept item must pass all of them
	Max    []Max
}

// ParseMax reads --max FIELD=WARN:CRIT. WARN and CRIT are seconds ("3600",
// "0.5") or Go durations ("1h", "90m", "1m30s"); either may be left empty,
// not both, and WARN may not be above CRIT.
func ParseMax(s string) (Max, error) {
	m := Max{Warn: -1, Crit: -1}
	field, spec, ok := strings.Cut(s, "=")
	field = strings.TrimSpace(field)
	if !ok || field == "" || !validField(field) {
		return m, fmt.Errorf("--max %q: want FIELD=WARN:CRIT, like Duration=1h:2h", s)
	}
	w, c, ok := strings.Cut(spec, ":")
	if !ok {
		return m, fmt.Errorf("--max %q: want FIELD=WARN:CRIT (either may be empty: Duration=:2h)", s)
	}
	m.Field = field
	var err error
	if w = strings.TrimSpace(w); w != "" {
		if m.Warn, err = ParseSeconds(w); err != nil {
			return m, fmt.Errorf("--max %q: warning: %w", s, err)
		}
	}
	if c = strings.TrimSpace(c); c != "" {
		if m.Crit, err = ParseSeconds(c); err != nil {
			return m, fmt.Errorf("--max %q: critical: %w", s, err)
		}
	}
	if m.Warn < 0 && m.Crit < 0 {
		return m, fmt.Errorf("--max %q: no threshold; want FIELD=WARN:CRIT, like Duration=1h:2h", s)
	}
	if m.Warn >= 0 && m.Crit >= 0 && m.Warn > m.Crit {
		return m, fmt.Errorf("--max %q: warning %s is above critical %s", s, seconds(m.Warn), seconds(m.Crit))
	}
	return m, nil
}

// validField reports whether s can be an AMI header name.
func validField(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == ':' || c >= 0x7f {
			return false
		}
	}
	return true
}

// String returns m as ParseMax reads it, thresholds in seconds.
func (m Max) String() string {
	th := func(v float64) string {
		if v < 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return m.Field + "=" + th(m.Warn) + ":" + th(m.Crit)
}

// Thresholds returns m's thresholds as ranges: alert above each.
func (m Max) Thresholds() nagios.Thresholds {
	var t nagios.Thresholds
	if m.Warn >= 0 {
		t.Warning = nagios.UpTo(m.Warn)
	}
	if m.Crit >= 0 {
		t.Critical = nagios.UpTo(m.Crit)
	}
	return t
}

// maxThreshold bounds thresholds and values: a hundred years in seconds,
// far beyond any call, and exact in a float64.
const maxThreshold = 100 * 366 * 24 * 3600

// ParseSeconds reads a threshold: a plain decimal number of seconds
// ("3600", "0.5") or a Go duration ("1h", "90m", "1m30s", "250ms").
// Negative values, infinities and values above a hundred years are refused.
func ParseSeconds(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if plainDecimal(s) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v > maxThreshold {
			return 0, fmt.Errorf("%q: out of range", s)
		}
		return v, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want seconds or a duration like 90s, 5m, 1h", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q: negative", s)
	}
	if d.Seconds() > maxThreshold {
		return 0, fmt.Errorf("%q: out of range", s)
	}
	return d.Seconds(), nil
}

// plainDecimal reports whether s is digits with at most one '.', and at
// least one digit: what strconv.ParseFloat reads without surprises (no
// sign, exponent, hex, "inf" or "nan").
func plainDecimal(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// FieldSeconds reads a value of a --max field: a plain decimal number
// ("3700", "12.5", as QueueEntry's Wait or Status's Seconds are) or a
// duration H:MM:SS as CoreShowChannel's Duration is ("01:01:40",
// "100:00:00"); minutes and seconds below 60. ok is false for anything
// else (an empty value, text).
func FieldSeconds(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	if plainDecimal(v) {
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && f <= maxThreshold
	}
	// Three parts, cut without allocating: this runs once per item.
	var n [3]int
	rest := v
	for i := range n {
		p := rest
		if i < 2 {
			var ok bool
			if p, rest, ok = strings.Cut(rest, ":"); !ok {
				return 0, false
			}
		}
		if p == "" || len(p) > 9 || (i > 0 && len(p) > 2) {
			return 0, false
		}
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return 0, false
			}
		}
		n[i], _ = strconv.Atoi(p)
	}
	if n[1] >= 60 || n[2] >= 60 {
		return 0, false
	}
	f := float64(n[0])*3600 + float64(n[1])*60 + float64(n[2])
	return f, f <= maxThreshold
}

// Clock renders seconds as H:MM:SS ("01:01:40"), as Asterisk shows a
// channel's Duration; fractions are dropped.
func Clock(sec float64) string {
	if math.IsNaN(sec) || sec < 0 {
		return "?"
	}
	s := int64(sec)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// seconds renders a threshold for a message: "3600s".
func seconds(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "s" }

// nameKeys are the headers that name an item, most telling first:
// channels (CoreShowChannel, Status, QueueEntry), PJSIP and IAX objects
// (ObjectName), queue members (Interface), then generic names.
var nameKeys = [...]string{"Channel", "ObjectName", "Interface", "Name", "Endpoint", "Queue", "Conference", "Exten", "UserEvent"}

// metaKeys are headers that say what a packet is, not which item.
var metaKeys = [...]string{"Event", "Response", "ActionID", "Privilege", "EventList"}

// ItemName returns what an item is called: the value of its first naming
// header (Channel, ObjectName, Interface, Name, ...), else the first
// value that is not Event, Response, ActionID, Privilege or EventList;
// "?" when it has none.
func ItemName(fields []amiwire.Field) string {
	for _, k := range nameKeys {
		for _, f := range fields {
			if strings.EqualFold(f.Key, k) && f.Value != "" {
				return f.Value
			}
		}
	}
next:
	for _, f := range fields {
		for _, k := range metaKeys {
			if strings.EqualFold(f.Key, k) {
				continue next
			}
		}
		if f.Value != "" {
			return f.Value
		}
	}
	return "?"
}

// valueOf returns the first value of key in fields.
func valueOf(fields []amiwire.Field, key string) (string, bool) {
	for _, f := range fields {
		if strings.EqualFold(f.Key, key) {
			return f.Value, true
		}
	}
	return "", false
}

// ParseAge reads how long ahead to warn, as --cert-warning takes it: days
// ("30d", "1.5d") or a Go duration ("720h", "90m"). A bare number is
// refused: seconds and days are both plausible. Negative and zero ages,
// and ages above a hundred years, are refused.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if plainDecimal(s) {
		return 0, fmt.Errorf("%q: want days like 30d or a duration like 720h", s)
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok && plainDecimal(days) {
		v, err := strconv.ParseFloat(days, 64)
		if err != nil || v*86400 > maxThreshold {
			return 0, fmt.Errorf("%q: out of range", s)
		}
		d = time.Duration(v * 86400 * float64(time.Second))
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want days like 30d or a duration like 720h", s)
		}
		if d.Seconds() > maxThreshold {
			return 0, fmt.Errorf("%q: out of range", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: want more than zero", s)
	}
	return d, nil
}
