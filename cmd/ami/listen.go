package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/backoff"
	"github.com/ami-cli/ami/cmd/ami/internal/match"
	"github.com/ami-cli/ami/cmd/ami/internal/size"
	"github.com/ami-cli/ami/completion"
	"github.com/ami-cli/ami/format"
)

// Defaults of listen.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 30 * time.Second
	// backoffReset: a connection that lived this long resets the backoff.
	backoffReset = 10 * time.Second
	// dropReportEvery spaces the stderr reports of dropped events.
	dropReportEvery = time.Second
	// batchCap is the initial capacity of the event batch.
	batchCap = 1024
)

func listenCommand() *cli.Command {
	flags := append(connectionFlags(), outputFlags(false)...)
	flags = append(flags,
		&cli.StringFlag{Name: "classes", Category: "Events",
			Usage: "ask only for events of `CLASSES` (comma-separated: " + strings.Join(completion.Classes(), ",") + "); default all"},
		&cli.GenericFlag{Name: "event", Aliases: []string{"e"}, Category: "Events", Value: &multiString{},
			Usage: "print only events whose name matches `GLOB` (case-insensitive; repeatable: any of them)"},
		&cli.GenericFlag{Name: "match", Aliases: []string{"m"}, Category: "Events", Value: &multiString{},
			Usage: "print only events with a header `KEY=GLOB` (key case-insensitive; repeatable: all of them)"},
		&cli.GenericFlag{Name: "exclude", Aliases: []string{"x"}, Category: "Events", Value: &multiString{},
			Usage: "drop events with a header `KEY=GLOB` (repeatable: any of them)"},
		&cli.BoolFlag{Name: "server-filter", Category: "Events",
			Usage: "also send the filters to Asterisk (Filter action) so that it sends less"},
		&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Category: "Events",
			Usage: "stop after printing `N` events (0: no limit)"},
		&cli.DurationFlag{Name: "duration", Aliases: []string{"d"}, Category: "Events",
			Usage: "stop after `DURATION` (like 30s or 1h; 0: no limit)"},
		&cli.BoolFlag{Name: "timestamps", Aliases: []string{"t"}, Category: "Output",
			Usage: "add the time each event was received"},
		bufferFlag("hold up to `SIZE` of events while stdout is slow (like 512KiB, 64MiB, 1G)"),
		choiceFlag(&cli.StringFlag{Name: "overflow", Value: "block", Category: "Flow",
			Usage: "`WHAT` to do when the buffer is full: block (stop reading; Asterisk may disconnect) or drop (count on stderr)"},
			"block", "drop"),
		&cli.BoolFlag{Name: "reconnect", Aliases: []string{"r"}, Category: "Flow",
			Usage: "when the connection is lost, connect and log in again (capped, jittered backoff)"},
		&cli.DurationFlag{Name: "keepalive", Category: "Flow",
			Usage: "send Ping after `INTERVAL` without a packet from the server, to notice a dead peer (0: off)"},
		&cli.DurationFlag{Name: "reconnect-min", Hidden: true, Value: backoffMin,
			Usage: "first reconnect delay (tests)"},
	)
	return &cli.Command{
		Name:      "listen",
		Usage:     "print events as they arrive",
		UsageText: "ami listen [flags]",
		Description: `Logs in with events on and prints every asynchronous event as it arrives, in
the -o format (text, json or raw), until --count, --duration, SIGINT/SIGTERM
or a closed stdout (noticed at once, not at the next event: "ami listen
--event Rare | head -1" ends when head does). Output is flushed as soon as no more input is waiting,
so "ami listen | grep" shows each event at once, but batched during bursts.

--classes asks Asterisk for some event classes only (the class names of
manager.h). --event, --match and --exclude filter on this side; with
--server-filter they are also sent to Asterisk as Filter actions.
Patterns are shell globs (* ? [a-z]); * also matches "/".

A reader slower than Asterisk is absorbed by --buffer (Asterisk drops a
client that stops reading for 100 ms); when it is full, --overflow block
stops reading, --overflow drop drops events and counts them on stderr.
--reconnect keeps going across restarts of Asterisk; --keepalive notices a
silent dead peer. SIGINT/SIGTERM and --duration stop it within a few dozen
events however far behind stdout is (what is still queued is not printed;
what is printed is whole packets), log off and exit 0; a stdout that takes
nothing for a second after that is given up on (the last event may then be
cut, and stderr says so).

EXAMPLES:
   # everything, as JSON lines, into jq:
   ami listen -o json |
       jq -c 'select(.Event == "Hangup") | {Channel, Cause}'

   # only call events of PJSIP channels, ten of them:
   ami listen --classes call --event 'Dial*' --event Hangup \
       --match 'Channel=PJSIP/*' -n 10

   # keep a raw capture running across Asterisk restarts:
   ami listen --reconnect --keepalive 30s -o raw >> /var/log/ami.raw

   # two PBXs merged, each event led by "@host" (each host has its own
   # connection, --buffer and --reconnect; one down stops no other):
   ami -H pbx1,pbx2:5039 listen -o json --reconnect

   # try it without Asterisk:
   ami --mock listen --count 10 -o json`,
		Flags:  flags,
		Action: runListen,
	}
}

