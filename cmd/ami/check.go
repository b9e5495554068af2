package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
	"github.com/ami-cli/ami/cmd/ami/internal/check"
	"github.com/ami-cli/ami/cmd/ami/internal/fanin"
	"github.com/ami-cli/ami/cmd/ami/internal/match"
	"github.com/ami-cli/ami/format/nagios"
)

func checkCommand() *cli.Command {
	flags := append([]cli.Flag{
		choiceFlag(&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Category: "Output",
			Usage: "output `FORMAT`: text (Nagios plugin output) or json (one object per host)"}, "text", "json"),
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Category: "Output",
			Usage: "print nothing when every host is OK, and no line for a host that is"},
		&cli.StringFlag{Name: "label", Aliases: []string{"l"}, Category: "Check",
			Usage: "name the check `NAME` in its status line (default: the action)"},
		&cli.GenericFlag{Name: "where", Category: "Check", Value: &multiString{},
			Usage: "keep only the items with a header `KEY=GLOB` (repeatable: all must match; the glob is case-sensitive, * ? [a-z])"},
		&cli.StringFlag{Name: "warning", Aliases: []string{"w"}, Category: "Check",
			Usage: "WARNING when the number of items kept is outside `RANGE` (10, 10:, ~:10, 10:20, @10:20)"},
		&cli.StringFlag{Name: "critical", Aliases: []string{"c"}, Category: "Check",
			Usage: "CRITICAL when the number of items kept is outside `RANGE`"},
		&cli.GenericFlag{Name: "expect", Category: "Check", Value: &multiString{},
			Usage: "CRITICAL when an item kept lacks a header `KEY=GLOB` (repeatable), naming up to five such items"},
		&cli.GenericFlag{Name: "max", Category: "Check", Value: &multiString{},
			Usage: "judge the largest value of a header, in seconds or H:MM:SS, as `FIELD=WARN:CRIT` (seconds or durations: Duration=1h:2h)"},
	}, connectionFlags()...)
	return &cli.Command{
		Name:      "check",
		Usage:     "judge any list (or action) as a Nagios/Icinga check: count, expected values, longest durations",
		ArgsUsage: "ACTION [Key=Value ...]",
		UsageText: "ami check [flags] ACTION [Key=Value ...]",
		Description: `Sends ACTION (with events off), keeps the items of its list that match every
--where, judges them and prints the result in the Nagios plugin format:

   CoreShowChannels OK - 6 items | items=6;20;50

A reply that is not a list is one item. The state is the worst of:
   - the number of items kept, against --warning and --critical ranges:
     10 (more than 10), 10: (fewer than 10), ~:10, 10:20 (outside), @10:20 (inside);
   - --expect KEY=GLOB: CRITICAL when an item kept does not match, naming up to five;
   - --max FIELD=WARN:CRIT: the largest value of FIELD among the items kept (a
     number of seconds, or H:MM:SS as in CoreShowChannel's Duration), against
     thresholds in seconds or durations (3600, 1h); a FIELD that no item has is
     UNKNOWN (a typo).
Performance data gives the count and each --max: items=6;20;50 longest_Duration=3700s;3600;7200

Response: Error is CRITICAL with Asterisk's message, except the answers that mean an
empty list ("No active conferences." and its kin), which count zero items. A host that
cannot be reached, or refuses the login, is CRITICAL; UNKNOWN (3) is only for usage
errors. With several hosts (-H pbx1,pbx2:5039) the first line sums up the worst state,
a line per host follows, and every host's performance data ends the last line.
--timeout bounds the whole run, every host at once.

EXAMPLES:
   # too many channels: WARNING above 100, CRITICAL above 200
   ami check CoreShowChannels -w 100 -c 200 --label channels

   # a trunk not registered (PJSIP outbound registrations; the list
   # also holds AuthDetail items, which --where leaves out)
   ami check PJSIPShowRegistrationsOutbound \
       --where Event=OutboundRegistrationDetail \
       --expect Status=Registered

   # callers waiting too long in queue support (Wait is in seconds)
   ami check QueueStatus Queue=support --where Event=QueueEntry \
       --max Wait=1m:5m

   # calls longer than an hour, on two PBXs
   ami -H pbx1,pbx2 check CoreShowChannels --max Duration=1h:2h -q`,
		Flags:  flags,
		Action: runCheck,
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return unknown(c.App.Writer, fmt.Errorf("%v (see 'ami check --help')", err))
		},
	}
}

