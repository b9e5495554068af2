package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format"
)

func sendCommand() *cli.Command {
	return &cli.Command{
		Name:      "send",
		Usage:     "send actions and print their responses (and list events)",
		ArgsUsage: "ACTION [Key=Value | 'Key: Value' ...]",
		UsageText: `ami send [flags] ACTION [Key=Value | 'Key: Value' ...]
ami send [flags] Action=ACTION [Key=Value ...]
ami send [flags] < actions.txt          (AMI text or JSON lines on stdin)`,
		Description: `Sends one action built from the arguments, or every action read from stdin when no
ACTION is given and stdin is not a terminal, and prints each response, and for actions
that answer with an event list, every event of the list and its final event.

Repeated keys are sent in order (Variable=a=1 Variable=b=2). An ActionID is added when
absent and kept when given. Actions from stdin are AMI text (Key: Value lines, an empty
line between actions, LF or CRLF) or JSON lines ({"Action":"Ping","Variable":["a=1"]}),
detected automatically; all of them are checked before anything is sent, then sent
pipelined over one login, and their results print in input order.

A value containing CR or LF (header injection), more than 128 headers (counting the
ActionID ami adds) or a line over 1024 bytes is refused with exit 2 and nothing is sent. Exit 1 when any response is
Response: Error (all responses are still printed).

Lists are read as 'ami list' reads them (see 'ami list --help'): while events are off
(the default; a stdin action "Action: Events" with "EventMask: on" turns them on for the
actions after it), events without ActionID that arrive during a list are its items.
With events on they cannot be told from async events and are not printed. A list whose
completion event announces a ListItems count other than the items received is printed
and reported on stderr ("send CoreShowChannels: server said 3 items, received 2", with
events on adding that the missing items may have arrived as events): exit 3. Text that
is not a packet (old Asterisk answers Action: Queues with the CLI's text) is the answer
of the action waiting, printed as Output lines.

EXAMPLES:
   ami send Ping
   ami send Originate Channel=PJSIP/100 Exten=200 Context=default Priority=1 \
       CallerID='"Ops" <100>' Variable=CAMPAIGN=42 Variable=TRY=1
   ami send -o json Action=CoreStatus
   printf 'Action: Ping\n\nAction: CoreSettings\n\n' | ami send
   echo '{"Action":"Setvar","Variable":"FOO","Value":"1"}' | ami send -o json`,
		Flags:  append(outputFlags(false), connectionFlags()...),
		Action: runSend,
	}
}

// sendItem is one action to send and where it came from.
type sendItem struct {
	action amiwire.Packet
	where  string
}

func runSend(c *cli.Context) error {
	items, err := sendInput(c)
	if err != nil {
		return err
	}
	out, err := newOutput(c, c.App.Writer)
	if err != nil {
		return err
	}
	s, err := connSettingsFrom(c)
	if err != nil {
		return err
	}
	ctx := c.Context
	actions := make([]amiwire.Packet, len(items))
	for i, it := range items {
		actions[i] = it.action
	}
	cl, pend, err := s.dialSend(ctx, "off", actions, true)
	if errors.Is(err, amiwire.ErrPipelineTooBig) {
		if cl, err = s.dial(ctx, "off"); err != nil {
			return err
		}
		defer s.logoff(ctx, cl)
		pend, sendErr := sendAll(ctx, s, cl, items)
		return printResults(ctx, s, items, pend, sendErr, out)
	}
	if err != nil {
		return err
	}
	defer s.logoff(ctx, cl)
	return printResults(ctx, s, items, pend, nil, out)
}

