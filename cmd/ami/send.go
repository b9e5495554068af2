package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
	"github.com/ami-cli/ami/cmd/ami/internal/size"
	"github.com/ami-cli/ami/format"
)

func sendCommand() *cli.Command {
	return &cli.Command{
		Name:      "send",
		Usage:     "send actions and print their responses (and list events)",
		ArgsUsage: "ACTION [Key=Value | 'Key: Value' ...]",
		UsageText: `ami send [flags] ACTION [Key=Value | 'Key: Value' ...]
ami send [flags] Action=ACTION [Key=Value ...]
ami send [flags] < actions.txt          (AMI text, JSON lines or a JSON array on stdin)`,
		Description: `Sends one action built from the arguments, or every action read from stdin when no
ACTION is given and stdin is not a terminal, and prints each response, and for actions
that answer with an event list, every event of the list and its final event.

Repeated keys are sent in order (Variable=a=1 Variable=b=2). An ActionID is added when
absent and kept when given. Actions from stdin are AMI text (Key: Value lines, an empty
line between actions, LF or CRLF), JSON objects ({"Action":"Ping","Variable":["a=1"]},
one per line by convention) or JSON arrays of them (what jq -s makes), detected
automatically. They are sent pipelined over one login, and their results print in
input order.

Stdin that is all there when ami starts (a file, a here-doc, a pipe whose writer has
finished) is checked whole before anything is sent. A pipe that is still being written
(a slow producer, a coprocess) is read as it comes: each action is sent as soon as it
is complete (at the empty line after AMI text, at the closing brace of a JSON object),
and each result printed as soon as it arrives. A bad action there ends the batch: the
results of the actions before it are printed, Logoff is sent, exit 2.

A value containing CR or LF (header injection), more than 128 headers (counting the
ActionID ami adds) or a line over 1024 bytes is refused with exit 2, and the actions after
it are not sent. Exit 1 when any response is Response: Error (all responses are still
printed).

Lists are read as 'ami list' reads them (see 'ami list --help'): while events are off
(the default; a stdin action "Action: Events" with "EventMask: on" turns them on for the
actions after it), events without ActionID that arrive during a list are its items.
With events on they cannot be told from async events and are not printed. A list whose
completion event announces a ListItems count other than the items received is printed
and reported on stderr ("send CoreShowChannels: server said 3 items, received 2", with
events on adding that the missing items may have arrived as events): exit 3. Text that
is not a packet (old Asterisk answers Action: Queues with the CLI's text) is the answer
of the action waiting, printed as Output lines.

The events of a list are held until the list is complete, then printed: a list whose
items hold more than --buffer fails with exit 3 (use 'ami list', which streams). An
action with a Timeout header (milliseconds, as Originate has; Originate without one
waits up to 30s in Asterisk) is waited for that long plus --timeout.

EXAMPLES:
   ami send Ping
   ami send Originate Channel=PJSIP/100 Exten=200 Context=default \
       Priority=1 CallerID='"Ops" <100>' \
       Variable=CAMPAIGN=42 Variable=TRY=1
   ami send -o json Action=CoreStatus
   printf 'Action: Ping\n\nAction: CoreSettings\n\n' | ami send
   echo '{"Action":"Setvar","Variable":"FOO","Value":"1"}' |
       ami send -o json
   jq -s . actions.jsonl | ami send -o json
   # every action of the file to every host of the fleet file:
   ami --hosts-file fleet send -o json < actions.txt
   # one Ping now, one in 5 s:
   (echo '{"Action":"Ping"}'; sleep 5; echo '{"Action":"Ping"}') |
       ami send`,
		Flags: append(append(outputFlags(false),
			bufferFlag("hold up to `SIZE` of list events (like 512KiB, 64MiB, 1G); a bigger list fails")),
			connectionFlags()...),
		Action: runSend,
	}
}

