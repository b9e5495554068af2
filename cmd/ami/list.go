package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format"
)

func listCommand() *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "print the items of a list action (CoreShowChannels, Status, QueueStatus, ...)",
		ArgsUsage: "ACTION [Key=Value ...]",
		UsageText: `ami list [flags] ACTION [Key=Value | 'Key: Value' ...]`,
		Description: `Sends an action that answers with an event list and prints the items of the list: the
events between the starting response and the completion event (with --all, also that
response and the completion event). Items are printed as they arrive, so a list of any
length runs in constant memory (except -o table, which aligns columns over all rows).

An empty list prints nothing and exits 0. A list cut short (connection lost, or
EventList: Cancelled) prints what arrived, says on stderr how many of how many items
arrived, and exits 3. An error response exits 1 with its message. SIGINT/SIGTERM stop
cleanly: complete packets only, Logoff, exit 130.

EXAMPLES:
   ami list CoreShowChannels
   ami list CoreShowChannels -o table --fields Channel,ChannelStateDesc,Duration
   ami list Status -o json --fields Channel,State | jq .
   ami list QueueStatus Queue=support --all -o raw > queue.ami`,
		Flags: append(append(outputFlags(true),
			&cli.StringSliceFlag{Name: "fields", Aliases: []string{"f"}, Category: "Output",
				Usage: "print only these `KEYS`, in this order (comma-separated or repeated; text, json and table)"},
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Category: "Output",
				Usage: "also print the starting response and the completion event"},
		), connectionFlags()...),
		Action: runList,
	}
}

// errIdle is the cause of a list stopped because nothing arrived for the
// timeout.
var errIdle = errors.New("no data")

func runList(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("list: no ACTION (for example: ami list CoreShowChannels)")
	}
	action, err := parseActionArgs(c.Args().Slice())
	if err != nil {
		return usageError("list: %v", err)
	}
	if err := checkAction(action, "list"); err != nil {
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
	cl, err := s.dial(c.Context, "off")
	if err != nil {
		return err
	}
	defer s.logoff(c.Context, cl)
	name, _ := outputName(c) // checked by newOutput
	return streamList(c.Context, s, cl, action, out, c.Bool("all"), name == fmtTable, c.App.ErrWriter)
}

// streamList runs one list action and prints its items as they arrive.
// --timeout bounds the wait for the response and between two items, not
// the whole list.
func streamList(ctx context.Context, s connSettings, cl *amiwire.Client, action amiwire.Packet, out format.Writer, all, table bool, stderr io.Writer) error {
	name := action.Action()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(s.Timeout, func() { cancel(errIdle) })
	defer idle.Stop()

	// With --all the starting response comes first, but Stream returns it
	// at the end: hold the items until then. Without --all items go out
	// one by one and nothing accumulates; what was written is flushed as
	// soon as the list pauses (a table aligns over all rows, so it waits).
	var held []amiwire.Packet
	lw := newIdleFlusher(out, !all && !table)
	resp, err := cl.Stream(ctx, action, func(item amiwire.Packet) error {
		idle.Reset(s.Timeout)
		if all {
			held = append(held, item)
			return nil
		}
		return lw.write(item)
	})
	idle.Stop()
	if werr := lw.stop(); werr != nil {
		return werr // a closed stdout: run ends quietly
	}

	if all && resp != nil {
		if len(resp.Packet.Fields) > 0 {
			if werr := out.WritePacket(resp.Packet); werr != nil {
				return werr
			}
		}
		for _, ev := range held {
			if werr := out.WritePacket(ev); werr != nil {
				return werr
			}
		}
		held = nil
		if resp.Final != nil {
			if werr := out.WritePacket(*resp.Final); werr != nil {
				return werr
			}
		}
	}
	if ferr := out.Flush(); ferr != nil {
		return ferr
	}

	if err == nil {
		if resp != nil && amiwire.ListMarkOf(resp.Packet) != amiwire.ListStart && resp.Final == nil && len(resp.Events) == 0 && !all {
			// Not a list action: say so, and show the answer rather than
			// printing nothing.
			fmt.Fprintf(stderr, "ami: list %s: the response did not start an event list (use 'ami send' for other actions)\n", name)
			if werr := out.WritePacket(resp.Packet); werr != nil {
				return werr
			}
			return out.Flush()
		}
		return nil
	}

	var ile *amiwire.IncompleteListError
	var ae *amiwire.ActionError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.As(err, &ile):
		return &msgError{msg: fmt.Sprintf("list %s %s", name, incompleteText(ile)), err: err}
	case context.Cause(ctx) == errIdle:
		return exitWith(exitConn, fmt.Errorf("list %s: nothing arrived from %s for %v", name, s.Config.Addr, s.Timeout))
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitWith(exitInterrupted, fmt.Errorf("list %s: interrupted", name))
	}
	return fmt.Errorf("list %s: %w", name, err)
}

// flushDelay is how long a list may pause before what was written so far
// is flushed to stdout.
const flushDelay = 50 * time.Millisecond

// idleFlusher writes packets and flushes them once no packet has come for
// flushDelay, so `ami list ... | grep` sees items promptly while a burst is
// still written in large blocks.
type idleFlusher struct {
	mu     sync.Mutex
	out    format.Writer
	t      *time.Timer
	err    error
	closed bool // stop was called: the timer must not touch out any more
}

func newIdleFlusher(out format.Writer, enabled bool) *idleFlusher {
	f := &idleFlusher{out: out}
	if enabled {
		f.t = time.AfterFunc(time.Hour, f.flush)
		f.t.Stop()
	}
	return f
}

func (f *idleFlusher) write(p amiwire.Packet) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.err = f.out.WritePacket(p)
	if f.t != nil {
		f.t.Reset(flushDelay)
	}
	return f.err
}

func (f *idleFlusher) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil && !f.closed {
		f.err = f.out.Flush()
	}
}

// stop ends the background flushing and returns the first write error.
func (f *idleFlusher) stop() error {
	if f.t != nil {
		f.t.Stop()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return f.err
}
