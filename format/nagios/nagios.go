// Package nagios writes the output of a Nagios / Icinga plugin and reads its
// threshold ranges, as the monitoring-plugins development guidelines
// describe them.
//
// # Output
//
// A check prints its status line first: the service name, the state and a
// summary. Nagios shows that line as the status and mails it, so it always
// tells the worst state. Long-text lines follow, one per item checked:
//
//	AMI CRITICAL - 1 of 2 hosts down: pbx2:5038 connection refused
//	[OK] pbx1:5038 - Asterisk Call Manager/11.0.0, login 2.1 ms
//	[CRITICAL] pbx2:5038 - connection refused | 'pbx1:5038 connect'=0.0004s;;;0 ...
//
// Performance data of the check as a whole follows a "|" on the status line.
// That of the long-text lines (Check.LongPerf) follows a "|" at the end of
// the last long-text line, all on that one line: Nagios and Naemon take
// perfdata from the first "|" of the long text to the end of the output, and
// Icinga 2 from every line that holds "|" and "=", so perfdata on the last
// line is read by all three. Labels are quoted when they hold a space, "="
// or "'" (a "'" is doubled), values are plain decimals, and a value that is
// not a number is written as "U".
//
// Text that comes from elsewhere (a server's banner or error message, a
// host name) never breaks this format: a "|" becomes "¦" (U+00A6), line
// breaks and other control characters become spaces, and invalid UTF-8
// becomes U+FFFD.
//
// # Thresholds
//
// Range is the monitoring-plugins range syntax (10, 10:, ~:10, 10:20,
// @10:20) and Thresholds a warning and a critical Range.
package nagios

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// State is a plugin's verdict. Its value is the plugin's exit code.
type State int

// The four plugin states.
const (
	OK       State = 0
	Warning  State = 1
	Critical State = 2
	Unknown  State = 3
)

// String returns the state's name as plugins print it: OK, WARNING,
// CRITICAL or UNKNOWN (also for a value out of range).
func (s State) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// ExitCode returns the exit status for s: 0 to 3 (3 for a value out of
// range).
func (s State) ExitCode() int {
	if s < OK || s > Unknown {
		return int(Unknown)
	}
	return int(s)
}

// severity orders states for "the worst wins": OK < UNKNOWN < WARNING <
// CRITICAL. A check that could not judge one item (UNKNOWN) is less urgent
// than one that found a problem.
func (s State) severity() int {
	switch s {
	case OK:
		return 0
	case Warning:
		return 2
	case Critical:
		return 3
	}
	return 1
}

// Worst returns the most severe of states (OK < UNKNOWN < WARNING <
// CRITICAL), OK for none.
func Worst(states ...State) State {
	w := OK
	for _, s := range states {
		if s.severity() > w.severity() {
			w = s
		}
	}
	return w
}

// Perf is one performance data value:
// 'label'=value[unit];[warn];[crit];[min];[max].
type Perf struct {
	Label string
	Value float64 // to 12 significant digits; NaN or an infinity is written as "U" (unknown)
	// Unit is the unit of measurement: "" (a count), s, ms, us, %, B, KB,
	// MB, TB or c (a counter). Only letters and "%" are written.
	Unit       string
	Warn, Crit Range    // written in the range syntax; the zero Range is empty
	Min, Max   *float64 // nil (or not finite): left empty
}

// Float returns a pointer to v, for Perf.Min and Perf.Max.
func Float(v float64) *float64 { return &v }

// String returns p in the perfdata syntax, trailing empty fields left out.
func (p Perf) String() string { return string(p.appendTo(nil)) }

func (p Perf) appendTo(b []byte) []byte {
	b = appendLabel(b, p.Label)
	b = append(b, '=')
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		b = append(b, 'U')
	} else {
		b = append(b, measure(p.Value)...)
		for _, r := range p.Unit {
			if r == '%' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				b = utf8.AppendRune(b, r)
			}
		}
	}
	opt := [4]string{p.Warn.String(), p.Crit.String(), limit(p.Min), limit(p.Max)}
	n := len(opt)
	for n > 0 && opt[n-1] == "" {
		n--
	}
	for _, s := range opt[:n] {
		b = append(b, ';')
		b = append(b, s...)
	}
	return b
}

func limit(v *float64) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return ""
	}
	return measure(*v)
}

// measure formats a measured value in plain decimal, to 12 significant
// digits: enough for any clock or counter, and short for the sums and
// quotients that float arithmetic leaves a trailing ...0000003 on.
func measure(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		r = v
	}
	return number(r)
}

// appendLabel appends a perfdata label, sanitised like text, quoted when
// it holds a space, "=" or "'" (a "'" doubled inside the quotes). An empty
// label is written as "_" so the pair still parses.
func appendLabel(b []byte, label string) []byte {
	label = Sanitize(label)
	if label == "" {
		label = "_"
	}
	if !strings.ContainsAny(label, " ='") {
		return append(b, label...)
	}
	b = append(b, '\'')
	for i := 0; i < len(label); i++ {
		if label[i] == '\'' {
			b = append(b, '\'')
		}
		b = append(b, label[i])
	}
	return append(b, '\'')
}