// sendItem is one action to send and where it came from.
type sendItem struct {
	action amiwire.Packet
	where  string
}

func runSend(c *cli.Context) error {
	many := manyHosts(c)
	if c.NArg() == 0 {
		in := c.App.Reader
		if f, ok := in.(*os.File); in == nil || ok && isTerminal(f) {
			return usageError("send: no ACTION: give one as an argument, or pipe actions into stdin (see 'ami send --help')")
		}
		if many && flagString(c, "hosts-file") == "-" {
			return usageError("send: stdin holds either the actions or the hosts (--hosts-file -), not both")
		}
		// With several hosts every action goes to each: stdin is read
		// whole first.
		if !many && !stdinComplete(in) {
			return runSendStream(c, in)
		}
	}
	items, err := sendInput(c)
	if err != nil {
		return err
	}
	limit, err := bufferOf(c)
	if err != nil {
		return err
	}
	if many {
		if err := refuseRaw(c, 2); err != nil {
			return err
		}
	}
	out, err := newOutput(c, c.App.Writer)
	if err != nil {
		return err
	}
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return err
	}
	if len(ts) > 1 {
		return runFleet(c, ts, fleetOpts{ordered: true}, func(ctx context.Context, i int, t target, loggedIn func(), stdout, _ io.Writer) error {
			out, err := hostOutput(c, stdout, t.name, nil)
			if err != nil {
				return err
			}
			return sendOn(ctx, t.s, items, out, limit, loggedIn)
		})
	}
	return sendOn(c.Context, ts[0].s, items, out, limit, func() {})
}

// sendOn sends the actions of items to the host of s and prints their
// results to out; loggedIn is called once the login has succeeded.
func sendOn(ctx context.Context, s connSettings, items []sendItem, out format.Writer, limit int, loggedIn func()) error {
	s.Config.EventBuffer = limit
	actions := make([]amiwire.Packet, len(items))
	for i, it := range items {
		actions[i] = it.action
	}
	cl, pend, err := s.dialSend(ctx, "off", actions, true)
	if errors.Is(err, amiwire.ErrPipelineTooBig) {
		if cl, err = s.dial(ctx, "off"); err != nil {
			return err
		}
		loggedIn()
		defer s.logoff(ctx, cl)
		pend, sendErr := sendAll(ctx, s, cl, items)
		return printResults(ctx, s, items, pend, sendErr, out)
	}
	if err != nil {
		return err
	}
	loggedIn()
	defer s.logoff(ctx, cl)
	return printResults(ctx, s, items, pend, nil, out)
}

// sendInput returns the actions to send, from the arguments or from a
// stdin that is complete (stdinComplete), all checked. Nothing has been
// sent yet.
func sendInput(c *cli.Context) ([]sendItem, error) {
	if c.NArg() > 0 {
		p, err := actions.FromArgs(c.Args().Slice())
		if err != nil {
			return nil, usageError("send: %v", err)
		}
		if err := checkAction(p, "send"); err != nil {
			return nil, err
		}
		return []sendItem{{action: p, where: "send"}}, nil
	}
	acts, err := readActions(c.App.Reader)
	if err != nil {
		return nil, usageError("send: %v", err)
	}
	if len(acts) == 0 {
		return nil, usageError("send: %v", errNoStdinActions)
	}
	items := make([]sendItem, len(acts))
	for i, a := range acts {
		where := stdinWhere(a)
		if err := checkAction(a.Packet, where); err != nil {
			return nil, err
		}
		items[i] = sendItem{action: a.Packet, where: where}
	}
	return items, nil
}

