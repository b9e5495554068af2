// Package doctor holds what `ami doctor` reports: the steps from the
// network to events, each OK, WARN, FAIL or NOTE with the manager.conf
// change that would fix it, what the user needs (--need), the exit code,
// and the text and JSON renderings. It does no network I/O: the command
// runs the steps and records them here.
package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format"
)

// Status is a step's verdict.
type Status string

// The verdicts of a step. NOTE is a capability missing that the user does
// not need (a read-only monitoring user cannot originate, and should not).
const (
	OK   Status = "OK"
	Warn Status = "WARN"
	Fail Status = "FAIL"
	Note Status = "NOTE"
)

// Exit codes of a Report.
const (
	ExitOK          = 0 // everything needed works
	ExitNeeded      = 1 // something needed is wrong (login refused, a permission missing)
	ExitUnreachable = 3 // no AMI server could be talked to: DNS, connect, TLS or banner failed
)

// Step is one line of the report.
type Step struct {
	Name   string `json:"step"`
	Status Status `json:"status"`
	Text   string `json:"text"`
	Fix    string `json:"fix,omitempty"` // the manager.conf change (or flag) that would fix it
}

// Needs says what the user is for (--need read,write,events).
type Needs struct {
	Read   bool // lists and status actions (CoreShowChannels, Status, QueueStatus)
	Write  bool // actions that change calls (Originate, Hangup, Command)
	Events bool // async events (ami listen)
}

// AllNeeds is --need's default: read, write and events.
var AllNeeds = Needs{Read: true, Write: true, Events: true}

// ParseNeeds reads --need: a comma list of read, write and events (any
// case); "all" is every one.
func ParseNeeds(s string) (Needs, error) {
	var n Needs
	for _, part := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "read":
			n.Read = true
		case "write":
			n.Write = true
		case "events":
			n.Events = true
		case "all":
			n = AllNeeds
		default:
			return n, fmt.Errorf("--need %q: want a comma list of read, write and events", s)
		}
	}
	return n, nil
}

// String lists the needs: "read, write, events".
func (n Needs) String() string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{n.Read, "read"}, {n.Write, "write"}, {n.Events, "events"}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, ", ")
}

// Missing is the verdict on a capability the user lacks: FAIL when it is
// needed, NOTE when it is not.
func Missing(needed bool) Status {
	if needed {
		return Fail
	}
	return Note
}

// Report is the whole diagnosis of one server.
type Report struct {
	Target string // user@host:port
	Needs  Needs
	Steps  []Step
	// Unreachable is set when no AMI conversation could start (DNS,
	// connect, TLS, banner): the exit code is then ExitUnreachable.
	Unreachable bool
}

// Add appends a step.
func (r *Report) Add(name string, st Status, text, fix string) {
	r.Steps = append(r.Steps, Step{Name: name, Status: st, Text: text, Fix: fix})
}

// ExitCode is ExitUnreachable when the server could not be talked to,
// ExitNeeded when a step failed, else ExitOK (WARN and NOTE pass).
func (r Report) ExitCode() int {
	if r.Unreachable {
		return ExitUnreachable
	}
	for _, s := range r.Steps {
		if s.Status == Fail {
			return ExitNeeded
		}
	}
	return ExitOK
}

// verdict is the report's one-word outcome.
func (r Report) verdict() string {
	switch r.ExitCode() {
	case ExitUnreachable:
		return "unreachable"
	case ExitNeeded:
		return "failed"
	}
	return "ok"
}

// WriteText writes a heading and one line per step, "STATUS  step  text",
// with a "fix:" line under each step that has one. Text from the server
// (a banner, a message) is shown with control characters escaped.
func (r Report) WriteText(w io.Writer) error {
	var b []byte
	b = fmt.Appendf(b, "ami doctor: %s (needs %s)\n", visible(r.Target), r.Needs)
	for _, s := range r.Steps {
		b = fmt.Appendf(b, "%-4s  %-8s %s\n", s.Status, s.Name, visible(s.Text))
		if s.Fix != "" {
			b = fmt.Appendf(b, "      %-8s fix: %s\n", "", visible(s.Fix))
		}
	}
	switch r.ExitCode() {
	case ExitUnreachable:
		b = append(b, "result: cannot talk to an AMI server there\n"...)
	case ExitNeeded:
		b = append(b, "result: something this user needs is wrong\n"...)
	default:
		b = append(b, "result: all that is needed works\n"...)
	}
	_, err := w.Write(b)
	return err
}

// visible escapes control characters and invalid UTF-8.
func visible(s string) string { return string(format.AppendVisible(nil, s, false)) }

// MarshalJSON renders the report as one object: target, needs, result
// (ok, failed, unreachable), exit code and steps.
func (r Report) MarshalJSON() ([]byte, error) {
	needs := []string{}
	if s := r.Needs.String(); s != "" {
		needs = strings.Split(s, ", ")
	}
	steps := r.Steps
	if steps == nil {
		steps = []Step{}
	}
	return json.Marshal(struct {
		Target string   `json:"target"`
		Needs  []string `json:"needs"`
		Result string   `json:"result"`
		Code   int      `json:"code"`
		Steps  []Step   `json:"steps"`
	}{r.Target, needs, r.verdict(), r.ExitCode(), steps})
}

// ErrNoList is returned by CountActions for a reply that is not a
// ListCommands answer.
var ErrNoList = errors.New("not a ListCommands answer")

// CountActions counts the actions a ListCommands answer lists: every
// header but Response, ActionID and Message, each "Name: synopsis (Priv:
// classes)". Asterisk lists only the actions the user may send.
func CountActions(p amiwire.Packet) (int, error) {
	if strings.EqualFold(p.Get("Response"), "Error") {
		return 0, fmt.Errorf("ListCommands: %s", p.Get("Message"))
	}
	n := 0
	for _, f := range p.Fields {
		switch strings.ToLower(f.Key) {
		case "response", "actionid", "message":
			continue
		}
		if !strings.Contains(f.Value, "(Priv:") {
			return 0, ErrNoList
		}
		n++
	}
	return n, nil
}
