package format

import (
	"strings"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

// TimeKey is the key of the time column of the timeline format: a value
// the program renders itself, such as "+1.250" seconds since a call's
// first event.
const TimeKey = "@t"

// timelineColumns are the keys the timeline format writes as aligned
// columns, in this order; every other field follows as Key=Value.
var timelineColumns = [...]string{TimeKey, "Channel", "Event"}

// timelineWriter writes one line per packet: the columns of
// timelineColumns, padded to the widest value seen so far (so the output
// streams, and lines align once the widths have settled), then the other
// fields as Key=Value separated by spaces. Values are escaped as in a
// table (a line stays a line); a value with a space is quoted.
type timelineWriter struct {
	output
	opts   Options
	width  [len(timelineColumns)]int
	lead   []amiwire.Field
	picked []amiwire.Field
	cell   []byte
	watch  fieldWatch
	w      widther
}

// SetLead makes fields the first Key=Value pairs of every line.
func (t *timelineWriter) SetLead(fields []amiwire.Field) {
	t.lead = append([]amiwire.Field(nil), fields...)
}

// WritePacket writes p's line.
func (t *timelineWriter) WritePacket(p amiwire.Packet) error {
	if t.err != nil {
		return t.err
	}
	fields := p.Fields
	if len(t.opts.Fields) > 0 {
		t.picked = pick(t.picked, p, t.opts.Fields, &t.watch)
		fields = t.picked
	}
	for i, key := range timelineColumns {
		v, _ := lookup(fields, key)
		if i > 0 {
			t.buf = append(t.buf, "  "...)
		}
		t.cell = AppendVisible(t.cell[:0], v, true)
		n := t.w.of(string(t.cell))
		t.width[i] = max(t.width[i], n)
		if i == 0 { // the time is right-aligned
			t.buf = appendSpaces(t.buf, t.width[i]-n)
			t.buf = append(t.buf, t.cell...)
			continue
		}
		t.buf = append(t.buf, t.cell...)
		t.buf = appendSpaces(t.buf, t.width[i]-n)
	}
	t.buf = t.appendPairs(t.buf, t.lead)
	t.buf = t.appendPairs(t.buf, fields)
	// The padding of the last column, when nothing follows it.
	for len(t.buf) > 0 && t.buf[len(t.buf)-1] == ' ' {
		t.buf = t.buf[:len(t.buf)-1]
	}
	t.buf = append(t.buf, '\n')
	return t.maybeFlush()
}

// appendSpaces appends n spaces (none when n <= 0).
func appendSpaces(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

// appendPairs appends the fields that are not columns as " Key=Value".
func (t *timelineWriter) appendPairs(dst []byte, fields []amiwire.Field) []byte {
	for _, f := range fields {
		if f.Key == "" || isTimelineColumn(f.Key) || f.Value == "" {
			continue
		}
		dst = append(dst, "  "...)
		dst = AppendVisible(dst, f.Key, false)
		dst = append(dst, '=')
		if strings.ContainsAny(f.Value, " \"") || !utf8.ValidString(f.Value) {
			dst = append(dst, '"')
			dst = AppendVisible(dst, strings.ReplaceAll(f.Value, `"`, `\"`), false)
			dst = append(dst, '"')
		} else {
			dst = AppendVisible(dst, f.Value, false)
		}
	}
	return dst
}

// isTimelineColumn reports whether key is one of timelineColumns.
func isTimelineColumn(key string) bool {
	for _, c := range timelineColumns {
		if strings.EqualFold(key, c) {
			return true
		}
	}
	return false
}

// lookup returns the value of the first field named key (any case).
func lookup(fields []amiwire.Field, key string) (string, bool) {
	for _, f := range fields {
		if strings.EqualFold(f.Key, key) {
			return f.Value, true
		}
	}
	return "", false
}

// Flush writes out what is buffered.
func (t *timelineWriter) Flush() error { return t.flush() }

// MissingFields returns the Options.Fields that no packet had.
func (t *timelineWriter) MissingFields() []MissingField { return t.watch.report(t.opts.Fields) }