// checkRun is one ami check: the action and how its items are judged.
type checkRun struct {
	action amiwire.Packet
	label  string
	spec   check.Spec
	json   bool
	quiet  bool
}

// hostCheck is the outcome for one host; it is also the JSON object.
type hostCheck struct {
	state   nagios.State
	name    string
	perf    []nagios.Perf
	Host    string           `json:"host"`
	Status  string           `json:"status"`
	Code    int              `json:"code"`
	Label   string           `json:"label"`
	Action  string           `json:"action"`
	Text    string           `json:"text"`
	Items   int              `json:"items"`
	Total   int              `json:"total"`
	Failed  int              `json:"failed"`
	Failing []string         `json:"failing,omitempty"`
	Longest []checkedLongest `json:"longest,omitempty"`
	Stage   string           `json:"stage,omitempty"`
	Error   string           `json:"error,omitempty"`
}

// checkedLongest is one --max in the JSON object.
type checkedLongest struct {
	Field    string   `json:"field"`
	Seconds  *float64 `json:"seconds"` // null when no item has a number there
	Item     string   `json:"item,omitempty"`
	Warning  *float64 `json:"warning_seconds,omitempty"`
	Critical *float64 `json:"critical_seconds,omitempty"`
	Status   string   `json:"status"`
}

func runCheck(c *cli.Context) error {
	stdout := c.App.Writer
	ck, err := newCheckRun(c)
	if err != nil {
		return unknown(stdout, err)
	}
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return unknown(stdout, err)
	}
	parallel, err := parallelOf(c)
	if err != nil {
		return unknown(stdout, err)
	}

	// --timeout bounds the whole run, as for login-check.
	ctx, cancel := context.WithTimeout(c.Context, ts[0].s.Timeout)
	defer cancel()
	results := make([]hostCheck, len(ts))
	// A check holds its slot to the end: it is short, and --parallel bounds
	// the connections open at once.
	errs := fanin.Run(ctx, len(ts), parallel, func(ctx context.Context, i int, _ func()) error {
		results[i] = ck.run(ctx, ts[i])
		return nil
	})
	for i, err := range errs {
		if err != nil { // not started: the time was up
			results[i] = ck.failed(ck.result(ts[i]), ts[i].s, ctx.Err(), "")
		}
	}

	worst := nagios.OK
	for _, r := range results {
		worst = nagios.Worst(worst, r.state)
	}
	if ck.json {
		writeJSONLines(stdout, results, func(r hostCheck) bool { return !ck.quiet || r.state != nagios.OK })
	} else if !ck.quiet || worst != nagios.OK {
		ck.report(results).WriteTo(stdout)
	}
	if worst == nagios.OK {
		return nil
	}
	return exitWith(worst.ExitCode(), nil)
}

// writeJSONLines writes each of vs that keep says to, one JSON object a
// line, and stops at a closed stdout.
func writeJSONLines[T any](w io.Writer, vs []T, keep func(T) bool) {
	for _, v := range vs {
		if !keep(v) {
			continue
		}
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "%s\n", b); err != nil && errors.Is(err, syscall.EPIPE) {
			return
		}
	}
}

// newCheckRun reads the action and the flags of ami check.
func newCheckRun(c *cli.Context) (checkRun, error) {
	var ck checkRun
	if c.NArg() == 0 {
		return ck, errors.New("check: no ACTION (for example: ami check CoreShowChannels -c 100)")
	}
	action, err := actions.FromArgs(c.Args().Slice())
	if err != nil {
		return ck, fmt.Errorf("check: %v", err)
	}
	if err := checkAction(action, "check"); err != nil {
		return ck, err
	}
	ck.action = action
	ck.label = strings.TrimSpace(c.String("label"))
	if ck.label == "" {
		ck.label = action.Get("Action")
	}
	ck.quiet = c.Bool("quiet")
	switch strings.ToLower(c.String("output")) {
	case "text":
	case "json":
		ck.json = true
	default:
		return ck, fmt.Errorf("-o %q: check prints text or json", c.String("output"))
	}
	for _, name := range []string{"warning", "critical"} {
		v := c.String(name)
		if v == "" {
			continue
		}
		r, err := nagios.ParseRange(v)
		if err != nil {
			return ck, fmt.Errorf("--%s: %v", name, err)
		}
		if name == "warning" {
			ck.spec.Count.Warning = r
		} else {
			ck.spec.Count.Critical = r
		}
	}
	conds := func(flag string) ([]check.Cond, error) {
		var out []check.Cond
		for _, v := range c.Generic(flag).(*multiString).values {
			f, err := match.ParseField(v)
			if err != nil {
				return nil, fmt.Errorf("--%s %q: %v", flag, v, err)
			}
			out = append(out, check.Cond{Key: f.Key, Text: v, Match: f.MatchAny})
		}
		return out, nil
	}
	if ck.spec.Where, err = conds("where"); err != nil {
		return ck, err
	}
	if ck.spec.Expect, err = conds("expect"); err != nil {
		return ck, err
	}
	for _, v := range c.Generic("max").(*multiString).values {
		m, err := check.ParseMax(v)
		if err != nil {
			return ck, err
		}
		ck.spec.Max = append(ck.spec.Max, m)
	}
	return ck, nil
}

