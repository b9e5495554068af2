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
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
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
length runs in bounded memory: the items waiting for a slow stdout may hold up to
--buffer, then the list fails (exit 3) rather than hold more or stop reading (Asterisk
drops a client that stops reading). -o table and --all hold every item until the list is
complete: past --buffer they fail too; use -o json or -o text, which stream.

-o table leaves out the ActionID that ami chose and the Event column when every row has
the same event (--fields shows exactly the keys named). A --fields key that no item has
is named on stderr, with the closest key the items have ("did you mean Channel?").

A list starts with a response that has "EventList: start" or a Message saying that
something follows ("Channels will follow"; Asterisk 11 to 13 start QueueStatus, Status
and Agents lists with such a Message alone), and ends with its completion event. Items
are the events carrying the action's ActionID, and, since ami logs in with events off,
the events without ActionID that arrive while the list runs (chan_iax2's IAXpeers sends
its items so).

An empty list prints nothing and exits 0. A list cut short (connection lost, or
EventList: Cancelled) prints what arrived, says on stderr how many of how many items
arrived, and exits 3. A completion event whose ListItems count differs from the items
received prints them all, says so on stderr ("list CoreShowChannels: server said 3
items, received 2") and exits 3. An error response exits 1 with its message.
SIGINT/SIGTERM stop within a few dozen items: complete packets only, Logoff, exit 130
(a stdout that takes nothing for a second after the signal is given up on, and the last
item may be cut).

EXAMPLES:
   ami list CoreShowChannels
   ami list CoreShowChannels -o table \
       --fields Channel,ChannelStateDesc,Application,Duration
   ami list Status -o json --fields Channel,ChannelStateDesc,Seconds
   ami list QueueStatus Queue=support --all -o raw > queue.ami

   # on several hosts: a block per host in the order given, each item
   # led by "@host" (one table with a HOST column for -o table)
   ami --profile east,west list CoreShowChannels -o table`,
		Flags: append(append(outputFlags(true),
			&cli.StringSliceFlag{Name: "fields", Aliases: []string{"f"}, Category: "Output",
				Usage: "print only these `KEYS`, in this order (comma-separated or repeated; text, json and table)"},
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Category: "Output",
				Usage: "also print the starting response and the completion event"},
			bufferFlag("hold up to `SIZE` of items while stdout is slow, or of rows for -o table and --all (like 512KiB, 64MiB, 1G); past it the list fails"),
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
	action, err := actions.FromArgs(c.Args().Slice())
	if err != nil {
		return usageError("list: %v", err)
	}
	if err := checkAction(action, "list"); err != nil {
		return err
	}
	// The ActionID ami chooses tells the reader of a table nothing; one the
	// user chose is shown.
	var hide []string
	if action.Get("ActionID") == "" {
		hide = []string{"ActionID"}
	}
	out, err := newOutputHiding(c, c.App.Writer, hide)
	if err != nil {
		return err
	}
	limit, err := bufferOf(c)
	if err != nil {
		return err
	}
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return err
	}
	if len(ts) > 1 {
		return runListFleet(c, ts, action, hide, limit)
	}
	s := ts[0].s
	s.Config.Lend = true // items are lent until written, and parsed, if at all, as they are written
	s.Config.EventBuffer = limit
	handleSignals(c.Context) // a list streams: a Ctrl-C at any time stops it between items
	ctx := c.Context
	cl, err := s.dial(ctx, "off")
	if err != nil {
		return err
	}
	name, _ := outputName(c) // checked by newOutput
	all := c.Bool("all")

	// Stop on a signal, and when the connection ends because the items
	// waiting for stdout reached --buffer: the list has failed, and the
	// items in hand are not written either.
	sctx, stopList := context.WithCancelCause(ctx)
	defer stopList(nil)
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-cl.Done():
			if _, over := overflowText(cl.Err(), limit); !over {
				return // the list reports it once what arrived is written
			}
			stopList(cl.Err())
		}
		close(stop)
	}()
	var logoff sync.Once
	written := newOutputDone()
	return untilStopped(stop, written, func() error {
		err := streamList(sctx, s, cl, action, out, all, name, c.App.ErrWriter)
		written.close()
		warnMissingFields(c.App.ErrWriter, out)
		logoff.Do(func() { s.logoff(ctx, cl) })
		return err
	}, func() error {
		logoff.Do(func() { s.logoff(ctx, cl) })
		if text, over := overflowText(cl.Err(), limit); over {
			return exitWith(exitConn, fmt.Errorf("list %s: %s; stdout took nothing for %v since, so the last item may be cut short", action.Get("Action"), text, stopGrace))
		}
		return exitWith(exitInterrupted, fmt.Errorf("list %s: interrupted; stdout took nothing for %v since, so the last item may be cut short", action.Get("Action"), stopGrace))
	})
}

// warnMissingFields says on stderr which --fields no item had (a typo
// prints blank columns or empty objects otherwise), with the closest key
// the items did have.
func warnMissingFields(stderr io.Writer, out format.Writer) {
	fc, ok := out.(format.FieldChecker)
	if !ok {
		return
	}
	for _, m := range fc.MissingFields() {
		hint := ""
		if m.Closest != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", m.Closest)
		}
		fmt.Fprintf(stderr, "ami: --fields: no item has a field %q%s\n", m.Name, hint)
	}
}

// streamList runs one list action and prints its items as they arrive.
// --timeout bounds the wait for the response and between two items, not
// the whole list.
func streamList(ctx context.Context, s connSettings, cl *amiwire.Client, action amiwire.Packet, out format.Writer, all bool, outName string, stderr io.Writer) error {
	table := outName == fmtTable
	name := action.Get("Action")
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// With --all the starting response comes first, but Stream returns it
	// at the end: hold the items until then. Without --all items go out
	// one by one and nothing accumulates; what was written is flushed as
	// soon as the list pauses (a table aligns over all rows, so it waits).
	// Stream lends each item only until the callback returns
	// (Config.Lend): what is held (--all, and a table's rows) is cloned
	// first.
	var held []amiwire.Packet
	limit := s.eventBuffer()
	heldBytes, items := 0, 0
	lw := newListWatch(out, !all && !table, s.Timeout, func() { cancel(errIdle) })
	// Items may come with only their Event field parsed (Config.Lend):
	// they are written straight from their bytes when the writer can,
	// completed otherwise, not at all for raw output. What is held is
	// completed before it is cloned.
	scratch := make([]amiwire.Field, 0, 128)
	complete := func(p amiwire.Packet) amiwire.Packet { return p.Complete(scratch) }
	if !all && !table && outName != fmtRaw { // raw output needs the bytes only
		lw.complete = complete
	}
	lw.fromRaw, _ = out.(format.RawWriter)
	resp, err := cl.Stream(ctx, action, func(item amiwire.Packet) error {
		items++
		if all {
			lw.seen()
			p := complete(item).Clone()
			if heldBytes += heldSize(p); heldBytes > limit {
				return &errHeld{what: "--all holds every item until the list is complete", hint: "leave out --all to stream the items, or raise --buffer", limit: limit, items: items}
			}
			held = append(held, p)
			return nil
		}
		if table {
			// The table keeps the fields only: Raw is not copied.
			item = amiwire.Packet{Fields: complete(item).Fields}.Clone()
			if heldBytes += tableRowSize(item); heldBytes > limit {
				return &errHeld{what: "-o table holds every row to align the columns", hint: "use -o json or -o text, which stream, or raise --buffer", limit: limit, items: items}
			}
		}
		return lw.write(item)
	})
	if werr := lw.stop(); werr != nil {
		return werr // a closed stdout: run ends quietly
	}
	if eh := (*errHeld)(nil); errors.As(err, &eh) {
		// Half a table, or the items of --all without their
		// completion, would be a wrong answer: print none of it.
		return exitWith(exitConn, fmt.Errorf("list %s: %w", name, eh))
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
		if resp.Final != nil { // an event named ...Complete may come skimmed
			if werr := out.WritePacket(complete(*resp.Final)); werr != nil {
				return werr
			}
		}
	}
	if ferr := out.Flush(); ferr != nil {
		return ferr
	}

	if err == nil {
		if resp != nil && !resp.List && resp.Final == nil && len(resp.Events) == 0 && !all {
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
	if text, over := overflowText(err, limit); over {
		return exitWith(exitConn, fmt.Errorf("list %s: %s", name, text))
	}
	if text, over := overflowText(cl.Err(), limit); over { // it stopped the list (runList)
		return exitWith(exitConn, fmt.Errorf("list %s: %s", name, text))
	}
	switch {
	case errors.As(err, &ae):
		return err
	case errors.As(err, &ile) && ile.Miscounted:
		return &msgError{msg: "list " + ile.Error(), err: err}
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
// is flushed to stdout (give or take one more flushDelay).
const flushDelay = 50 * time.Millisecond

// listWatch writes the items of a list and does its timed work off the
// item path: it flushes stdout once the list pauses, so `ami list ... |
// grep` sees items promptly while a burst is still written in large
// blocks, and it calls onIdle once nothing has arrived for the timeout.
//
// An item only bumps a counter. One timer ticks every flushDelay (or a
// quarter of a shorter timeout) and compares the count with the previous
// tick's: resetting timers per item instead cost two timer operations and
// clock reads per item, about a tenth of the formatting goroutine's time
// on a 100,000-item list. So a pause is noticed within one tick, and the
// timeout fires within one tick after it is due.
type listWatch struct {
	mu      sync.Mutex
	out     format.Writer
	flushes bool          // flush on a pause (not for --all or a table)
	every   time.Duration // the tick
	timeout time.Duration
	onIdle  func()
	t       *time.Timer

	items  uint64        // items so far
	last   uint64        // items at the previous tick
	quiet  time.Duration // ticks without an item, in time
	dirty  bool          // written since the last flush
	err    error         // the first write or flush error
	closed bool          // stop was called: the timer must not touch out any more

	fromRaw  format.RawWriter                    // writes a skimmed item from its bytes, when it can
	complete func(amiwire.Packet) amiwire.Packet // parses a skimmed item; nil: not needed
}

func newListWatch(out format.Writer, flushes bool, timeout time.Duration, onIdle func()) *listWatch {
	w := &listWatch{out: out, flushes: flushes, timeout: timeout, onIdle: onIdle,
		every: max(min(flushDelay, timeout/4), time.Millisecond)}
	w.mu.Lock() // the first tick must not see a nil w.t
	defer w.mu.Unlock()
	w.t = time.AfterFunc(w.every, w.tick)
	return w
}

// write writes one item (and counts it).
func (w *listWatch) write(p amiwire.Packet) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.items++
	w.dirty = true
	if w.fromRaw != nil && p.Raw != nil {
		if ok, err := w.fromRaw.WriteRaw(p.Raw); ok {
			w.err = err
			return w.err
		}
	}
	if w.complete != nil {
		p = w.complete(p)
	}
	w.err = w.out.WritePacket(p)
	return w.err
}

// seen counts an item that is held, not written.
func (w *listWatch) seen() {
	w.mu.Lock()
	w.items++
	w.mu.Unlock()
}

func (w *listWatch) tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if w.items != w.last {
		w.last, w.quiet = w.items, 0
	} else {
		w.quiet += w.every
		if w.flushes && w.dirty && w.err == nil {
			w.err = w.out.Flush()
			w.dirty = false
		}
		if w.quiet >= w.timeout {
			w.onIdle()
			return // the list is over: no more ticks
		}
	}
	w.t.Reset(w.every)
}

// stop ends the ticking and returns the first write error.
func (w *listWatch) stop() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	w.t.Stop()
	return w.err
}
