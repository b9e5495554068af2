package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/fanin"
	"github.com/ami-cli/ami/format"
)

// The many-host fan-out: a command given several hosts (targetsFrom) runs
// its one-host work on each at once, with its own connection, and merges
// the output, each packet tagged with the host's name (hostKey). The
// one-host path does not come here: its output stays as it is.

// hostKey is the key that names a packet's host in json and text output;
// tableHostKey heads the table's column of hosts.
const (
	hostKey      = "@host"
	tableHostKey = "HOST"
)

// fleetRank orders exit codes from the most serious: a host that was
// interrupted, could not be reached, refused the login, got bad input,
// answered Error.
func fleetRank() []int {
	return []int{exitInterrupted, exitConn, exitAuth, exitUsage, exitActionError}
}

// fleetJob is one host's share of a command: it runs against t (ts[i]), calls
// loggedIn once logged in (freeing its --parallel slot), writes its
// output to stdout and its diagnostics to stderr (both the host's own),
// and returns what the one-host command would.
type fleetJob func(ctx context.Context, i int, t target, loggedIn func(), stdout, stderr io.Writer) error

// fleetOpts say how runFleet merges and ends.
type fleetOpts struct {
	// ctx is the run's context (c.Context when nil): it ending stops
	// every host.
	ctx context.Context
	// ordered makes each host's output a block, in the order the hosts
	// were given (list, command, send); otherwise the hosts' writes
	// interleave as they come (listen), whole packets at a time when the
	// job writes through a format.Writer.
	ordered bool
	// stopIsEnd makes ctx ending a normal end (listen's signal or
	// --duration), not an interruption.
	stopIsEnd bool
	// finish, when not nil, runs once every host is done, before the
	// last line (list -o table prints its one table then).
	finish func() error
}

// runFleet runs job on every target at once, at most --parallel logging
// in at a time, and merges their output (fleetOpts). A host's failure is
// reported on stderr as "ami: NAME: ..." when it ends; once every host is
// done, a last line counts and names the hosts that failed, and the exit
// code is the worst of theirs (fleetRank). A closed stdout stops every
// host and ends quietly.
func runFleet(c *cli.Context, ts []target, fo fleetOpts, job fleetJob) error {
	parallel, err := parallelOf(c)
	if err != nil {
		return err
	}
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	handleSignals(c.Context)
	base := fo.ctx
	if base == nil {
		base = c.Context
	}
	ctx, cancel := context.WithCancelCause(base)
	defer cancel(nil)
	ordered := fo.ordered
	finish := fo.finish

	var ord *fanin.Ordered
	var shared io.Writer
	if ordered {
		ord = fanin.NewOrdered(stdout, len(ts))
	} else {
		shared = fanin.NewShared(stdout)
	}
	var pipeGone sync.Once
	written := newOutputDone()
	var errs []error
	return untilStopped(base.Done(), written, func() error {
		errs = fanin.Run(ctx, len(ts), parallel, func(ctx context.Context, i int, loggedIn func()) error {
			t := ts[i]
			ew := &hostLines{w: stderr, name: t.name}
			if t.s.Config.Trace != nil {
				t.s.Config.Trace = ew
			}
			out := shared
			if ord != nil {
				out = ord.Writer(i)
			}
			err := job(ctx, i, t, loggedIn, out, ew)
			ew.flush()
			if fo.stopIsEnd && base.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				err = nil
			}
			if ord != nil {
				if derr := ord.Done(i); err == nil && derr != nil {
					err = derr
				}
			}
			if isBrokenPipe(err) {
				pipeGone.Do(func() { cancel(err) })
				return err
			}
			if err != nil && !isBrokenPipe(context.Cause(ctx)) {
				reportHostError(stderr, t.name, err)
			}
			return err
		})
		if ord != nil {
			for i := range ts { // a host not started (stopped first) holds nothing back
				ord.Done(i)
			}
		}
		if fo.stopIsEnd && base.Err() != nil {
			for i, err := range errs { // not started: the end came first
				if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					errs[i] = nil
				}
			}
		}
		if finish != nil && !isBrokenPipe(context.Cause(ctx)) {
			if err := finish(); err != nil {
				written.close()
				return err
			}
		}
		written.close()
		return fleetOutcome(stderr, ts, errs, context.Cause(ctx))
	}, func() error {
		return exitWith(exitInterrupted, fmt.Errorf("interrupted; stdout took nothing for %v since, so the last packet may be cut short", stopGrace))
	})
}

