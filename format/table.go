package format

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"github.com/ami-cli/ami/amiwire"
)

// tableWriter holds rows until Flush, then writes them as aligned columns.
type tableWriter struct {
	output
	opts  Options
	rows  []tableRow
	watch fieldWatch
	width widther
	lead  []amiwire.Field // Options.Lead: the first cells of the rows written from now on
}

// SetLead makes fields the first cells of the rows written from now on,
// under columns of their keys.
func (t *tableWriter) SetLead(fields []amiwire.Field) {
	t.lead = append([]amiwire.Field(nil), fields...)
}

// MissingFields returns the Options.Fields that no packet had.
func (t *tableWriter) MissingFields() []MissingField { return t.watch.report(t.opts.Fields) }

// widther measures how many terminal cells a string takes: East Asian wide
// and fullwidth characters take two, combining marks none, an emoji
// sequence two. Ambiguous-width characters take one, as most terminals
// draw them (not $LANG-dependent, so a table looks the same for every
// reader of a file).
type widther struct{ cond *runewidth.Condition }

func newWidther() widther {
	return widther{&runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}}
}

func (w widther) of(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return w.cond.StringWidth(s)
		}
	}
	return len(s)
}

// tableRow is one held packet: a copy of its fields.
type tableRow struct {
	lead   []amiwire.Field // shared by the rows written under one lead
	fields []amiwire.Field
}

// WritePacket holds a copy of p's fields until Flush.
func (t *tableWriter) WritePacket(p amiwire.Packet) error {
	if t.err != nil {
		return t.err
	}
	if len(t.opts.Fields) > 0 {
		t.watch.noteKeys(p)
		for i, k := range t.opts.Fields {
			for _, f := range p.Fields {
				if len(f.Key) == len(k) && strings.EqualFold(f.Key, k) {
					t.watch.saw(i)
					break
				}
			}
		}
	}
	t.rows = append(t.rows, tableRow{lead: t.lead, fields: append([]amiwire.Field(nil), p.Fields...)})
	return nil
}

// Flush writes the held rows as one table, header row first, and forgets
// them. With no rows held it writes nothing.
func (t *tableWriter) Flush() error {
	if t.err != nil || len(t.rows) == 0 {
		return t.flush()
	}
	cols := t.opts.Fields
	if len(cols) == 0 {
		cols = defaultColumns(t.rows, t.opts.Hide)
	}
	leads := leadColumns(t.rows)
	cols = append(leads, cols...)
	cells := make([][]string, 0, len(t.rows)+1)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = cell(c)
	}
	cells = append(cells, header)
	var vs []string
	for _, r := range t.rows {
		row := make([]string, len(cols))
		for i, c := range cols {
			if i < len(leads) {
				for _, f := range r.lead {
					if f.Key == c {
						row[i] = cell(f.Value)
						break
					}
				}
				continue
			}
			vs = vs[:0]
			for _, f := range r.fields {
				if f.Key != "" && len(f.Key) == len(c) && strings.EqualFold(f.Key, c) {
					vs = append(vs, f.Value)
				}
			}
			row[i] = cell(strings.Join(vs, ","))
		}
		cells = append(cells, row)
	}
	width := make([]int, len(cols))
	for _, row := range cells {
		for i, v := range row {
			width[i] = max(width[i], t.width.of(v))
		}
	}
	for n, row := range cells {
		header := n == 0
		line := len(t.buf)
		for i, v := range row {
			if header && t.opts.Color {
				t.buf = append(t.buf, colorKey...)
				t.buf = append(t.buf, v...)
				t.buf = append(t.buf, colorReset...)
			} else {
				t.buf = append(t.buf, v...)
			}
			if i < len(row)-1 {
				for pad := width[i] - t.width.of(v) + 2; pad > 0; pad-- {
					t.buf = append(t.buf, ' ')
				}
			}
		}
		// Blank trailing cells leave padding behind: trim it.
		for len(t.buf) > line && t.buf[len(t.buf)-1] == ' ' {
			t.buf = t.buf[:len(t.buf)-1]
		}
		t.buf = append(t.buf, '\n')
		if err := t.maybeFlush(); err != nil {
			break
		}
	}
	clear(t.rows)
	t.rows = t.rows[:0]
	return t.flush()
}

// defaultColumns are the columns of a table without Options.Fields: the
// rows' keys, less those in hide and less Event when every row has the
// same one (a list's items do, and the name says nothing then), unless
// nothing else would be left.
func defaultColumns(rows []tableRow, hide []string) []string {
	all := columns(rows)
	cols := all[:0:0]
	for _, c := range all {
		hidden := strings.EqualFold(c, "Event") && sameEvent(rows)
		for _, h := range hide {
			hidden = hidden || strings.EqualFold(c, h)
		}
		if !hidden {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return all
	}
	return cols
}

// leadColumns is the union of the keys of the rows' leads, in order of
// first appearance.
func leadColumns(rows []tableRow) []string {
	var cols []string
	var last []amiwire.Field
	for _, r := range rows {
		if len(r.lead) == 0 || len(last) > 0 && &r.lead[0] == &last[0] {
			continue
		}
		last = r.lead
		for _, f := range r.lead {
			if !slices.Contains(cols, f.Key) {
				cols = append(cols, f.Key)
			}
		}
	}
	return cols
}

// sameEvent reports whether every row has exactly one Event field, all
// with the same value.
func sameEvent(rows []tableRow) bool {
	first := ""
	for i, r := range rows {
		n, v := 0, ""
		for _, f := range r.fields {
			if strings.EqualFold(f.Key, "Event") {
				n, v = n+1, f.Value
			}
		}
		if n != 1 || (i > 0 && v != first) {
			return false
		}
		first = v
	}
	return len(rows) > 0
}

// columns is the union of the rows' keys, in order of first appearance,
// compared without regard to case, spelled as first seen. Colonless lines
// have no column.
func columns(rows []tableRow) []string {
	var cols []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, f := range r.fields {
			k := strings.ToLower(f.Key)
			if f.Key == "" || seen[k] {
				continue
			}
			seen[k] = true
			cols = append(cols, f.Key)
		}
	}
	return cols
}

// cell makes s safe for one line of a table and for a terminal: control
// characters (tab included), bytes that are not UTF-8 and C1 controls are
// escaped (AppendVisible).
func cell(s string) string {
	if !needsEscape(s, true) {
		return s
	}
	return string(AppendVisible(nil, s, true))
}