// sendAll sends every action at once (pipelined) on a client that is
// logged in, and the Logoff right behind them: for actions too long to go
// with the Login (dialSend), the login, the actions and the goodbye cost
// two round trips, not three. It returns the Pendings of the actions
// written; when a write failed, the error is that of the next action,
// items[len(pend)].
func sendAll(ctx context.Context, s connSettings, cl *amiwire.Client, items []sendItem) ([]*amiwire.Pending, error) {
	pend := make([]*amiwire.Pending, 0, len(items))
	for _, it := range items {
		wctx, cancel := context.WithTimeout(ctx, s.Timeout)
		p, err := cl.Send(wctx, it.action)
		cancel()
		if err != nil {
			// The connection may have ended while earlier actions were
			// still being answered: collect those answers first, then
			// report this failure with how far the batch got.
			return pend, err
		}
		pend = append(pend, p)
	}
	// The server answers the actions first, then says Goodbye and closes.
	// A failed write shows in the answers still due.
	wctx, cancel := context.WithTimeout(ctx, s.Timeout)
	_, _ = cl.Send(wctx, amiwire.NewAction("Logoff"))
	cancel()
	return pend, nil
}

// printResults prints the results of the actions sent (pend, of the first
// items), in input order. sendErr is the failure to write the next one.
// The deferred logoff of runSend then waits for the Goodbye and the
// server's close. The error is the most serious of what happened: a lost
// connection or timeout over an action that failed.
func printResults(ctx context.Context, s connSettings, items []sendItem, pend []*amiwire.Pending, sendErr error, out format.Writer) error {
	t := &tally{s: s, out: out, total: len(items)}
	for i, p := range pend {
		if ok, err := t.result(ctx, items[i].action, p); err != nil {
			return err
		} else if !ok {
			break
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	var stopped error
	if sendErr != nil {
		stopped = sendError(items[len(pend)].action, sendErr, t.answered, len(items))
	}
	return t.outcome(stopped)
}

// tally prints the results of a batch in input order and keeps what
// decides the batch's outcome.
type tally struct {
	s        connSettings
	out      format.Writer
	total    int // actions in the batch; -1 for a stream, whose length is not known
	seen     int // results waited for
	answered int
	failed   []error
	// lists whose items were printed but whose ListItems count disagrees
	miscounted []error
	fatal      error // the connection was lost or timed out: the batch cannot go on
}

// result waits for the result of action (sent as p) and prints it. It
// returns false when the batch cannot go on (t.fatal says why), and the
// error of writing the output.
func (t *tally) result(ctx context.Context, action amiwire.Packet, p *amiwire.Pending) (bool, error) {
	t.seen++
	resp, err := waitResponse(ctx, t.s, p, action)
	if resp != nil {
		if werr := writeResponse(ctx, t.out, resp); werr != nil {
			if ctx.Err() != nil {
				return false, exitWith(exitInterrupted, fmt.Errorf("send %s: interrupted", action.Get("Action")))
			}
			return false, werr
		}
	}
	if err == nil {
		t.answered++
		return true, nil
	}
	var ae *amiwire.ActionError
	var lce *amiwire.IncompleteListError
	switch {
	case errors.As(err, &ae):
		t.answered++
		t.failed = append(t.failed, err)
		return true, nil
	case errors.As(err, &lce) && lce.Miscounted:
		// Its items are printed; the actions after it go on.
		t.answered++
		t.miscounted = append(t.miscounted, &msgError{msg: "send " + lce.Error(), err: err})
		return true, nil
	}
	t.fatal = describeWaitError(ctx, action, err, t.s, t.answered, t.total)
	return false, nil
}

// outcome returns the batch's error: a lost connection or timeout, else
// stopped (why the rest of the batch was not sent), else the lists
// miscounted, else the actions that failed.
func (t *tally) outcome(stopped error) error {
	switch {
	case t.fatal != nil:
		return t.fatal
	case stopped != nil:
		return stopped
	case len(t.miscounted) == 1:
		return t.miscounted[0]
	case len(t.miscounted) > 1:
		return exitWith(exitConn, fmt.Errorf("%d lists miscounted; the first: %w", len(t.miscounted), t.miscounted[0]))
	case len(t.failed) == 1:
		return t.failed[0]
	case len(t.failed) > 1:
		total := t.total
		if total < 0 {
			total = t.seen
		}
		return exitWith(exitActionError, fmt.Errorf("%d of %d actions failed; the first: %w", len(t.failed), total, t.failed[0]))
	}
	return nil
}

// progress says how far a batch of total actions got, for messages:
// " (2 of 4 actions answered)", nothing for a single action, and
// " (2 actions answered)" for a stream (total -1).
func progress(answered, total int) string {
	switch {
	case total > 1:
		return fmt.Sprintf(" (%d of %d actions answered)", answered, total)
	case total < 0:
		return fmt.Sprintf(" (%s answered)", plural(answered, "action"))
	}
	return ""
}

// plural renders "1 action", "2 actions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// sendError reports an action that could not be written, with the batch's
// progress. The client's error already begins with the action's name.
func sendError(action amiwire.Packet, err error, answered, total int) error {
	name := action.Get("Action")
	cause := strings.TrimPrefix(err.Error(), name+": ")
	return &msgError{msg: fmt.Sprintf("send %s%s: %s", name, progress(answered, total), cause), err: err}
}

// waitResponse waits for the response to action within the timeout, plus
// as long as the action itself lets the server take (its Timeout header).
func waitResponse(ctx context.Context, s connSettings, p *amiwire.Pending, action amiwire.Packet) (*amiwire.Response, error) {
	wctx, cancel := context.WithTimeout(ctx, s.Timeout+actions.Timeout(action))
	defer cancel()
	return p.Wait(wctx)
}

// describeWaitError turns a failure while waiting for a response into the
// error to report, naming the action and how far the batch got.
func describeWaitError(ctx context.Context, action amiwire.Packet, err error, s connSettings, answered, total int) error {
	name := action.Get("Action")
	progress := progress(answered, total)
	var ile *amiwire.IncompleteListError
	over := overflowed(err)
	switch {
	case over != nil:
		return exitWith(exitConn, fmt.Errorf("send %s: after %d events the list of %s held more than --buffer %s (send holds a list until it is complete)%s; use 'ami list %s' to stream it, or raise --buffer",
			name, over.Received, over.Action, size.Format(s.eventBuffer()), progress, over.Action))
	case errors.As(err, &ile) && !ile.Miscounted:
		return &msgError{msg: fmt.Sprintf("send %s: %s%s", name, incompleteText(ile), progress), err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return exitWith(exitConn, fmt.Errorf("send %s: no response within %v from %s%s", name, s.Timeout+actions.Timeout(action), s.Config.Addr, progress))
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitWith(exitInterrupted, fmt.Errorf("send %s: interrupted%s", name, progress))
	}
	return fmt.Errorf("send %s%s: %w", name, progress, err)
}

// writeResponse prints a response, the items of its list and the list's
// final event. A long list stops, between two packets, when ctx ends.
func writeResponse(ctx context.Context, out format.Writer, resp *amiwire.Response) error {
	if len(resp.Packet.Fields) > 0 {
		if err := out.WritePacket(resp.Packet); err != nil {
			return err
		}
	}
	for i, ev := range resp.Events {
		if i%stopEvery == stopEvery-1 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := out.WritePacket(ev); err != nil {
			return err
		}
	}
	if resp.Final != nil {
		if err := out.WritePacket(*resp.Final); err != nil {
			return err
		}
	}
	return nil
}

// incompleteText says how much of a cut-short list arrived:
// "incomplete: 3 of 6 items arrived (connection lost)".
func incompleteText(e *amiwire.IncompleteListError) string {
	of := "an unknown number of"
	if e.Expected >= 0 {
		of = fmt.Sprint(e.Expected)
	}
	why := "connection lost"
	if e.Cancelled {
		why = "cancelled by the server"
	}
	return fmt.Sprintf("incomplete: %d of %s items arrived (%s)", e.Received, of, why)
}
