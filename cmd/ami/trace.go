package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/calls"
	"github.com/ami-cli/ami/cmd/ami/internal/capture"
	"github.com/ami-cli/ami/cmd/ami/internal/match"
	"github.com/ami-cli/ami/format"
)

// fmtTimeline is trace's own output format: one aligned line per event.
const fmtTimeline = "timeline"

func traceCommand() *cli.Command {
	flags := append(connectionFlags(),
		choiceFlag(&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Category: "Output", DefaultText: "timeline on a terminal, else json",
			Usage: "output `FORMAT`: timeline, json, text, raw or table"}, fmtTimeline, fmtJSON, fmtText, fmtRaw, fmtTable),
		choiceFlag(&cli.StringFlag{Name: "color", Value: "auto", Category: "Output",
			Usage: "`WHEN` to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never"},
			"auto", "always", "never"),
		&cli.StringFlag{Name: "channel", Category: "Call",
			Usage: "trace the call of channel `NAME` (PJSIP/100-0000002a), or of the first channel of a device (PJSIP/100)"},
		&cli.StringFlag{Name: "uniqueid", Category: "Call",
			Usage: "trace the call of the channel with Uniqueid `ID`"},
		&cli.StringFlag{Name: "from", Category: "Capture", TakesFile: true,
			Usage: "read a capture `FILE` written by listen -o raw or -o json (- for stdin) instead of a server"},
		&cli.StringFlag{Name: "caller", Category: "Call",
			Usage: "trace the call from `NUM` (a glob, like 10*): the one up now, or with --from the capture's"},
		&cli.StringFlag{Name: "exten", Category: "Call",
			Usage: "trace the call to `NUM` (a glob): the one up now, or with --from the capture's"},
	)
	return &cli.Command{
		Name:      "trace",
		Usage:     "print one call's events, from its first channel to its last hangup",
		UsageText: "ami trace [flags] LINKEDID | --channel NAME | --uniqueid ID\nami trace --from FILE [LINKEDID | --caller NUM | --exten NUM]",
		Description: `Prints the events of one call in order: those of every channel with its
Linkedid, and of channels that join it later (a dialled channel, the other
half of a Local channel, a call bridged into it), until the last one hangs up.

Live, it first looks for the call among the channels up now
(CoreShowChannels) and exits 1 at once if none has the ID; then it prints
the call's events as they come, and exits 0 when the call ends (or on Ctrl-C).

--from reads a capture made by "ami listen -o raw" or "ami listen -o json"
(told apart by its first byte; - reads stdin). Without an ID it lists the
calls it holds (Linkedid, start and end, caller, callee, channels), since
people know numbers, not Linkedids. --caller and --exten pick a call by its
parties, live among the calls up now or in the capture (several matches are
listed, and it exits 1). In a capture of several hosts (-H pbx1,pbx2 listen
-o json) each call is its host's ("@host"), as Linkedids repeat across PBXs;
a Linkedid found on several is traced on the first (select the other's
events with jq first).

-o timeline writes one aligned line per event: the time since the call's
first event, the channel, the event and its telling fields (state, dial
status, bridge, cause). Times come from ReceivedAt (live, or a capture made
with listen --timestamps), else the events' own Timestamp (timestampevents
in manager.conf), else the order alone, which it says once on stderr.

EXAMPLES:
   # follow a call that is up now, readably:
   ami trace 1764925200.1 -o timeline

   # the calls in yesterday's capture, then the one from 100:
   ami trace --from /var/log/ami.raw
   ami trace --from /var/log/ami.raw --caller 100 -o timeline

   # from a JSON capture on stdin, as JSON lines:
   zcat events.json.gz |
       ami trace --from - --uniqueid 1764925200.7 -o json

   # try it without Asterisk (a call from the simulator's capture):
   ami --mock listen -o raw --timestamps -d 3 > /tmp/c.raw
   ami trace --from /tmp/c.raw`,
		Flags:  flags,
		Action: runTrace,
	}
}

// traceOptions are the parsed trace flags and arguments.
type traceOptions struct {
	target        calls.Target
	from          string
	caller, exten *match.Glob
	output        string
}

// hasTarget reports whether an ID names the call.
func (o traceOptions) hasTarget() bool {
	return o.target.Linkedid != "" || o.target.Uniqueid != "" || o.target.Channel != ""
}