// Check is the whole output of one plugin run.
type Check struct {
	Service  string // the name before the state: "AMI"
	State    State
	Text     string   // the summary after "STATE - " (may be empty)
	Perf     []Perf   // perfdata on the status line
	Long     []string // long-text lines, after the status line
	LongPerf []Perf   // perfdata at the end of the last long-text line (the status line when there is none)
}

// String returns the output, each line ended by "\n".
func (c Check) String() string { return string(c.appendTo(nil)) }

// WriteTo writes the output to w in one Write.
func (c Check) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(c.appendTo(nil))
	return int64(n), err
}

func (c Check) appendTo(b []byte) []byte {
	if s := Sanitize(c.Service); s != "" {
		b = append(b, s...)
		b = append(b, ' ')
	}
	b = append(b, c.State.String()...)
	if s := Sanitize(c.Text); s != "" {
		b = append(b, " - "...)
		b = append(b, s...)
	}
	first := c.Perf
	if len(c.Long) == 0 {
		first = append(first[:len(first):len(first)], c.LongPerf...)
	}
	b = appendPerf(b, first)
	for i, line := range c.Long {
		b = append(b, '\n')
		b = append(b, Sanitize(line)...)
		if i == len(c.Long)-1 {
			b = appendPerf(b, c.LongPerf)
		}
	}
	return append(b, '\n')
}

// appendPerf appends " | " and ps separated by spaces, or nothing for no
// ps.
func appendPerf(b []byte, ps []Perf) []byte {
	for i, p := range ps {
		if i == 0 {
			b = append(b, " | "...)
		} else {
			b = append(b, ' ')
		}
		b = p.appendTo(b)
	}
	return b
}

// Item is the result for one of several things a check looked at (a host,
// a queue, ...).
type Item struct {
	Name  string // what the user calls it: "pbx1:5038"
	State State
	Text  string // what was found, without the name: "connection refused"
	Perf  []Perf // labels are written prefixed with Name and a space
}

// MaxNamed is how many items not OK a Group's status line names; the
// long text lists them all.
const MaxNamed = 5

// Group makes one Check of several items' results: the worst state, a
// status line that counts and names the items not OK, worst first, and one
// long-text line per item in the order given:
//
//	AMI CRITICAL - 1 of 2 hosts down: pbx2:5038 connection refused
//	[OK] pbx1:5038 - Asterisk Call Manager/11.0.0, login 2.1 ms
//	[CRITICAL] pbx2:5038 - connection refused | 'pbx1:5038 connect'=...
type Group struct {
	Service string
	Noun    string // what an item is, singular: "host" ("hosts" for several)
	// Problem is the word for the items not OK in the status line
	// ("down"); "" means "not OK".
	Problem string
	Items   []Item
	// OnlyProblems leaves the long-text lines of OK items out (for -q);
	// their perfdata is still written.
	OnlyProblems bool
}

// Check returns the combined Check.
func (g Group) Check() Check {
	c := Check{Service: g.Service}
	var bad []Item
	for _, it := range g.Items {
		c.State = Worst(c.State, it.State)
		if it.State != OK {
			bad = append(bad, it)
		}
		for _, p := range it.Perf {
			p.Label = it.Name + " " + p.Label
			c.LongPerf = append(c.LongPerf, p)
		}
		if it.State == OK && g.OnlyProblems {
			continue
		}
		line := "[" + it.State.String() + "] " + it.Name
		if it.Text != "" {
			line += " - " + it.Text
		}
		c.Long = append(c.Long, line)
	}
	noun := g.Noun
	if len(g.Items) != 1 {
		noun += "s"
	}
	if len(bad) == 0 {
		c.Text = fmt.Sprintf("%d %s OK", len(g.Items), noun)
		return c
	}
	// Worst first; the order given among equals.
	slices.SortStableFunc(bad, func(a, b Item) int { return b.State.severity() - a.State.severity() })
	problem := g.Problem
	if problem == "" {
		problem = "not OK"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d %s %s: ", len(bad), len(g.Items), noun, problem)
	for i, it := range bad[:min(len(bad), MaxNamed)] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(it.Name)
		if it.Text != "" {
			b.WriteString(" " + it.Text)
		}
	}
	if n := len(bad) - MaxNamed; n > 0 {
		fmt.Fprintf(&b, "; and %d more", n)
	}
	c.Text = b.String()
	return c
}

// Sanitize makes s safe for one line of plugin output: "|" (which would
// start perfdata) becomes "¦", line breaks, tabs and other control
// characters (C0, DEL, C1, U+2028, U+2029) become spaces, invalid UTF-8
// becomes U+FFFD, and spaces at either end are trimmed.
func Sanitize(s string) string {
	clean := utf8.ValidString(s)
	for _, r := range s {
		if !clean || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return strings.TrimSpace(s)
	}
	var b bytes.Buffer
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r == '|':
			b.WriteRune('¦')
		case unsafeRune(r):
			b.WriteByte(' ')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return strings.TrimSpace(b.String())
}

// unsafeRune reports whether r must not appear as it is in plugin output.
func unsafeRune(r rune) bool {
	return r == '|' || r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029'
}
