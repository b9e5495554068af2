package check

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format/nagios"
)

// Judge takes a list's items one by one and judges them against a Spec.
// It keeps no item: only counts, the names of the first few items that
// fail --expect, and the largest value of each --max field.
type Judge struct {
	spec    Spec
	total   int
	kept    int
	failed  int
	failing []string
	longest []Longest
}

// Longest is the largest value of a --max field among the kept items.
type Longest struct {
	Max     Max
	Seconds float64 // 0 when no kept item has a number in the field
	Value   string  // the value as the item has it: "01:01:40", "3700"
	Item    string  // the item that has it ("" when none)
	Found   bool    // some kept item has a number in the field
	Present bool    // some kept item has the field at all
	State   nagios.State
}

// NewJudge returns a Judge for spec.
func NewJudge(spec Spec) *Judge {
	j := &Judge{spec: spec, longest: make([]Longest, len(spec.Max))}
	for i, m := range spec.Max {
		j.longest[i].Max = m
	}
	return j
}

// Add judges one item. fields may be reused by the caller once Add
// returns.
func (j *Judge) Add(fields []amiwire.Field) {
	j.total++
	for _, c := range j.spec.Where {
		if !c.Match(fields) {
			return
		}
	}
	j.kept++
	for _, c := range j.spec.Expect {
		if c.Match(fields) {
			continue
		}
		j.failed++
		if len(j.failing) < nagios.MaxNamed {
			v, ok := valueOf(fields, c.Key)
			if !ok {
				v = "none"
			} else if v == "" {
				v = `""`
			}
			j.failing = append(j.failing, fmt.Sprintf("%s (%s %s)", ItemName(fields), c.Key, v))
		}
		break
	}
	for i := range j.longest {
		l := &j.longest[i]
		v, ok := valueOf(fields, l.Max.Field)
		if !ok {
			continue
		}
		l.Present = true
		sec, ok := FieldSeconds(v)
		if !ok {
			continue
		}
		if !l.Found || sec > l.Seconds {
			l.Seconds, l.Item, l.Found = sec, strings.Clone(ItemName(fields)), true
			l.Value = strings.Clone(strings.TrimSpace(v))
		}
	}
}

// Result is a Judge's verdict.
type Result struct {
	State   nagios.State
	Total   int      // items in the list
	Kept    int      // items that pass every --where
	Failed  int      // kept items that fail an --expect
	Failing []string // the first of them (nagios.MaxNamed at most): "trunk1 (Status Rejected)"
	Longest []Longest
	Text    string        // the summary: "6 items, longest Duration 01:01:40 on PJSIP/100-00000001"
	Perf    []nagios.Perf // items=6;2;5 and longest_FIELD=3700s;3600;7200 per --max
}

// Result returns the verdict on the items added so far. Counting is
// judged by spec.Count, every item failing an --expect is CRITICAL, and
// each --max by its thresholds; the state is the worst of them. A --max
// field that no kept item has at all (a misspelt field, most likely) is
// UNKNOWN.
func (j *Judge) Result() Result {
	r := Result{Total: j.total, Kept: j.kept, Failed: j.failed, Failing: j.failing}
	countState := j.spec.Count.State(float64(j.kept))
	r.State = countState

	var text []string
	what := plural(j.kept, "item")
	if len(j.spec.Where) > 0 {
		what = fmt.Sprintf("%d of %s match --where", j.kept, plural(j.total, "item"))
	}
	switch countState {
	case nagios.Critical:
		what += fmt.Sprintf(" (critical range %s)", j.spec.Count.Critical)
	case nagios.Warning:
		what += fmt.Sprintf(" (warning range %s)", j.spec.Count.Warning)
	}
	text = append(text, what)
	r.Perf = append(r.Perf, nagios.Perf{Label: "items", Value: float64(j.kept),
		Warn: j.spec.Count.Warning, Crit: j.spec.Count.Critical})

	if j.failed > 0 {
		r.State = nagios.Worst(r.State, nagios.Critical)
		conds := make([]string, len(j.spec.Expect))
		for i, c := range j.spec.Expect {
			conds[i] = c.Text
		}
		s := fmt.Sprintf("%d of %d not %s: %s", j.failed, j.kept, strings.Join(conds, " and "), strings.Join(j.failing, ", "))
		if more := j.failed - len(j.failing); more > 0 {
			s += fmt.Sprintf(" and %d more", more)
		}
		text = append(text, s)
	}

	for i := range j.longest {
		l := &j.longest[i]
		th := l.Max.Thresholds()
		p := nagios.Perf{Label: "longest_" + l.Max.Field, Value: l.Seconds, Unit: "s", Warn: th.Warning, Crit: th.Critical}
		switch {
		case j.kept > 0 && !l.Present:
			l.State = nagios.Unknown
			text = append(text, fmt.Sprintf("no item has a field %s (--max)", l.Max.Field))
			p.Value = math.NaN()
		case !l.Found:
			l.State = nagios.OK
			if j.kept > 0 {
				text = append(text, fmt.Sprintf("no item has a number in %s", l.Max.Field))
			}
		default:
			l.State = th.State(l.Seconds)
			shown := l.Value
			if !strings.Contains(shown, ":") {
				shown = seconds(l.Seconds)
			}
			s := fmt.Sprintf("longest %s %s on %s", l.Max.Field, shown, l.Item)
			switch l.State {
			case nagios.Critical:
				s += fmt.Sprintf(" (critical %s)", seconds(l.Max.Crit))
			case nagios.Warning:
				s += fmt.Sprintf(" (warning %s)", seconds(l.Max.Warn))
			}
			text = append(text, s)
		}
		r.State = nagios.Worst(r.State, l.State)
		r.Perf = append(r.Perf, p)
	}
	r.Longest = j.longest
	r.Text = strings.Join(text, ", ")
	return r
}

// plural says "1 item" or "6 items".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