func traceOptionsFrom(c *cli.Context) (traceOptions, error) {
	var o traceOptions
	if c.NArg() > 1 {
		return o, usageError("trace: unexpected argument %q (one LINKEDID)", c.Args().Get(1))
	}
	o.target = calls.Target{Linkedid: c.Args().First(), Uniqueid: c.String("uniqueid"), Channel: c.String("channel")}
	named := 0
	for _, v := range []string{o.target.Linkedid, o.target.Uniqueid, o.target.Channel} {
		if v != "" {
			named++
		}
	}
	if named > 1 {
		return o, usageError("trace: give one of LINKEDID, --channel and --uniqueid")
	}
	o.from = c.String("from")
	for _, f := range []struct {
		name string
		dst  **match.Glob
	}{{"caller", &o.caller}, {"exten", &o.exten}} {
		if !c.IsSet(f.name) {
			continue
		}
		if named > 0 {
			return o, usageError("trace: --%s picks a call: give it or an ID, not both", f.name)
		}
		g, err := match.NewGlob(c.String(f.name), false)
		if err != nil {
			return o, usageError("--%s: %v", f.name, err)
		}
		*f.dst = &g
	}
	if o.from == "" && named == 0 && o.caller == nil && o.exten == nil {
		return o, usageError("trace: which call? give a LINKEDID, --channel or --uniqueid (or --from FILE to list a capture's calls)")
	}
	out := fmtJSON
	if c.IsSet("output") {
		v, err := choiceValue(c, "output")
		if err != nil {
			return o, err
		}
		out = v
	} else if onTerminal(c.App.Writer) {
		out = fmtTimeline
		if !o.hasTarget() && o.caller == nil && o.exten == nil {
			out = fmtTable // a list of calls
		}
	}
	o.output = out
	return o, nil
}

func runTrace(c *cli.Context) error {
	o, err := traceOptionsFrom(c)
	if err != nil {
		return err
	}
	color, err := useColor(c, c.App.Writer)
	if err != nil {
		return err
	}
	out, err := format.New(o.output, c.App.Writer, format.Options{Color: color, Escape: onTerminal(c.App.Writer)})
	if err != nil {
		return usageError("%v", err)
	}
	tw := &traceWriter{out: out, timeline: o.output == fmtTimeline, stderr: c.App.ErrWriter, listOut: c.App.Writer}
	if o.from != "" {
		// No connection is made: the connection flags are only checked.
		if _, err := choiceValue(c, "auth"); err != nil {
			return err
		}
		return traceCapture(c, o, tw, out)
	}
	s, err := connSettingsFrom(c)
	if err != nil {
		return err
	}
	handleSignals(c.Context) // Ctrl-C ends a live trace normally: exit 0
	return traceLive(c.Context, s, o, tw)
}

// traceWriter writes a traced call's packets: as they are, or as timeline
// lines with the time since the call's first event.
type traceWriter struct {
	out      format.Writer
	timeline bool
	stderr   io.Writer
	listOut  io.Writer // where the calls that match are listed when several do

	t0     time.Time
	n      int
	noTime bool // said on stderr that the times are unknown
	fields []amiwire.Field
}

// write writes one packet of the call, received at at (zero: unknown).
func (w *traceWriter) write(p amiwire.Packet, at time.Time) error {
	w.n++
	if !w.timeline {
		return w.out.WritePacket(p)
	}
	if at.IsZero() {
		at, _ = calls.Timestamp(p)
	}
	var t string
	switch {
	case !at.IsZero() && w.t0.IsZero():
		w.t0 = at
		t = "+0.000"
	case !at.IsZero():
		t = "+" + strconv.FormatFloat(at.Sub(w.t0).Seconds(), 'f', 3, 64)
	default:
		if !w.noTime {
			w.noTime = true
			fmt.Fprintln(w.stderr, "ami: trace: the events carry no time (capture without --timestamps, no timestampevents): the timeline shows their order only")
		}
		t = "#" + strconv.Itoa(w.n)
	}
	w.fields = append(w.fields[:0],
		amiwire.Field{Key: format.TimeKey, Value: t},
		amiwire.Field{Key: "Channel", Value: p.Get("Channel")},
		amiwire.Field{Key: "Event", Value: p.Get("Event")})
	for _, k := range tellingKeys(p.Get("Event")) {
		if v, ok := p.Lookup(k); ok && v != "" {
			w.fields = append(w.fields, amiwire.Field{Key: k, Value: v})
		}
	}
	return w.out.WritePacket(amiwire.Packet{Fields: w.fields})
}

