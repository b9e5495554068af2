package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/calls"
	"github.com/ami-cli/ami/cmd/ami/internal/match"
	"github.com/ami-cli/ami/format"
)

// The many-host branches of the commands (see runFleet).

// runListFleet runs the list action on every host: one block of items per
// host, in the order given; -o table gathers every host's rows into one
// table with a HOST column.
func runListFleet(c *cli.Context, ts []target, action amiwire.Packet, hide []string, limit int) error {
	if err := refuseRaw(c, len(ts)); err != nil {
		return err
	}
	name, _ := outputName(c)
	all := c.Bool("all")
	var rows []heldRows
	if name == fmtTable {
		rows = make([]heldRows, len(ts))
	}
	job := func(ctx context.Context, i int, t target, loggedIn func(), stdout, stderr io.Writer) error {
		var out format.Writer
		if rows != nil {
			out = &rows[i]
		} else {
			w, err := hostOutput(c, stdout, t.name, hide)
			if err != nil {
				return err
			}
			out = w
		}
		s := t.s
		s.Config.Lend = true // items are lent until written
		s.Config.EventBuffer = limit
		cl, err := s.dial(ctx, "off")
		if err != nil {
			return err
		}
		loggedIn()
		defer s.logoff(ctx, cl)
		// The items waiting for stdout reached --buffer: the list has
		// failed (streamList says so).
		sctx, stop := context.WithCancelCause(ctx)
		defer stop(nil)
		go func() {
			select {
			case <-sctx.Done():
			case <-cl.Done():
				if _, over := overflowText(cl.Err(), limit); over {
					stop(cl.Err())
				}
			}
		}()
		err = streamList(sctx, s, cl, action, out, all, name, stderr)
		warnMissingFields(stderr, out)
		return err
	}
	var finish func() error
	if rows != nil {
		finish = func() error {
			table, err := newOutputHiding(c, c.App.Writer, hide)
			if err != nil {
				return err
			}
			ls, _ := table.(format.LeadSetter)
			for i := range rows {
				if ls != nil {
					ls.SetLead([]amiwire.Field{{Key: tableHostKey, Value: ts[i].name}})
				}
				for _, p := range rows[i].ps {
					if err := table.WritePacket(p); err != nil {
						return err
					}
				}
			}
			err = table.Flush()
			warnMissingFields(c.App.ErrWriter, table)
			return err
		}
	}
	return runFleet(c, ts, fleetOpts{ordered: true, finish: finish}, job)
}

// heldRows keeps the rows of one host's table until every host is done.
// The packets are those streamList hands a table, which may be kept.
type heldRows struct{ ps []amiwire.Packet }

func (h *heldRows) WritePacket(p amiwire.Packet) error {
	h.ps = append(h.ps, amiwire.Packet{Fields: append([]amiwire.Field(nil), p.Fields...)})
	return nil
}

func (h *heldRows) Flush() error { return nil }

// runCommandFleet runs the CLI command on every host: one block per host
// in the order given; text output prefixes each line with the host's
// name ("pbx1: ..."), like pdsh.
func runCommandFleet(c *cli.Context, ts []target, action amiwire.Packet, cmdline string) error {
	if err := refuseRaw(c, len(ts)); err != nil {
		return err
	}
	name, _ := outputName(c)
	escape := onTerminal(c.App.Writer)
	return runFleet(c, ts, fleetOpts{ordered: true}, func(ctx context.Context, i int, t target, loggedIn func(), stdout, stderr io.Writer) error {
		w := commandWriters{stdout: stdout, stderr: stderr, prefix: t.name + ": ", escape: escape}
		if name != fmtText {
			out, err := hostOutput(c, stdout, t.name, nil)
			if err != nil {
				return err
			}
			w.out = out
		}
		return commandOn(ctx, t.s, action, cmdline, w, loggedIn)
	})
}

