package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/calls"
	"github.com/ami-cli/ami/cmd/ami/internal/backoff"
	"github.com/ami-cli/ami/cmd/ami/internal/match"
	"github.com/ami-cli/ami/format"
)

// callsEvents is the login Events header of a live calls or trace: the
// channel events (call) and Newexten, which says what a channel runs
// (dialplan; its VarSet flood is filtered out where the server lets ami).
const callsEvents = "call,dialplan"

// callsBuffer is the default --buffer of calls. A line per change is
// more to write than the events it comes from: under a flood the events
// wait, and with listen's 64MiB they took peak RSS past 40 MB; 8MiB keeps
// it near 20 MB and still absorbs what stdout takes a moment over.
const callsBuffer = "8MiB"

// callsExclude is the Filter that keeps VarSet, the bulk of the dialplan
// class, away from a live calls or trace.
const callsExclude = "!^Event: VarSet"

func callsCommand() *cli.Command {
	flags := append(connectionFlags(),
		choiceFlag(&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Category: "Output", DefaultText: "table on a terminal, else json",
			Usage: "output `FORMAT`: table, json, text or raw"}, fmtTable, fmtJSON, fmtText, fmtRaw),
		choiceFlag(&cli.StringFlag{Name: "color", Value: "auto", Category: "Output",
			Usage: "`WHEN` to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never"},
			"auto", "always", "never"),
		&cli.BoolFlag{Name: "once", Category: "Calls",
			Usage: "print the calls up now (from CoreShowChannels) and exit"},
		&cli.GenericFlag{Name: "where", Category: "Calls", Value: &multiString{},
			Usage: "keep only calls with a field `KEY=GLOB` (like Channel=PJSIP/100-*, State=bridged; repeatable: all of them)"},
		&cli.DurationFlag{Name: "interval", Category: "Calls", Value: time.Second,
			Usage: "redraw the table every `INTERVAL` (live table)"},
		&cli.BoolFlag{Name: "reconnect", Aliases: []string{"r"}, Category: "Flow",
			Usage: "when the connection is lost, connect again and rebuild the calls from a fresh snapshot"},
		&cli.StringFlag{Name: "buffer", Value: callsBuffer, Category: "Flow",
			Usage: "hold up to `SIZE` of events while the output is slow (like 512KiB, 64MiB); then stop reading"},
		&cli.DurationFlag{Name: "reconnect-min", Hidden: true, Value: backoffMin,
			Usage: "first reconnect delay (tests)"},
	)
	return &cli.Command{
		Name:      "calls",
		Usage:     "show the calls that are up, grouped by Linkedid",
		UsageText: "ami calls [--once] [--where KEY=GLOB ...] [flags]",
		Description: `Groups the channels that are up into calls (by Linkedid): each with its
start, age, state (ringing, up, bridged, ...), caller and callee, and its
channels with their states and applications.

--once prints a snapshot (CoreShowChannels) and exits: a table on a
terminal, one JSON object per call otherwise (-o json); a call's channels
are repeated keys, which JSON shows as arrays.

Without --once it takes the snapshot, then keeps it current from the call
events. On a terminal it redraws the table every --interval, like top (q or
Ctrl-C quits). Piped, it writes one line per change: "@change" is start,
update or end, "@reason" why (new, midcall, snapshot; hangup, lost, merged),
then the call; an ended call has its Duration and each channel's Cause.
With --reconnect the calls are rebuilt from a fresh snapshot after a lost
connection: calls that ended meanwhile end with "@reason": "lost" and no
cause. Ended calls are forgotten: memory follows the calls that are up.

--where keeps calls with a field matching (the globs of listen --match;
all must hold). A call once shown stays shown until it ends.
The user needs read = call (and dialplan, for the applications), and
write = system or reporting for the CoreShowChannels snapshot.

EXAMPLES:
   # what is up now, as a table:
   ami calls --once

   # as JSON, one call per line, for jq:
   ami calls --once -o json | jq -r '.Linkedid + " " + .State'

   # every start and end of a call of PJSIP/100, as it happens:
   ami calls --where 'Channel=PJSIP/100-*' -o json |
       jq -c 'select(."@change" != "update")'

   # the calls of two PBXs, each led by its "@host" (a HOST column):
   ami -H pbx1,pbx2 calls --once

   # try it without Asterisk:
   ami --mock calls --once`,
		Flags:  flags,
		Action: runCalls,
	}
}