// tellingKeys are the fields of an event that the timeline shows: what
// changed, in a few words.
func tellingKeys(event string) []string {
	switch event {
	case "Newchannel":
		return []string{"ChannelStateDesc", "CallerIDNum", "Exten"}
	case "Newstate":
		return []string{"ChannelStateDesc"}
	case "NewCallerid":
		return []string{"CallerIDNum", "CallerIDName"}
	case "NewConnectedLine":
		return []string{"ConnectedLineNum", "ConnectedLineName"}
	case "Newexten":
		return []string{"Application", "AppData"}
	case "DialBegin":
		return []string{"DestChannel", "DialString"}
	case "DialState", "DialEnd":
		return []string{"DestChannel", "DialStatus"}
	case "LocalBridge":
		return []string{"LocalOneChannel", "LocalTwoChannel"}
	case "BridgeCreate", "BridgeEnter", "BridgeLeave", "BridgeDestroy":
		return []string{"BridgeUniqueid", "BridgeTechnology"}
	case "Hangup", "HangupRequest", "SoftHangupRequest":
		return []string{"Cause", "Cause-txt"}
	case "Rename":
		return []string{"Newname"}
	case "OriginateResponse":
		return []string{"Response", "Reason"}
	case "UserEvent":
		return []string{"UserEvent"}
	case "VarSet":
		return []string{"Variable", "Value"}
	}
	return []string{"ChannelStateDesc"}
}

// openCapture opens --from: a file, or stdin for "-".
func openCapture(c *cli.Context, from string) (io.ReadCloser, error) {
	if from == "-" {
		return io.NopCloser(c.App.Reader), nil
	}
	f, err := os.Open(from)
	if err != nil {
		return nil, usageError("--from: %v", err)
	}
	return f, nil
}

// eachPacket calls fn with each packet of the capture in r and its time,
// until fn says stop.
func eachPacket(r io.Reader, from string, fn func(p amiwire.Packet, at time.Time) (stop bool, err error)) error {
	cr := capture.NewReader(r)
	for {
		p, at, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return usageError("--from %s: %v", from, err)
		}
		stop, err := fn(p, at)
		if err != nil || stop {
			return err
		}
	}
}

// traceCapture lists the calls of a capture, or traces one of them.
func traceCapture(c *cli.Context, o traceOptions, tw *traceWriter, out format.Writer) error {
	in, err := openCapture(c, o.from)
	if err != nil {
		return err
	}
	defer in.Close()
	if !o.hasTarget() {
		var held *bytes.Buffer
		src := io.Reader(in)
		if o.from == "-" && (o.caller != nil || o.exten != nil) {
			held = &bytes.Buffer{} // stdin is read twice: once to find the call
			src = io.TeeReader(in, held)
		}
		x := calls.NewIndex()
		if err := eachPacket(src, o.from, func(p amiwire.Packet, at time.Time) (bool, error) {
			x.Feed(p.Get(calls.KeyHost), p, at)
			return false, nil
		}); err != nil {
			return err
		}
		var found []*calls.Summary
		for _, s := range x.Calls() {
			if o.caller != nil && !o.caller.Match(s.Caller.Num) || o.exten != nil && !o.exten.Match(s.Callee.Num) {
				continue
			}
			found = append(found, s)
		}
		if o.caller == nil && o.exten == nil || len(found) > 1 {
			if !tw.timeline {
				for _, s := range found {
					if err := out.WritePacket(s.Packet()); err != nil {
						return err
					}
				}
			} else {
				lw, _ := format.New(fmtTable, c.App.Writer, format.Options{Escape: onTerminal(c.App.Writer)})
				for _, s := range found {
					if err := lw.WritePacket(s.Packet()); err != nil {
						return err
					}
				}
				out = lw
			}
			if err := out.Flush(); err != nil {
				return err
			}
			if len(found) > 1 && (o.caller != nil || o.exten != nil) {
				return exitWith(exitActionError, fmt.Errorf("trace: %d calls in %s match; trace one by its Linkedid", len(found), o.from))
			}
			return nil
		}
		if len(found) == 0 {
			return exitWith(exitActionError, fmt.Errorf("trace: no call in %s from %s to %s", o.from, globText(o.caller), globText(o.exten)))
		}
		o.target = calls.Target{Host: found[0].Host, Linkedid: found[0].Linkedid}
		if held != nil {
			in = io.NopCloser(held)
		} else {
			in.Close()
			if in, err = openCapture(c, o.from); err != nil {
				return err
			}
			defer in.Close()
		}
	}
	tr := calls.NewTracer(o.target)
	if err := eachPacket(in, o.from, func(p amiwire.Packet, at time.Time) (bool, error) {
		if !tr.Feed(p.Get(calls.KeyHost), p, at) {
			return tr.Ended(), nil
		}
		return false, tw.write(p, at)
	}); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if !tr.Found() {
		return exitWith(exitActionError, fmt.Errorf("trace: no call with %s in %s", targetText(o.target), o.from))
	}
	return nil
}