// sendInput returns the actions to send, from the arguments or stdin, all
// checked. Nothing has been sent yet.
func sendInput(c *cli.Context) ([]sendItem, error) {
	if c.NArg() > 0 {
		p, err := parseActionArgs(c.Args().Slice())
		if err != nil {
			return nil, usageError("send: %v", err)
		}
		if err := checkAction(p, "send"); err != nil {
			return nil, err
		}
		return []sendItem{{action: p, where: "send"}}, nil
	}
	in := c.App.Reader
	if f, ok := in.(*os.File); in == nil || ok && isTerminal(f) {
		return nil, usageError("send: no ACTION: give one as an argument, or pipe actions into stdin (see 'ami send --help')")
	}
	acts, err := readActions(in)
	if err != nil {
		return nil, usageError("send: %v", err)
	}
	if len(acts) == 0 {
		return nil, usageError("send: %v", errNoStdinActions)
	}
	items := make([]sendItem, len(acts))
	for i, a := range acts {
		where := fmt.Sprintf("send: stdin action %d (line %d)", i+1, a.Line)
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
	_, _ = cl.SendLogoff(wctx)
	cancel()
	return pend, nil
}

// printResults prints the results of the actions sent (pend, of the first
// items), in input order. sendErr is the failure to write the next one.
// The deferred logoff of runSend then waits for the Goodbye and the
// server's close. The error is the most serious of what happened: a lost
// connection or timeout over an action that failed.
func printResults(ctx context.Context, s connSettings, items []sendItem, pend []*amiwire.Pending, sendErr error, out format.Writer) error {
	var failed, miscounted []error
	var fatal error
	answered := 0
	for i, p := range pend {
		resp, err := waitResponse(ctx, s, p)
		if resp != nil {
			if werr := writeResponse(out, resp); werr != nil {
				return werr
			}
		}
		if err == nil {
			answered++
			continue
		}
		var ae *amiwire.ActionError
		var lce *amiwire.ListCountError
		switch {
		case errors.As(err, &ae):
			answered++
			failed = append(failed, err)
			continue
		case errors.As(err, &lce):
			// Its items are printed; the actions after it go on.
			answered++
			miscounted = append(miscounted, &msgError{msg: "send " + lce.Error(), err: err})
			continue
		}
		fatal = describeWaitError(items[i].action, err, s, answered, len(items))
		break
	}
	if err := out.Flush(); err != nil {
		return err
	}
	switch {
	case fatal != nil:
		return fatal
	case sendErr != nil:
		return sendError(items[len(pend)].action, sendErr, answered, len(items))
	case len(miscounted) == 1:
		return miscounted[0]
	case len(miscounted) > 1:
		return exitWith(exitConn, fmt.Errorf("%d lists miscounted; the first: %w", len(miscounted), miscounted[0]))
	case len(failed) == 1:
		return failed[0]
	case len(failed) > 1:
		return exitWith(exitActionError, fmt.Errorf("%d of %d actions failed; the first: %w", len(failed), len(items), failed[0]))
	}
	return nil
}

// sendError reports an action that could not be written, with the batch's
// progress. The client's error already begins with the action's name.
func sendError(action amiwire.Packet, err error, answered, total int) error {
	name := action.Action()
	progress := ""
	if total > 1 {
		progress = fmt.Sprintf(" (%d of %d actions answered)", answered, total)
	}
	cause := strings.TrimPrefix(err.Error(), name+": ")
	return &msgError{msg: fmt.Sprintf("send %s%s: %s", name, progress, cause), err: err}
}

// waitResponse waits for one response within the timeout.
func waitResponse(ctx context.Context, s connSettings, p *amiwire.Pending) (*amiwire.Response, error) {
	wctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	return p.Wait(wctx)
}

// describeWaitError turns a failure while waiting for a response into the
// error to report, naming the action and how far the batch got.
func describeWaitError(action amiwire.Packet, err error, s connSettings, answered, total int) error {
	name := action.Action()
	progress := ""
	if total > 1 {
		progress = fmt.Sprintf(" (%d of %d actions answered)", answered, total)
	}
	var ile *amiwire.IncompleteListError
	switch {
	case errors.As(err, &ile):
		return &msgError{msg: fmt.Sprintf("send %s: %s%s", name, incompleteText(ile), progress), err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return exitWith(exitConn, fmt.Errorf("send %s: no response within %v from %s%s", name, s.Timeout, s.Config.Addr, progress))
	}
	return fmt.Errorf("send %s%s: %w", name, progress, err)
}

// writeResponse prints a response, the items of its list and the list's
// final event.
func writeResponse(out format.Writer, resp *amiwire.Response) error {
	if len(resp.Packet.Fields) > 0 {
		if err := out.WritePacket(resp.Packet); err != nil {
			return err
		}
	}
	for _, ev := range resp.Events {
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