// callsOptions are the parsed calls flags.
type callsOptions struct {
	once       bool
	where      []match.Field
	interval   time.Duration
	reconnect  bool
	buffer     int
	backoffMin time.Duration
}

func callsOptionsFrom(c *cli.Context) (callsOptions, error) {
	var o callsOptions
	if c.NArg() > 0 {
		return o, usageError("calls: unexpected argument %q (filters are flags: --where KEY=GLOB)", c.Args().First())
	}
	o.once = c.Bool("once")
	where, err := whereFields(c)
	if err != nil {
		return o, err
	}
	o.where = where
	if o.interval = c.Duration("interval"); o.interval <= 0 {
		return o, usageError("--interval %v: want a positive interval", o.interval)
	}
	o.reconnect = c.Bool("reconnect")
	if o.buffer, err = bufferOf(c); err != nil {
		return o, err
	}
	if o.backoffMin = c.Duration("reconnect-min"); o.backoffMin <= 0 {
		o.backoffMin = backoffMin
	}
	return o, nil
}

// whereFields parses --where.
func whereFields(c *cli.Context) ([]match.Field, error) {
	var out []match.Field
	for _, v := range c.Generic("where").(*multiString).values {
		f, err := match.ParseField(v)
		if err != nil {
			return nil, usageError("--where %q: %v", v, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// callsOutput returns -o's value: as given, else table on a terminal and
// json otherwise.
func callsOutput(c *cli.Context) (string, error) {
	if c.IsSet("output") {
		return choiceValue(c, "output")
	}
	if onTerminal(c.App.Writer) {
		return fmtTable, nil
	}
	return fmtJSON, nil
}

// newCallsOutput returns the writer for the calls output name.
func newCallsOutput(c *cli.Context, name string) (format.Writer, error) {
	color, err := useColor(c, c.App.Writer)
	if err != nil {
		return nil, err
	}
	opts := format.Options{Color: color, Escape: onTerminal(c.App.Writer)}
	w, err := format.New(name, c.App.Writer, opts)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return w, nil
}

func runCalls(c *cli.Context) error {
	o, err := callsOptionsFrom(c)
	if err != nil {
		return err
	}
	name, err := callsOutput(c)
	if err != nil {
		return err
	}
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return err
	}
	if len(ts) > 1 {
		return runCallsFleet(c, ts, o, name)
	}
	s := ts[0].s
	s.Config.EventBuffer = o.buffer
	if o.once {
		out, err := newCallsOutput(c, name)
		if err != nil {
			return err
		}
		return callsOnce(c.Context, s, o, name, out)
	}
	handleSignals(c.Context) // Ctrl-C is the normal end of a live calls: exit 0
	if os.Getenv("GOMEMLIMIT") == "" {
		// The events waiting (up to --buffer) are most of what a live
		// calls holds; past that the garbage collector works harder
		// rather than let the heap double. Against 1,000,000 call events
		// of ami mock --flood-calls peak RSS was 18-32 MB without a limit
		// and 17-23 MB with 20 MiB. It is a soft limit: with very many
		// calls up the collector runs more often, capped by the runtime.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(o.buffer) + 12<<20))
	}
	if name == fmtTable {
		return runCallsTable(c, s, o)
	}
	out, err := newCallsOutput(c, name)
	if err != nil {
		return err
	}
	w := &callsWatcher{opts: o, settings: s, out: out, stderr: c.App.ErrWriter, now: time.Now}
	ctx := c.Context
	if f, ok := c.App.Writer.(*os.File); ok {
		var stop func()
		ctx, stop = watchHangup(ctx, f)
		defer stop()
	}
	return w.run(ctx)
}

// callsConnect connects and logs in for calls (and trace): the one place
// that says how calls reaches a server. events is the login Events
// header; with events on, the VarSet flood is filtered out where the
// server allows it.
func callsConnect(ctx context.Context, s connSettings, events string) (*amiwire.Client, error) {
	cl, err := s.dial(ctx, events)
	if err != nil || events == "off" {
		return cl, err
	}
	actx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	_, err = cl.Do(actx, amiwire.NewAction("Filter", "Operation", "Add", "Filter", callsExclude))
	var ae *amiwire.ActionError
	if err != nil && !errors.As(err, &ae) { // refused (no write = system): filtered on this side
		cl.Close()
		return nil, err
	}
	return cl, nil
}

// takeSnapshot asks for CoreShowChannels and applies it to corr for host,
// calling emit with each change in order: those of the events that come
// while the list does, then the snapshot's.
func takeSnapshot(ctx context.Context, s connSettings, cl *amiwire.Client, corr *calls.Correlator, host string, emit func(calls.Change) error) error {
	corr.BeginSnapshot(host)
	items, err := readSnapshot(ctx, s, cl, func(p amiwire.Packet, at time.Time) error {
		// Older or newer than the snapshot: BeginSnapshot lets them
		// win over it.
		_, changes := corr.Feed(host, p, at)
		for _, ch := range changes {
			if err := emit(ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ch := range corr.Snapshot(host, items, time.Now()) {
		if err := emit(ch); err != nil {
			return err
		}
	}
	return nil
}

// readSnapshot sends CoreShowChannels and returns its items, parsed. The
// events that come while the list does are handed to feed (parsed, valid
// during the call) as they come, not left to queue behind the list: on a
// busy PBX the list's end may come after more events than the buffer
// holds.
func readSnapshot(ctx context.Context, s connSettings, cl *amiwire.Client, feed func(p amiwire.Packet, at time.Time) error) ([]amiwire.Packet, error) {
	pend, err := cl.Send(ctx, amiwire.NewAction("CoreShowChannels"))
	if err != nil {
		return nil, fmt.Errorf("CoreShowChannels: %w", err)
	}
	type answer struct {
		resp *amiwire.Response
		err  error
	}
	answered := make(chan answer, 1)
	ectx, stopEvents := context.WithCancel(ctx)
	defer stopEvents()
	go func() {
		actx, cancel := context.WithTimeout(ctx, s.Timeout)
		resp, err := pend.Wait(actx)
		cancel()
		answered <- answer{resp, err}
		stopEvents()
	}()
	scratch := make([]amiwire.Field, 0, 128) // Complete's, for each event in turn
	var batch []amiwire.Packet
	for {
		var nerr error
		batch, nerr = cl.NextEvents(ectx, batch[:0])
		now := time.Now()
		for i := range batch {
			p := batch[i].Complete(scratch)
			if err := feed(p, now); err != nil {
				stopEvents()
				<-answered
				return nil, err
			}
		}
		clear(batch)
		if nerr != nil {
			break // the list is in, or the connection ended (Wait says)
		}
	}
	a := <-answered
	if a.err != nil {
		var ae *amiwire.ActionError
		if errors.As(a.err, &ae) {
			// It names the action already.
			if strings.EqualFold(strings.TrimSpace(ae.Message), "Permission denied") {
				return nil, fmt.Errorf("%w (the AMI user needs write = system or reporting in manager.conf for CoreShowChannels, besides read = call)", a.err)
			}
			return nil, a.err
		}
		return nil, fmt.Errorf("CoreShowChannels: %w", a.err)
	}
	items := a.resp.Events
	for i := range items {
		items[i] = items[i].Complete(nil) // Config.Lend may skim list items too
	}
	return items, nil
}

// callsOnce prints the calls of one snapshot.
func callsOnce(ctx context.Context, s connSettings, o callsOptions, name string, out format.Writer) error {
	cl, err := callsConnect(ctx, s, "off")
	if err != nil {
		return err
	}
	defer s.logoff(ctx, cl)
	corr := calls.New()
	if err := takeSnapshot(ctx, s, cl, corr, "", func(calls.Change) error { return nil }); err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	now := time.Now()
	var fields []amiwire.Field
	for _, call := range corr.AppendCalls(nil) {
		fields = call.AppendFields(fields[:0])
		if !match.All(o.where, fields) {
			continue
		}
		if name == fmtTable {
			fields = callRow(fields[:0], call, now)
		}
		if err := out.WritePacket(amiwire.Packet{Fields: fields}); err != nil {
			return err
		}
	}
	return out.Flush()
}

// callRow appends the table row of a call to dst: one line per call, its
// channels joined in one cell.
func callRow(dst []amiwire.Field, call *calls.Call, now time.Time) []amiwire.Field {
	start, age := "", ""
	if !call.Start.IsZero() {
		start = call.Start.Local().Format("15:04:05")
		age = formatAge(now.Sub(call.Start))
	}
	var chans strings.Builder
	for _, ch := range call.Channels {
		if ch.Status != calls.ChannelLive {
			continue
		}
		if chans.Len() > 0 {
			chans.WriteString(", ")
		}
		chans.WriteString(ch.Name)
		chans.WriteString(" ")
		chans.WriteString(ch.StateDesc)
		if ch.Application != "" {
			chans.WriteString(" ")
			chans.WriteString(ch.Application)
		}
	}
	if call.Host != "" {
		dst = append(dst, amiwire.Field{Key: calls.KeyHost, Value: call.Host})
	}
	return append(dst,
		amiwire.Field{Key: "Linkedid", Value: call.Linkedid},
		amiwire.Field{Key: "Start", Value: start},
		amiwire.Field{Key: "Age", Value: age},
		amiwire.Field{Key: "State", Value: string(call.State())},
		amiwire.Field{Key: "Caller", Value: call.Caller().String()},
		amiwire.Field{Key: "Callee", Value: call.Callee().String()},
		amiwire.Field{Key: "Channels", Value: chans.String()},
	)
}

// formatAge renders how long a call has been up: "42s", "3m07s", "2h03m".
func formatAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
}

// callsWatcher runs a live, piped `ami calls`: one record per change.
type callsWatcher struct {
	opts     callsOptions
	settings connSettings
	out      format.Writer
	stderr   io.Writer
	now      func() time.Time

	view *callsView // the live table; nil: a line per change

	corr    *calls.Correlator
	shown   map[string]bool // with --where: the calls shown, by Linkedid
	fields  []amiwire.Field
	batch   []amiwire.Packet
	scratch []amiwire.Field // Complete's, for each event in turn
}

// run connects (again, with --reconnect) and writes the changes until
// stopped: ctx ending (Ctrl-C) is the normal end, exit 0.
func (w *callsWatcher) run(ctx context.Context) error {
	w.corr = calls.New()
	if len(w.opts.where) > 0 {
		w.shown = map[string]bool{}
	}
	w.settings.Config.Lend = true // Feed copies what it keeps; events are completed here, beside the read loop
	w.batch = make([]amiwire.Packet, 0, batchCap)
	w.scratch = make([]amiwire.Field, 0, 128)
	delays := backoff.Backoff{Min: w.opts.backoffMin, Max: backoffMax, Reset: backoffReset}
	connected := false
	for {
		cl, err := callsConnect(ctx, w.settings, callsEvents)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if !w.opts.reconnect || loginRefused(err) != nil {
				return err
			}
			delay := delays.Next()
			fmt.Fprintf(w.stderr, "ami: %s; retrying in %s\n", errorLine(err), backoff.Format(delay))
			if !backoff.Wait(ctx, delay) {
				return nil
			}
			continue
		}
		if connected {
			fmt.Fprintf(w.stderr, "ami: reconnected to %s; calls rebuilt from a fresh snapshot\n", w.settings.Display)
		}
		connected = true
		start := w.now()
		lost, err := w.session(ctx, cl)
		if !lost {
			if err != nil && isBrokenPipe(err) {
				return nil
			}
			return err
		}
		if !w.opts.reconnect {
			return exitWith(exitConn, fmt.Errorf("calls: connection to %s lost: %s", w.settings.Display, lostCause(err)))
		}
		delays.Lived(w.now().Sub(start))
		delay := delays.Next()
		fmt.Fprintf(w.stderr, "ami: connection lost (%s); reconnecting in %s\n", lostCause(err), backoff.Format(delay))
		if !backoff.Wait(ctx, delay) {
			return nil
		}
	}
}

// session writes the changes of one connection: the snapshot's, then
// the events'. lost reports that the connection ended (err its cause);
// otherwise calls should end with err.
func (w *callsWatcher) session(ctx context.Context, cl *amiwire.Client) (lost bool, err error) {
	defer func() {
		if lost {
			cl.Close()
			return
		}
		w.settings.logoff(context.WithoutCancel(ctx), cl)
	}()
	if err := takeSnapshot(ctx, w.settings, cl, w.corr, "", w.emit); err != nil {
		if ctx.Err() != nil {
			return false, nil
		}
		var ae *amiwire.ActionError
		if errors.As(err, &ae) || isBrokenPipe(err) {
			return false, fmt.Errorf("calls: %w", err)
		}
		return true, err
	}
	if err := w.flush(); err != nil {
		return false, w.writeErr(err)
	}
	for {
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if w.view != nil {
			wctx, cancel = context.WithDeadline(ctx, w.view.next)
		}
		batch, nerr := cl.NextEvents(wctx, w.batch[:0])
		cancel()
		now := w.now()
		for i := range batch {
			p := &batch[i]
			*p = p.Complete(w.scratch)
			_, changes := w.corr.Feed("", *p, now)
			for _, ch := range changes {
				if err := w.emit(ch); err != nil {
					return false, w.writeErr(err)
				}
			}
		}
		clear(batch)
		w.batch = batch[:0]
		if w.view != nil && w.view.due(now) || w.view == nil && cl.ConnState().EventsQueued == 0 {
			if err := w.flush(); err != nil {
				return false, w.writeErr(err)
			}
		}
		if nerr != nil {
			if ctx.Err() != nil {
				if w.view != nil {
					return false, nil
				}
				return false, w.writeErr(w.out.Flush())
			}
			if w.view != nil && errors.Is(nerr, context.DeadlineExceeded) {
				continue // time to redraw
			}
			return true, nerr
		}
	}
}

// flush writes out the changes written, or draws the live table.
func (w *callsWatcher) flush() error {
	if w.view != nil {
		return w.view.draw(w.corr, w.now(), w.settings.Display)
	}
	return w.out.Flush()
}

// emit writes one change, if --where lets it through (the live table
// draws the calls as they are instead).
func (w *callsWatcher) emit(ch calls.Change) error {
	if w.view != nil {
		return nil
	}
	w.fields = ch.AppendFields(w.fields[:0])
	if w.shown != nil {
		id := ch.Call.Linkedid
		if !w.shown[id] {
			if !match.All(w.opts.where, w.fields) {
				return nil
			}
			w.shown[id] = true
		}
		if ch.Kind == calls.End {
			delete(w.shown, id)
		}
	}
	return w.out.WritePacket(amiwire.Packet{Fields: w.fields})
}

// writeErr turns an output error into calls' result: nil for a closed
// stdout, an error naming the output otherwise.
func (w *callsWatcher) writeErr(err error) error {
	if err == nil || isBrokenPipe(err) {
		return nil
	}
	return fmt.Errorf("calls: write output: %w", err)
}

// runCallsTable is the live table: redrawn in place like top on a
// terminal (q or Ctrl-C quits and restores the screen), or written whole
// every --interval to a pipe or file.
func runCallsTable(c *cli.Context, s connSettings, o callsOptions) error {
	v := &callsView{out: c.App.Writer, where: o.where, interval: o.interval}
	ctx := c.Context
	if f, ok := c.App.Writer.(*os.File); ok && isTerminal(f) {
		v.tty = f
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		restore := v.enter(c.App.Reader, cancel)
		defer restore()
	}
	w := &callsWatcher{opts: o, settings: s, view: v, stderr: c.App.ErrWriter, now: time.Now}
	return w.run(ctx)
}

// ANSI sequences of the live table: the alternate screen (which the
// terminal puts back as it was on leaving), the cursor hidden, the screen
// cleared from the top, the rest of a line cleared.
const (
	ansiEnter     = "\x1b[?1049h\x1b[?25l"
	ansiLeave     = "\x1b[?25h\x1b[?1049l"
	ansiHome      = "\x1b[H"
	ansiClearLine = "\x1b[K"
	ansiClearDown = "\x1b[J"
)

// callsView draws the calls as a table every interval.
type callsView struct {
	out      io.Writer
	tty      *os.File // the terminal redrawn in place; nil: written whole each time
	where    []match.Field
	interval time.Duration

	next   time.Time // when the next drawing is due
	calls  []*calls.Call
	fields []amiwire.Field
	table  bytes.Buffer
	screen []byte
}

// enter switches the terminal to the alternate screen and, when in is a
// terminal too, reads its keys unbuffered: q (or Ctrl-C, which raw mode
// delivers as a byte) calls quit. The function returned puts the terminal
// back as it was.
func (v *callsView) enter(in io.Reader, quit func()) (restore func()) {
	_, _ = io.WriteString(v.out, ansiEnter)
	var state *term.State
	if f, ok := in.(*os.File); ok && isTerminal(f) {
		if st, err := term.MakeRaw(int(f.Fd())); err == nil {
			state = st
			go readKeys(f, quit)
		}
	}
	return func() {
		if state != nil {
			_ = term.Restore(int(in.(*os.File).Fd()), state)
		}
		_, _ = io.WriteString(v.out, ansiLeave)
	}
}

// readKeys calls quit when q, Q or Ctrl-C is typed, or when in ends.
func readKeys(in io.Reader, quit func()) {
	var b [16]byte
	for {
		n, err := in.Read(b[:])
		for _, k := range b[:n] {
			if k == 'q' || k == 'Q' || k == 3 {
				quit()
				return
			}
		}
		if err != nil {
			quit()
			return
		}
	}
}

// due reports whether a drawing is due at now.
func (v *callsView) due(now time.Time) bool { return !now.Before(v.next) }

// draw writes the calls of corr that --where keeps.
func (v *callsView) draw(corr *calls.Correlator, now time.Time, display string) error {
	v.next = now.Add(v.interval)
	v.table.Reset()
	tw, err := format.New(fmtTable, &v.table, format.Options{Escape: true})
	if err != nil {
		return err
	}
	v.calls = corr.AppendCalls(v.calls[:0])
	shown := 0
	for _, call := range v.calls {
		v.fields = call.AppendFields(v.fields[:0])
		if !match.All(v.where, v.fields) {
			continue
		}
		v.fields = callRow(v.fields[:0], call, now)
		if err := tw.WritePacket(amiwire.Packet{Fields: v.fields}); err != nil {
			return err
		}
		shown++
	}
	clear(v.calls)
	if err := tw.Flush(); err != nil {
		return err
	}
	head := fmt.Sprintf("ami calls: %d up on %s at %s", shown, display, now.Local().Format("15:04:05"))
	if v.tty == nil {
		v.screen = append(append(append(v.screen[:0], head...), '\n'), v.table.Bytes()...)
		v.screen = append(v.screen, '\n')
		_, err := v.out.Write(v.screen)
		return err
	}
	width, height, err := term.GetSize(int(v.tty.Fd()))
	if err != nil || width <= 0 || height <= 0 {
		width, height = 80, 24
	}
	v.screen = append(v.screen[:0], ansiHome...)
	v.screen = appendScreenLine(v.screen, head+"   (q quits)", width)
	lines := bytes.Split(bytes.TrimSuffix(v.table.Bytes(), []byte("\n")), []byte("\n"))
	for i, l := range lines {
		if shown == 0 {
			break
		}
		if i+2 >= height {
			v.screen = appendScreenLine(v.screen, fmt.Sprintf("... %d more", len(lines)-i), width)
			break
		}
		v.screen = appendScreenLine(v.screen, string(l), width)
	}
	v.screen = append(v.screen, ansiClearDown...)
	_, err = v.tty.Write(v.screen)
	return err
}

// appendScreenLine appends line cut to width columns, the rest of the
// terminal line cleared, and a CR LF (raw mode does not add the CR).
func appendScreenLine(dst []byte, line string, width int) []byte {
	cols := 0
	for i := range line { // by runes: the table escapes what is not printable
		if cols == width {
			line = line[:i]
			break
		}
		cols++
	}
	dst = append(dst, line...)
	dst = append(dst, ansiClearLine...)
	return append(dst, '\r', '\n')
}