// globText renders an optional --caller/--exten for messages.
func globText(g *match.Glob) string {
	if g == nil {
		return "anyone"
	}
	return strconv.Quote(g.Pattern())
}

// targetText names a trace target for messages.
func targetText(t calls.Target) string {
	switch {
	case t.Linkedid != "":
		return "Linkedid " + t.Linkedid
	case t.Uniqueid != "":
		return "a channel of Uniqueid " + t.Uniqueid
	}
	return "channel " + t.Channel
}

// traceLive traces a call that is up now, to its end.
func traceLive(ctx context.Context, s connSettings, o traceOptions, tw *traceWriter) error {
	cl, err := callsConnect(ctx, s, callsEvents)
	if err != nil {
		return err
	}
	defer s.logoff(ctx, cl)
	// The events that come while the snapshot does are kept and fed
	// after it: the tracer knows the call only from the snapshot on.
	var early []amiwire.Packet
	var earlyAt []time.Time
	items, err := readSnapshot(ctx, s, cl, func(p amiwire.Packet, at time.Time) error {
		early = append(early, p.Clone()) // its fields are readSnapshot's, for the call only
		earlyAt = append(earlyAt, at)
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("trace: %w", err)
	}
	now := time.Now()
	if !o.hasTarget() {
		// By its parties: among the calls up now.
		corr := calls.New()
		corr.Snapshot("", items, now)
		var found []*calls.Call
		for _, call := range corr.AppendCalls(nil) {
			if o.caller != nil && !o.caller.Match(call.Caller().Num) || o.exten != nil && !o.exten.Match(call.Callee().Num) {
				continue
			}
			found = append(found, call)
		}
		switch len(found) {
		case 0:
			return exitWith(exitActionError, fmt.Errorf("trace: no call up on %s from %s to %s", s.Display, globText(o.caller), globText(o.exten)))
		case 1:
			o.target = calls.Target{Linkedid: found[0].Linkedid}
		default:
			lw := tw.out
			if tw.timeline { // a list of calls has no timeline
				lw, _ = format.New(fmtTable, tw.listOut, format.Options{Escape: true})
			}
			for _, call := range found {
				if err := lw.WritePacket(call.Packet()); err != nil {
					return err
				}
			}
			if err := lw.Flush(); err != nil {
				return err
			}
			return exitWith(exitActionError, fmt.Errorf("trace: %d calls up on %s match; trace one by its Linkedid", len(found), s.Display))
		}
	}
	tr := calls.NewTracer(o.target)
	tr.BeginSnapshot("")
	tr.Snapshot("", items, now)
	if !tr.Found() {
		return exitWith(exitActionError, fmt.Errorf("trace: no channel up on %s has %s", s.Display, targetText(o.target)))
	}
	for i, p := range early {
		if tr.Feed("", p, earlyAt[i]) {
			if err := tw.write(p, earlyAt[i]); err != nil {
				return traceWriteErr(err)
			}
		}
	}
	early = nil
	if tr.Ended() {
		return traceWriteErr(tw.out.Flush())
	}
	var batch []amiwire.Packet
	for {
		var nerr error
		batch, nerr = cl.NextEvents(ctx, batch[:0])
		now := time.Now()
		for _, p := range batch {
			if tr.Feed("", p, now) {
				if err := tw.write(p, now); err != nil {
					return traceWriteErr(err)
				}
			}
		}
		if cl.ConnState().EventsQueued == 0 || tr.Ended() {
			if err := tw.out.Flush(); err != nil {
				return traceWriteErr(err)
			}
		}
		if tr.Ended() {
			return nil
		}
		if nerr != nil {
			if ctx.Err() != nil {
				return traceWriteErr(tw.out.Flush())
			}
			return exitWith(exitConn, fmt.Errorf("trace: connection to %s lost: %s", s.Display, lostCause(nerr)))
		}
	}
}

// traceWriteErr is nil for a closed stdout, the error otherwise.
func traceWriteErr(err error) error {
	if err == nil || isBrokenPipe(err) {
		return nil
	}
	return fmt.Errorf("trace: write output: %w", err)
}