// listenOptions are the parsed listen flags.
type listenOptions struct {
	events       string // login Events header
	filter       match.Filter
	serverFilter []string // Filter action values
	count        int
	duration     time.Duration
	timestamps   bool
	buffer       int
	dropWhenFull bool
	reconnect    bool
	keepalive    time.Duration
	backoffMin   time.Duration
}

func listenOptionsFrom(c *cli.Context) (listenOptions, error) {
	var o listenOptions
	if c.NArg() > 0 {
		return o, usageError("listen: unexpected argument %q (filters are flags: --event, --match)", c.Args().First())
	}
	o.events = "on"
	if cl := strings.TrimSpace(c.String("classes")); cl != "" {
		var names []string
		for _, n := range strings.Split(cl, ",") {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" {
				continue
			}
			if !completion.IsClass(n) {
				return o, usageError("--classes: unknown event class %q (want some of %s)", n, strings.Join(completion.Classes(), ","))
			}
			names = append(names, n)
		}
		if len(names) == 0 {
			return o, usageError("--classes %q: no class named", cl)
		}
		o.events = strings.Join(names, ",")
	}
	for _, pat := range c.Generic("event").(*multiString).values {
		g, err := match.NewGlob(pat, true)
		if err != nil {
			return o, usageError("--event: %v", err)
		}
		o.filter.Events = append(o.filter.Events, g)
	}
	for _, v := range c.Generic("match").(*multiString).values {
		f, err := match.ParseField(v)
		if err != nil {
			return o, usageError("--match %q: %v", v, err)
		}
		o.filter.Match = append(o.filter.Match, f)
	}
	for _, v := range c.Generic("exclude").(*multiString).values {
		f, err := match.ParseField(v)
		if err != nil {
			return o, usageError("--exclude %q: %v", v, err)
		}
		o.filter.Exclude = append(o.filter.Exclude, f)
	}
	if c.Bool("server-filter") {
		o.serverFilter = o.filter.ServerFilters()
	}
	if o.count = c.Int("count"); o.count < 0 {
		return o, usageError("--count %d: want a number >= 0", o.count)
	}
	if o.duration = c.Duration("duration"); o.duration < 0 {
		return o, usageError("--duration %v: want a positive duration", o.duration)
	}
	o.timestamps = c.Bool("timestamps")
	n, err := bufferOf(c)
	if err != nil {
		return o, err
	}
	o.buffer = n
	overflow, err := choiceValue(c, "overflow")
	if err != nil {
		return o, err
	}
	if overflow == "drop" {
		o.dropWhenFull = true
	}
	o.reconnect = c.Bool("reconnect")
	if o.keepalive = c.Duration("keepalive"); o.keepalive < 0 {
		return o, usageError("--keepalive %v: want a positive interval", o.keepalive)
	}
	if o.backoffMin = c.Duration("reconnect-min"); o.backoffMin <= 0 {
		o.backoffMin = backoffMin
	}
	return o, nil
}

