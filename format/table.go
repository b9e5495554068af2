package format

import (
	"strings"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

// tableWriter holds rows until Flush, then writes them as aligned columns.
type tableWriter struct {
	*output
	opts Options
	rows []amiwire.Packet
}

func (t *tableWriter) WritePacket(p amiwire.Packet) error {
	if t.err != nil {
		return t.err
	}
	t.rows = append(t.rows, amiwire.Packet{Fields: append([]amiwire.Field(nil), p.Fields...)})
	return nil
}

// Flush writes the held rows as a table (with its own header row) and
// forgets them.
func (t *tableWriter) Flush() error {
	if t.err != nil || len(t.rows) == 0 {
		return t.output.Flush()
	}
	cols := t.opts.Fields
	if len(cols) == 0 {
		cols = columns(t.rows)
	}
	cells := make([][]string, 0, len(t.rows)+1)
	if !t.opts.NoHeader {
		cells = append(cells, cols)
	}
	for _, r := range t.rows {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cell(r.Values(c))
		}
		cells = append(cells, row)
	}
	width := make([]int, len(cols))
	for _, row := range cells {
		for i, v := range row {
			width[i] = max(width[i], utf8.RuneCountInString(v))
		}
	}
	for n, row := range cells {
		header := n == 0 && !t.opts.NoHeader
		for i, v := range row {
			if header && t.opts.Color {
				t.buf = append(t.buf, colorKey...)
			}
			t.buf = append(t.buf, v...)
			if header && t.opts.Color {
				t.buf = append(t.buf, colorReset...)
			}
			if i < len(row)-1 {
				pad := width[i] - utf8.RuneCountInString(v) + 2
				for ; pad > 0; pad-- {
					t.buf = append(t.buf, ' ')
				}
			}
		}
		// Blank trailing cells leave padding behind: trim it.
		for len(t.buf) > 0 && t.buf[len(t.buf)-1] == ' ' {
			t.buf = t.buf[:len(t.buf)-1]
		}
		t.buf = append(t.buf, '\n')
		if err := t.maybeFlush(); err != nil {
			return err
		}
	}
	t.rows = t.rows[:0]
	return t.output.Flush()
}

// columns is the union of the rows' keys, in order of first appearance,
// compared without regard to case. Colonless lines have no column.
func columns(rows []amiwire.Packet) []string {
	var cols []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, f := range r.Fields {
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

// cell joins the values of one column and makes them safe for one line:
// invalid UTF-8 and control characters become U+FFFD and spaces.
func cell(vs []string) string {
	s := strings.Join(vs, ",")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