// reportHostError prints a host's error as the one-host command would,
// after the host's name.
func reportHostError(stderr io.Writer, name string, err error) {
	var ce *codeError
	if errors.As(err, &ce) && ce.err == nil {
		return // the job has said what there was to say
	}
	fmt.Fprintf(stderr, "ami: %s: %s\n", name, errorLine(err))
}

// fleetOutcome is the end of a many-host run: nothing when every host
// succeeded (or stdout was closed), else a line naming the hosts that
// failed and the worst of their exit codes.
func fleetOutcome(stderr io.Writer, ts []target, errs []error, cause error) error {
	if isBrokenPipe(cause) {
		return nil
	}
	codes := make([]int, len(errs))
	var failed []string
	for i, err := range errs {
		if codes[i] = exitCode(err); codes[i] != exitOK {
			failed = append(failed, ts[i].name)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	fmt.Fprintf(stderr, "ami: %d of %d hosts failed: %s\n", len(failed), len(ts), strings.Join(failed, ", "))
	return exitWith(fanin.Worst(fleetRank(), codes), nil)
}

// hostLines writes the diagnostics of one host to w, each line marked
// with the host's name: "ami: pbx2: connection lost" for ami's own lines,
// "pbx2: ..." for others (a --trace, a failed command's output). Lines
// are written whole; a last line without its end waits for flush.
type hostLines struct {
	mu   sync.Mutex
	w    io.Writer
	name string
	part []byte
	line []byte
}

func (h *hostLines) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			h.part = append(h.part, p...)
			break
		}
		h.part = append(h.part, p[:i+1]...)
		p = p[i+1:]
		h.emit()
	}
	return n, nil
}

// emit writes the line in h.part with the host's name (h.mu held).
func (h *hostLines) emit() {
	rest, ours := bytes.CutPrefix(h.part, []byte("ami: "))
	h.line = h.line[:0]
	if ours {
		h.line = append(h.line, "ami: "...)
	}
	h.line = append(h.line, h.name...)
	h.line = append(h.line, ": "...)
	h.line = append(h.line, rest...)
	h.w.Write(h.line)
	h.part = h.part[:0]
}

// flush writes a last line that has no line end.
func (h *hostLines) flush() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.part) > 0 {
		h.part = append(h.part, '\n')
		h.emit()
	}
}

// hostOutput returns the format.Writer of one host's packets: -o, --color
// and --fields as for one host, each packet led by the host's name. -o raw
// is refused: its bytes are the wire's, with no room for a name.
func hostOutput(c *cli.Context, w io.Writer, name string, hide []string) (format.Writer, error) {
	as, err := outputName(c)
	if err != nil {
		return nil, err
	}
	return hostOutputAs(c, as, w, name, hide)
}

// hostOutputAs is hostOutput in the output format given, for a command
// whose -o has a default of its own (calls: json when piped). On a
// terminal the host's packets are coloured and escaped as one host's are.
func hostOutputAs(c *cli.Context, as string, w io.Writer, name string, hide []string) (format.Writer, error) {
	out, err := newOutputAs(c, as, c.App.Writer, w, hide)
	if err != nil {
		return nil, err
	}
	if ls, ok := out.(format.LeadSetter); ok {
		ls.SetLead([]amiwire.Field{{Key: hostKey, Value: name}})
	}
	return out, nil
}

// refuseRaw is the usage error of -o raw with several hosts.
func refuseRaw(c *cli.Context, n int) error {
	if name, _ := outputName(c); name == fmtRaw {
		return usageError("-o raw is the bytes of one connection: with %d hosts use -o json or -o text, which name each packet's host", n)
	}
	return nil
}