func runListen(c *cli.Context) error {
	opts, err := listenOptionsFrom(c)
	if err != nil {
		return err
	}
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return err
	}
	if len(ts) > 1 {
		return runListenFleet(c, ts, opts)
	}
	settings := ts[0].s
	settings.Config.EventBuffer = opts.buffer
	settings.Config.DropWhenFull = opts.dropWhenFull
	settings.Config.Lend = true // each batch is written before the next is taken; write parses what it needs
	w, err := newOutput(c, c.App.Writer)
	if err != nil {
		return err
	}
	name, _ := outputName(c) // checked by newOutput
	l := &listener{
		opts:       opts,
		settings:   settings,
		out:        w,
		stderr:     c.App.ErrWriter,
		now:        time.Now,
		needFields: name != fmtRaw,
		filterKeys: len(opts.filter.Match) > 0 || len(opts.filter.Exclude) > 0,
	}
	if opts.timestamps {
		l.stamp = newStamper(w)
	} else if rw, ok := w.(format.RawWriter); ok {
		l.fromRaw = rw
	}
	handleSignals(c.Context) // a signal is listen's normal end: exit 0, whenever it comes
	if !l.needFields && !l.filterKeys && l.stamp == nil {
		// The writing goroutine only copies bytes out: handing each batch
		// to another core then costs more than the copy (wake-ups across
		// cores, cold caches), and one P does both in turn; json and
		// text, whose writer has work to do, were faster with two (the
		// README's Performance section has the measurements).
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	ctx := c.Context
	if f, ok := c.App.Writer.(*os.File); ok {
		// `ami listen --event Rare | head -1`: stop when head has gone,
		// not at the next event, which may be hours away.
		var stop func()
		ctx, stop = watchHangup(ctx, f)
		defer stop()
	}
	if opts.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.duration)
		defer cancel()
	}
	l.outDone = newOutputDone()
	return untilStopped(ctx.Done(), l.outDone, func() error { return l.run(ctx) }, l.abandon)
}

// listener runs one `ami listen`.
type listener struct {
	opts     listenOptions
	settings connSettings
	out      format.Writer
	stamp    *stamper // nil without --timestamps
	stderr   io.Writer
	now      func() time.Time

	// Events may come with only their Event field parsed (Config.Lend):
	// they are completed, into scratch, when the filter (filterKeys) or
	// the output (needFields) looks at more, unless fromRaw can write the
	// event straight from its bytes.
	needFields bool
	filterKeys bool
	scratch    []amiwire.Field
	fromRaw    format.RawWriter // nil: raw output (needs no fields) or --timestamps

	// With several hosts: tried is called after the first dial, whatever
	// its outcome (it frees the host's --parallel slot); total counts the
	// events every host printed, for --count.
	tried func()
	total *atomic.Int64

	cur       atomic.Pointer[amiwire.Client] // the session's, for abandon
	outDone   *outputDone                    // closed once stdout is done with (nil in benchmarks)
	abandoned atomic.Bool                    // abandon has run: the writer is stuck, stderr is not its any more

	batch      []amiwire.Packet
	printed    int
	dropBase   uint64 // drops counted on earlier connections
	dropShown  uint64
	dropAt     time.Time
	filterWarn bool
}

// sessionEnd says why a session ended.
type sessionEnd int

const (
	endStop sessionEnd = iota // done: count, duration, signal, closed stdout
	endLost                   // the connection ended
)

// run connects (again and again with --reconnect) and prints events until
// there is a reason to stop: ctx ending is SIGINT, SIGTERM or --duration.
func (l *listener) run(ctx context.Context) error {
	defer l.doneWriting()
	l.batch = make([]amiwire.Packet, 0, batchCap)
	l.scratch = make([]amiwire.Field, 0, 128)
	// --keepalive: a Ping after that long without a word from the server,
	// answered within --timeout.
	l.settings.Config.KeepAlive = l.opts.keepalive
	l.settings.Config.KeepAliveTimeout = l.settings.Timeout
	delays := backoff.Backoff{Min: l.opts.backoffMin, Max: backoffMax, Reset: backoffReset}
	connected := false
	for {
		cl, err := l.settings.dial(ctx, l.opts.events)
		if l.tried != nil {
			l.tried()
		}
		if err != nil {
			if ctx.Err() != nil {
				return l.finish(nil)
			}
			if !l.opts.reconnect || loginRefused(err) != nil {
				return l.finish(err)
			}
			delay := delays.Next()
			fmt.Fprintf(l.stderr, "ami: %s; retrying in %s\n", errorLine(err), backoff.Format(delay))
			if !backoff.Wait(ctx, delay) {
				return l.finish(nil)
			}
			continue
		}
		if connected {
			fmt.Fprintf(l.stderr, "ami: reconnected to %s\n", l.settings.Display)
		}
		connected = true
		start := l.now()
		end, err := l.session(ctx, cl)
		if end == endStop {
			return l.finish(err)
		}
		if errors.Is(err, amiwire.ErrNoPong) {
			fmt.Fprintf(l.stderr, "ami: keepalive: no answer to Ping from %s within %s\n", l.settings.Display, l.settings.Timeout)
			err = closedByKeepalive{}
		}
		// The connection was lost.
		if !l.opts.reconnect {
			return l.finish(exitWith(exitConn, fmt.Errorf("listen: connection to %s lost: %s", l.settings.Display, lostCause(err))))
		}
		delays.Lived(l.now().Sub(start))
		delay := delays.Next()
		fmt.Fprintf(l.stderr, "ami: connection lost (%s); reconnecting in %s\n", lostCause(err), backoff.Format(delay))
		if !backoff.Wait(ctx, delay) {
			return l.finish(nil)
		}
	}
}