// run checks one host.
func (ck checkRun) run(ctx context.Context, t target) hostCheck {
	s := t.s
	r := ck.result(t)
	fail := func(err error, action string) hostCheck { return ck.failed(r, s, err, action) }
	cl, err := s.dial(ctx, "off")
	if err != nil {
		return fail(err, "")
	}
	defer s.logoff(ctx, cl)

	j := check.NewJudge(ck.spec)
	resp, err := cl.Stream(ctx, ck.action.Clone(), func(p amiwire.Packet) error {
		j.Add(p.Fields)
		return nil
	})
	var ae *amiwire.ActionError
	switch {
	case errors.As(err, &ae) && check.EmptyList(ae.Response):
		// Counts as a list with no items.
	case err != nil:
		return fail(err, ck.action.Get("Action"))
	case resp.List:
	case check.EmptyList(resp.Packet):
	default:
		j.Add(resp.Packet.Fields) // not a list: the reply is the one item
	}
	res := j.Result()
	r.Text, r.perf = res.Text, res.Perf
	r.Items, r.Total, r.Failed, r.Failing = res.Kept, res.Total, res.Failed, res.Failing
	for _, l := range res.Longest {
		cl := checkedLongest{Field: l.Max.Field, Status: l.State.String()}
		if l.Found {
			cl.Seconds, cl.Item = nagios.Float(l.Seconds), l.Item
		}
		if l.Max.Warn >= 0 {
			cl.Warning = nagios.Float(l.Max.Warn)
		}
		if l.Max.Crit >= 0 {
			cl.Critical = nagios.Float(l.Max.Crit)
		}
		r.Longest = append(r.Longest, cl)
	}
	return r.judged(res.State)
}

// result is the start of t's result: which host, which check.
func (ck checkRun) result(t target) hostCheck {
	name := t.name
	if name == "" {
		name = t.s.Config.Addr
	}
	return hostCheck{name: name, Host: name, Label: ck.label, Action: ck.action.Get("Action")}
}

// failed fills r for a host that could not be checked: CRITICAL, with
// the stage and a message naming it. action is "" while connecting and
// logging in.
func (ck checkRun) failed(r hostCheck, s connSettings, err error, action string) hostCheck {
	r.Stage, r.Error = classifyFailure(err, action, s.Timeout)
	r.Text = r.Error
	return r.judged(nagios.Critical)
}

// judged sets r's state, and its JSON status and code.
func (r hostCheck) judged(st nagios.State) hostCheck {
	r.state, r.Status, r.Code = st, st.String(), st.ExitCode()
	return r
}

// report is the plugin output: one host's status line, or for several
// the summary, a line per host and every host's performance data.
func (ck checkRun) report(results []hostCheck) nagios.Check {
	if len(results) == 1 {
		r := results[0]
		text := r.Text
		if r.Stage != "" {
			text = r.Host + " " + r.Error
		}
		return nagios.Check{Service: ck.label, State: r.state, Text: text, Perf: r.perf}
	}
	g := nagios.Group{Service: ck.label, Noun: "host", OnlyProblems: ck.quiet}
	for _, r := range results {
		g.Items = append(g.Items, nagios.Item{Name: r.name, State: r.state, Text: r.Text, Perf: r.perf})
	}
	return g.Check()
}