// runListenFleet listens on every host at once and prints their events
// as they come, each led by its host's name. Each host has its own
// connection, buffer (--buffer), reconnection (--reconnect) and stderr
// notices; one that fails does not stop the others. --count counts the
// events of all hosts; --duration, a signal or a closed stdout end them
// all.
func runListenFleet(c *cli.Context, ts []target, opts listenOptions) error {
	if err := refuseRaw(c, len(ts)); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	if f, ok := c.App.Writer.(*os.File); ok {
		var stop func()
		ctx, stop = watchHangup(ctx, f)
		defer stop()
	}
	if opts.duration > 0 {
		var cancelDur context.CancelFunc
		ctx, cancelDur = context.WithTimeout(ctx, opts.duration)
		defer cancelDur()
	}
	var total *atomic.Int64
	if opts.count > 0 {
		total = new(atomic.Int64)
	}
	return runFleet(c, ts, fleetOpts{ctx: ctx, stopIsEnd: true}, func(ctx context.Context, i int, t target, loggedIn func(), stdout, stderr io.Writer) error {
		s := t.s
		s.Config.EventBuffer = opts.buffer
		s.Config.DropWhenFull = opts.dropWhenFull
		s.Config.Lend = true // each batch is written before the next is taken
		w, err := hostOutput(c, stdout, t.name, nil)
		if err != nil {
			return err
		}
		name, _ := outputName(c)
		l := &listener{
			opts:       opts,
			settings:   s,
			out:        w,
			stderr:     stderr,
			now:        time.Now,
			needFields: name != fmtRaw,
			filterKeys: len(opts.filter.Match) > 0 || len(opts.filter.Exclude) > 0,
			tried:      loggedIn,
			total:      total,
		}
		if opts.timestamps {
			l.stamp = newStamper(w)
		} else if rw, ok := w.(format.RawWriter); ok {
			l.fromRaw = rw
		}
		err = l.run(ctx)
		if total != nil && total.Load() >= int64(opts.count) {
			cancel() // --count is reached: the other hosts stop too
		}
		return err
	})
}

// runCallsFleet runs calls on every host. --once takes a snapshot of
// each and prints the calls in the order the hosts were given, each led
// by its host ("@host"; a HOST column in the table). Live and piped, each
// host has its own connection, correlator and --reconnect, and the
// changes interleave as they come, each led by its host. The live table
// on a terminal draws one host.
func runCallsFleet(c *cli.Context, ts []target, o callsOptions, name string) error {
	if err := refuseRaw(c, len(ts)); err != nil {
		return err
	}
	if o.once {
		return callsOnceFleet(c, ts, o, name)
	}
	if name == fmtTable {
		return usageError("calls: the live table draws one host; with %d use --once, or -o json or -o text for the changes of all", len(ts))
	}
	handleSignals(c.Context) // Ctrl-C is the normal end of a live calls: exit 0
	ctx := c.Context
	if f, ok := c.App.Writer.(*os.File); ok {
		var stop func()
		ctx, stop = watchHangup(ctx, f)
		defer stop()
	}
	return runFleet(c, ts, fleetOpts{ctx: ctx, stopIsEnd: true}, func(ctx context.Context, i int, t target, loggedIn func(), stdout, stderr io.Writer) error {
		s := t.s
		s.Config.EventBuffer = o.buffer
		out, err := hostOutputAs(c, name, stdout, t.name, nil)
		if err != nil {
			return err
		}
		loggedIn() // the watcher logs in (and again) by itself; the slot is not held for the stream
		w := &callsWatcher{opts: o, settings: s, out: out, stderr: stderr, now: time.Now}
		return w.run(ctx)
	})
}

// callsOnceFleet is calls --once on several hosts: every host's snapshot
// at once, then the calls in host order.
func callsOnceFleet(c *cli.Context, ts []target, o callsOptions, name string) error {
	out, err := newCallsOutput(c, name)
	if err != nil {
		return err
	}
	found := make([][]*calls.Call, len(ts))
	job := func(ctx context.Context, i int, t target, loggedIn func(), stdout, stderr io.Writer) error {
		s := t.s
		s.Config.EventBuffer = o.buffer
		cl, err := callsConnect(ctx, s, "off")
		if err != nil {
			return err
		}
		loggedIn()
		defer s.logoff(ctx, cl)
		corr := calls.New()
		if err := takeSnapshot(ctx, s, cl, corr, t.name, func(calls.Change) error { return nil }); err != nil {
			return fmt.Errorf("calls: %w", err)
		}
		found[i] = corr.AppendCalls(nil)
		return nil
	}
	finish := func() error {
		now := time.Now()
		var fields []amiwire.Field
		for _, cs := range found {
			for _, call := range cs {
				fields = append(fields[:0], amiwire.Field{Key: hostKey, Value: call.Host})
				fields = call.AppendFields(fields)
				if !match.All(o.where, fields) {
					continue
				}
				if name == fmtTable {
					fields = callRow(fields[:0], call, now)
					for k := range fields {
						if fields[k].Key == calls.KeyHost {
							fields[k].Key = tableHostKey
						}
					}
				}
				if err := out.WritePacket(amiwire.Packet{Fields: fields}); err != nil {
					return err
				}
			}
		}
		return out.Flush()
	}
	return runFleet(c, ts, fleetOpts{ordered: true, finish: finish}, job)
}