// abandon ends a listen whose writer is stuck on stdout after the stop:
// it logs the session off (Logoff is answered however full the queue, and
// leaves the batch being written valid) and says that the output may be
// cut.
func (l *listener) abandon() error {
	l.abandoned.Store(true)
	fmt.Fprintf(l.stderr, "ami: listen: stdout took nothing for %v after the stop; exiting (the last event may be cut short)\n", stopGrace)
	if cl := l.cur.Load(); cl != nil {
		l.settings.logoff(context.Background(), cl)
	}
	return nil
}

// doneWriting says that listen writes no more to stdout.
func (l *listener) doneWriting() {
	if l.outDone != nil {
		l.outDone.close()
	}
}

// finish reports the drops and returns err, or nil for a broken pipe.
func (l *listener) finish(err error) error {
	if l.dropBase > 0 && !l.abandoned.Load() {
		fmt.Fprintf(l.stderr, "ami: listen: %d events dropped in all (buffer of %s full; --overflow drop)\n",
			l.dropBase, size.Format(l.opts.buffer))
	}
	if err != nil && isBrokenPipe(err) {
		return nil
	}
	return err
}

// session prints the events of one connection. It returns endStop when
// listen should end (with the error to exit with, if any) and endLost with
// the cause when the connection ended.
func (l *listener) session(ctx context.Context, cl *amiwire.Client) (end sessionEnd, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		l.dropBase += cl.ConnState().EventsDropped
		if end == endStop {
			l.doneWriting()
			// Not bounded by --duration's deadline, which has passed.
			l.settings.logoff(context.WithoutCancel(ctx), cl)
		} else {
			cl.Close()
		}
	}()

	l.cur.Store(cl)
	if err := l.pushFilters(sctx, cl); err != nil {
		if ctx.Err() != nil {
			return endStop, nil
		}
		return endLost, err
	}
	for {
		batch, nerr := cl.NextEvents(ctx, l.batch[:0])
		done, werr := l.write(ctx, batch)
		clear(batch)
		l.batch = batch[:0]
		if werr != nil || done {
			if ferr := l.out.Flush(); werr == nil {
				werr = ferr
			}
			return endStop, l.writeErr(werr)
		}
		st := cl.ConnState()
		if st.EventsQueued == 0 {
			if err := l.out.Flush(); err != nil {
				return endStop, l.writeErr(err)
			}
		}
		l.reportDrops(st.EventsDropped)
		if nerr == nil {
			continue
		}
		if ctx.Err() != nil {
			// SIGINT, SIGTERM or --duration while waiting for events.
			return endStop, nil
		}
		return endLost, nerr
	}
}

// closedByKeepalive is how listen describes a connection that its
// keepalive ended, once it has said why on a line of its own: as the
// client's close, which it is.
type closedByKeepalive struct{}

func (closedByKeepalive) Error() string { return amiwire.ErrClosed.Error() + " by the client" }
func (closedByKeepalive) Unwrap() error { return amiwire.ErrClosed }

// stopEvery is how many events of a batch listen writes between two looks
// at whether it has been told to stop: a batch holds everything queued
// (up to --buffer), and a slow stdout takes a while to write it.
const stopEvery = 64

// write filters and writes a batch. done is true when --count is reached,
// or when ctx has ended (SIGINT, SIGTERM, --duration): then the rest of the
// batch is not written.
func (l *listener) write(ctx context.Context, batch []amiwire.Packet) (done bool, err error) {
	for i := range batch {
		if i%stopEvery == 0 && ctx.Err() != nil {
			return true, nil
		}
		p := &batch[i]
		// Completed fields are in l.scratch until the next event's, after
		// this one is written.
		completed := false
		if l.filterKeys {
			*p = p.Complete(l.scratch)
			completed = true
		}
		if !l.opts.filter.Pass(p) {
			continue
		}
		if l.total != nil && l.opts.count > 0 && l.total.Add(1) > int64(l.opts.count) {
			return true, nil // another host printed the last of --count
		}
		written := false
		if !completed && l.needFields {
			if l.fromRaw != nil && p.Raw != nil {
				written, err = l.fromRaw.WriteRaw(p.Raw)
			}
			if !written {
				*p = p.Complete(l.scratch)
			}
		}
		switch {
		case written:
		case l.stamp != nil:
			err = l.stamp.write(*p, l.now())
		default:
			err = l.out.WritePacket(*p)
		}
		if err != nil {
			return false, err
		}
		l.printed++
		if l.opts.count > 0 {
			if l.total != nil {
				if l.total.Load() >= int64(l.opts.count) {
					return true, nil
				}
			} else if l.printed >= l.opts.count {
				return true, nil
			}
		}
	}
	return false, nil
}

// writeErr turns an output error into listen's result: nil for a closed
// stdout (quiet exit 0), an error naming the output otherwise.
func (l *listener) writeErr(err error) error {
	if err == nil || isBrokenPipe(err) {
		return nil
	}
	return fmt.Errorf("listen: write output: %w", err)
}

// pushFilters sends the --server-filter Filter actions. A refused filter
// is reported once and filtering goes on on this side only.
func (l *listener) pushFilters(ctx context.Context, cl *amiwire.Client) error {
	for _, f := range l.opts.serverFilter {
		actx, cancel := context.WithTimeout(ctx, l.settings.Timeout)
		_, err := cl.Do(actx, amiwire.NewAction("Filter", "Operation", "Add", "Filter", f))
		cancel()
		var ae *amiwire.ActionError
		if errors.As(err, &ae) {
			if !l.filterWarn {
				l.filterWarn = true
				fmt.Fprintf(l.stderr, "ami: listen: the server refused a filter (%s); filtering on this side only\n", oneLine(ae.Message))
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// reportDrops says on stderr, at most once per second, how many events
// --overflow drop has dropped so far; dropped is the current connection's count.
func (l *listener) reportDrops(dropped uint64) {
	total := l.dropBase + dropped
	if total == l.dropShown {
		return
	}
	now := l.now()
	if now.Sub(l.dropAt) < dropReportEvery {
		return
	}
	l.dropAt = now
	fmt.Fprintf(l.stderr, "ami: listen: %d events dropped so far (output slower than the events; buffer of %s full)\n",
		total, size.Format(l.opts.buffer))
	l.dropShown = total
}

// lostCause renders why a connection ended, shortly.
func lostCause(err error) string {
	if err == nil {
		return "closed"
	}
	return describeCause(err)
}

// receivedAtKey is the header --timestamps adds in front of each event.
const receivedAtKey = "ReceivedAt"

// receivedAtLayout is its format: RFC 3339, microseconds, local zone.
const receivedAtLayout = "2006-01-02T15:04:05.000000Z07:00"

// stamper writes events with a ReceivedAt header in front, for every
// format: the header is the first field, and the first line of the raw
// bytes (so a raw capture stays replayable). Its buffers are reused.
type stamper struct {
	w      format.Writer
	fields []amiwire.Field
	raw    []byte
	ts     []byte
}

func newStamper(w format.Writer) *stamper { return &stamper{w: w} }

func (s *stamper) write(p amiwire.Packet, t time.Time) error {
	s.ts = t.AppendFormat(s.ts[:0], receivedAtLayout)
	ts := string(s.ts)
	s.fields = append(append(s.fields[:0], amiwire.Field{Key: receivedAtKey, Value: ts}), p.Fields...)
	q := amiwire.Packet{Fields: s.fields}
	if p.Raw != nil {
		s.raw = append(append(append(append(s.raw[:0], receivedAtKey...), ": "...), ts...), "\r\n"...)
		s.raw = append(s.raw, p.Raw...)
		q.Raw = s.raw
	}
	err := s.w.WritePacket(q)
	clear(s.fields)
	return err
}
