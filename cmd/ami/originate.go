package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/calls"
	"github.com/ami-cli/ami/cmd/ami/internal/actions"
	"github.com/ami-cli/ami/format"
)

// Defaults of originate.
const (
	defaultRingTimeout = 30 * time.Second
	// originateIDKey is the key under which originate without --wait
	// shows the ChannelId it gave the new channel.
	originateIDKey = "@uniqueid"
)

func originateCommand() *cli.Command {
	flags := append(connectionFlags(), outputFlags(false)...)
	flags = append(flags,
		&cli.StringFlag{Name: "app", Category: "Call",
			Usage: "run application `APP` on the new channel once it answers, instead of a dialplan extension"},
		&cli.StringFlag{Name: "data", Category: "Call",
			Usage: "the application's arguments `DATA` (with --app)"},
		&cli.StringFlag{Name: "caller-id", Category: "Call",
			Usage: "the new channel's caller ID `CALLERID`, like '\"Ops\" <100>'"},
		&cli.GenericFlag{Name: "var", Category: "Call", Value: &multiString{},
			Usage: "set channel variable `K=V` on the new channel (repeatable)"},
		&cli.DurationFlag{Name: "ring-timeout", Category: "Call", Value: defaultRingTimeout,
			Usage: "let the channel ring for up to `DURATION` before Asterisk gives up (Originate's Timeout)"},
		&cli.StringFlag{Name: "account", Category: "Call",
			Usage: "the new channel's account `CODE` (CDR accountcode)"},
		&cli.BoolFlag{Name: "wait", Category: "Outcome",
			Usage: "wait for the outcome and print it (the same as --until answer)"},
		choiceFlag(&cli.StringFlag{Name: "until", Category: "Outcome",
			Usage: "wait `UNTIL` answer (the outcome) or hangup (the outcome, then the end of the answered call)"},
			"answer", "hangup"),
		&cli.BoolFlag{Name: "hangup-on-exit", Category: "Outcome",
			Usage: "when interrupted (Ctrl-C) while waiting, hang up the channel it started first"},
		&cli.BoolFlag{Name: "dry-run", Category: "Outcome",
			Usage: "print the Originate action it would send, and send nothing"},
	)
	return &cli.Command{
		Name:  "originate",
		Usage: "start a call and, with --wait, report its outcome",
		UsageText: `ami originate [flags] CHANNEL EXTEN[@CONTEXT[:PRIORITY]]
ami originate [flags] CHANNEL --app APP [--data DATA]`,
		Description: `Sends an Originate action with Async: true, its own ActionID and a generated
ChannelId, which Asterisk makes the new channel's Uniqueid (and Linkedid): the
call is known before it exists. The target is a dialplan extension
(CONTEXT defaults to "default", PRIORITY to 1) or, with --app, an application.

Without --wait it prints Asterisk's "Originate successfully queued" response,
with the Uniqueid to be ("@uniqueid") in front. With --wait (or --until answer)
it waits for the OriginateResponse event and prints only the result: Outcome
(answered, busy, no-answer, congestion, hangup or failed), Reason (Asterisk's
code), Channel and Uniqueid; it exits 0 when answered, 1 otherwise. --until
hangup then follows the answered call (every channel of its Linkedid) until
the last channel hangs up, and adds Linkedid, Duration, AnsweredDuration,
Cause and Cause-txt of the channel it started.

Waiting needs the AMI user to read call events (read = call in
manager.conf). Only the call's events are asked for: the login asks for the
call class, and Filter actions (which need write = system; without it ami
filters on its side) keep the rest of a busy PBX away. Nothing arriving within
--ring-timeout plus --timeout exits 3. Ctrl-C while waiting exits 130; with
--hangup-on-exit the channel is hung up first. "ami send Originate ..." still
sends exactly what it is told.

EXAMPLES:
   # ring 100, connect it to 200 in context internal, say how it went:
   ami originate PJSIP/100 200@internal --caller-id '"Ops" <100>' \
       --wait

   # a wake-up call; exit 1 if nobody answers within 45s:
   ami originate PJSIP/alice --app Playback --data wakeup-call \
       --ring-timeout 45s --wait

   # follow the call to its end, as JSON:
   ami originate PJSIP/100 200@internal --until hangup -o json

   # see the action without sending it:
   ami originate PJSIP/100 200@internal --var FOO=bar --dry-run

   # try it without Asterisk:
   ami --mock originate Local/talk@default --app Wait --data 1 \
       --until hangup`,
		Flags:  flags,
		Action: runOriginate,
	}
}

// untilAnswer and untilHangup are what --wait and --until wait for.
const (
	untilNothing = ""
	untilAnswer  = "answer"
	untilHangup  = "hangup"
)

// originateOptions are the parsed originate flags and arguments.
type originateOptions struct {
	action       amiwire.Packet
	actionID     string
	channelID    string
	channel      string
	until        string
	ringTimeout  time.Duration
	hangupOnExit bool
	dryRun       bool
}

func originateOptionsFrom(c *cli.Context) (originateOptions, error) {
	var o originateOptions
	app := c.String("app")
	args := c.Args().Slice()
	switch {
	case len(args) == 0:
		return o, usageError("originate: no CHANNEL (like PJSIP/100; see 'ami originate --help')")
	case app == "" && len(args) == 1:
		return o, usageError("originate %s: no target: give EXTEN[@CONTEXT[:PRIORITY]] or --app APP", args[0])
	case app != "" && len(args) > 1:
		return o, usageError("originate: %q and --app %s: give an extension or an application, not both", args[1], app)
	case len(args) > 2:
		return o, usageError("originate: unexpected argument %q", args[2])
	case app == "" && c.IsSet("data"):
		return o, usageError("originate: --data goes with --app")
	}
	o.channel = args[0]
	o.ringTimeout = c.Duration("ring-timeout")
	if o.ringTimeout <= 0 {
		return o, usageError("--ring-timeout %v: want a positive duration", o.ringTimeout)
	}
	if c.IsSet("until") {
		u, err := choiceValue(c, "until")
		if err != nil {
			return o, err
		}
		o.until = u
	} else if c.Bool("wait") {
		o.until = untilAnswer
	}
	o.hangupOnExit = c.Bool("hangup-on-exit")
	if o.hangupOnExit && o.until == untilNothing {
		return o, usageError("originate: --hangup-on-exit needs --wait or --until")
	}
	o.dryRun = c.Bool("dry-run")

	o.actionID = "ami-originate-" + randomHex()
	o.channelID = "ami-" + randomHex()
	a := amiwire.NewAction("Originate", "ActionID", o.actionID, "Channel", o.channel)
	if app != "" {
		a.Add("Application", app)
		if c.IsSet("data") {
			a.Add("Data", c.String("data"))
		}
	} else {
		exten, context, priority, err := actions.ParseExtension(args[1])
		if err != nil {
			return o, usageError("originate %q: %v", args[1], err)
		}
		a.Add("Exten", exten)
		a.Add("Context", context)
		a.Add("Priority", priority)
	}
	a.Add("Timeout", strconv.FormatInt(o.ringTimeout.Milliseconds(), 10))
	if cid := c.String("caller-id"); cid != "" {
		a.Add("CallerID", cid)
	}
	if acct := c.String("account"); acct != "" {
		a.Add("Account", acct)
	}
	for _, v := range c.Generic("var").(*multiString).values {
		k, _, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return o, usageError("--var %q: want NAME=VALUE", v)
		}
		a.Add("Variable", v)
	}
	a.Add("ChannelId", o.channelID)
	a.Add("Async", "true")
	if err := checkAction(a, "originate"); err != nil {
		return o, err
	}
	o.action = a
	return o, nil
}

// randomHex returns 16 random hex digits, for the ActionID and ChannelId
// of an originate: unique enough that two ami runs never pick the same.
func randomHex() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

func runOriginate(c *cli.Context) error {
	o, err := originateOptionsFrom(c)
	if err != nil {
		return err
	}
	out, err := newOutput(c, c.App.Writer)
	if err != nil {
		return err
	}
	if o.dryRun {
		if err := out.WritePacket(o.action); err != nil {
			return err
		}
		return out.Flush()
	}
	s, err := connSettingsFrom(c)
	if err != nil {
		return err
	}
	ctx := c.Context
	if o.until == untilNothing {
		return originateQueued(ctx, s, o, out)
	}
	handleSignals(ctx) // Ctrl-C while waiting is expected: stop (and hang up) cleanly
	cl, err := s.dial(ctx, "call")
	if err != nil {
		return err
	}
	defer s.logoff(ctx, cl)
	w := &originateWaiter{opts: o, settings: s, cl: cl, stderr: c.App.ErrWriter, now: time.Now}
	result, err := w.run(ctx)
	if result.Fields != nil {
		if werr := out.WritePacket(result); werr != nil {
			return werr
		}
		if werr := out.Flush(); werr != nil {
			return werr
		}
	}
	return err
}

// originateQueued sends the Originate with events off and prints its
// response, the ChannelId in front.
func originateQueued(ctx context.Context, s connSettings, o originateOptions, out format.Writer) error {
	cl, pend, err := s.dialSend(ctx, "off", []amiwire.Packet{o.action}, true)
	if err != nil {
		return err
	}
	defer s.logoff(ctx, cl)
	resp, err := waitResponse(ctx, s, pend[0], o.action)
	if err != nil {
		return originateWaitError(ctx, o, s, err)
	}
	p := amiwire.Packet{Fields: append([]amiwire.Field{{Key: originateIDKey, Value: o.channelID}}, resp.Packet.Fields...)}
	if err := out.WritePacket(p); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if strings.EqualFold(resp.Packet.Get("Response"), "Error") {
		return exitWith(exitActionError, fmt.Errorf("originate %s: %s", o.channel, oneLine(resp.Packet.Get("Message"))))
	}
	return nil
}

// originateWaitError reports a failed wait for the Originate's response:
// the server's refusal in originate's words, the rest as send says it.
func originateWaitError(ctx context.Context, o originateOptions, s connSettings, err error) error {
	var ae *amiwire.ActionError
	if errors.As(err, &ae) {
		return exitWith(exitActionError, fmt.Errorf("originate %s: %s", o.channel, oneLine(ae.Message)))
	}
	return describeWaitError(ctx, o.action, err, s, 0, 1)
}

// originateWaiter runs one originate --wait / --until.
type originateWaiter struct {
	opts     originateOptions
	settings connSettings
	cl       *amiwire.Client
	stderr   io.Writer
	now      func() time.Time

	tracer   *calls.Tracer
	filtered bool // the server accepted the Filter actions
	events   int  // events seen, to tell "nothing arrived" from "no outcome"
	batch    []amiwire.Packet
	rest     []amiwire.Packet // of batch, not yet fed
}

// run sends the Originate and waits for what --until says. It returns
// the result to print (none when the Originate was refused or nothing
// came) and the error to exit with.
func (w *originateWaiter) run(ctx context.Context) (amiwire.Packet, error) {
	o := w.opts
	w.tracer = calls.NewTracer(calls.Target{Uniqueid: o.channelID})
	if err := w.pushFilters(ctx, "ActionID: "+o.actionID, "Linkedid: "+o.channelID); err != nil {
		return amiwire.Packet{}, w.failed(ctx, err)
	}
	pend, err := w.cl.Send(ctx, o.action)
	if err != nil {
		return amiwire.Packet{}, w.failed(ctx, err)
	}
	resp, err := waitResponse(ctx, w.settings, pend, o.action)
	if err != nil {
		return amiwire.Packet{}, w.interrupted(ctx, originateWaitError(ctx, o, w.settings, err))
	}
	if strings.EqualFold(resp.Packet.Get("Response"), "Error") {
		return amiwire.Packet{}, exitWith(exitActionError, fmt.Errorf("originate %s: %s", o.channel, oneLine(resp.Packet.Get("Message"))))
	}

	// The outcome: OriginateResponse comes once the channel answered or
	// Asterisk gave up ringing it, within the ring timeout.
	limit := o.ringTimeout + w.settings.Timeout
	octx, cancel := context.WithTimeout(ctx, limit)
	resp2, err := w.until(octx, func(p amiwire.Packet) bool {
		return p.Get("Event") == "OriginateResponse" && p.Get("ActionID") == o.actionID
	})
	cancel()
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return amiwire.Packet{}, w.nothingCame(limit)
		}
		return amiwire.Packet{}, w.failed(ctx, err)
	}
	outcome, reason, _ := calls.OriginateOutcome(resp2)
	result := amiwire.Packet{}
	result.Add("Outcome", string(outcome))
	result.Add("Reason", strconv.Itoa(reason))
	result.Add("Channel", resp2.Get("Channel"))
	result.Add("Uniqueid", resp2.Get("Uniqueid"))
	if outcome != calls.OutcomeAnswered {
		return result, exitWith(exitActionError, fmt.Errorf("originate %s: %s (Reason %d)", o.channel, outcome, reason))
	}
	if o.until != untilHangup {
		return result, nil
	}

	// The answered call, to its last hangup.
	if uid := resp2.Get("Uniqueid"); !w.tracer.Found() && uid != "" && uid != o.channelID {
		// A server that does not honour ChannelId: follow the channel
		// the response names from now on.
		// Its events so far went unnoticed (or were filtered out): a
		// snapshot says whether it is still up.
		w.tracer = calls.NewTracer(calls.Target{Uniqueid: uid})
		if w.filtered {
			if err := w.pushFilters(ctx, "Linkedid: "+uid, "Uniqueid: "+uid); err != nil {
				return result, w.failed(ctx, err)
			}
		}
		if err := w.snapshot(ctx); err != nil {
			return result, w.failed(ctx, err)
		}
		if !w.tracer.Found() {
			return result, nil // over already; how it ended went by unseen
		}
	}
	if !w.tracer.Ended() {
		if _, err := w.until(ctx, func(amiwire.Packet) bool { return w.tracer.Ended() }); err != nil {
			return result, w.failed(ctx, err)
		}
	}
	call := w.tracer.Call()
	result.Add("Linkedid", call.Linkedid)
	if !call.Start.IsZero() && !call.End.IsZero() {
		result.Add("Duration", seconds(call.End.Sub(call.Start)))
	}
	if !call.Answer.IsZero() && !call.End.IsZero() {
		result.Add("AnsweredDuration", seconds(call.End.Sub(call.Answer)))
	}
	ch := startedChannel(call, resp2.Get("Uniqueid"))
	if ch != nil {
		result.Add("Cause", ch.Cause)
		result.Add("Cause-txt", ch.CauseText)
	}
	return result, nil
}

// snapshot feeds the tracer a CoreShowChannels snapshot.
func (w *originateWaiter) snapshot(ctx context.Context) error {
	w.tracer.BeginSnapshot("")
	actx, cancel := context.WithTimeout(ctx, w.settings.Timeout)
	defer cancel()
	resp, err := w.cl.Do(actx, amiwire.NewAction("CoreShowChannels"))
	if err != nil {
		return err
	}
	w.tracer.Snapshot("", resp.Events, w.now())
	return nil
}

// startedChannel returns the call's channel with Uniqueid uid, else its
// first one.
func startedChannel(call *calls.Call, uid string) *calls.Channel {
	for _, ch := range call.Channels {
		if ch.Uniqueid == uid {
			return ch
		}
	}
	if len(call.Channels) > 0 {
		return call.Channels[0]
	}
	return nil
}

// seconds renders d as seconds with three decimals, as call records do.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// until feeds events to the tracer until done says so of one of them,
// which it returns. The events of the batch after that one are kept for
// the next call.
func (w *originateWaiter) until(ctx context.Context, done func(amiwire.Packet) bool) (amiwire.Packet, error) {
	for {
		for len(w.rest) > 0 {
			p := w.rest[0]
			w.rest = w.rest[1:]
			w.events++
			w.tracer.Feed("", p, w.now())
			if done(p) {
				return p, nil
			}
		}
		batch, err := w.cl.NextEvents(ctx, w.batch[:0])
		w.batch, w.rest = batch, batch
		if len(batch) == 0 && err != nil {
			return amiwire.Packet{}, err
		}
	}
}

// pushFilters asks the server to send only events matching one of the
// patterns (regular expressions). A refused Filter (the user lacks
// write = system) leaves the filtering to this side, quietly.
func (w *originateWaiter) pushFilters(ctx context.Context, patterns ...string) error {
	for _, pat := range patterns {
		k, v, _ := strings.Cut(pat, ": ")
		f := k + ": " + regexp.QuoteMeta(v)
		actx, cancel := context.WithTimeout(ctx, w.settings.Timeout)
		_, err := w.cl.Do(actx, amiwire.NewAction("Filter", "Operation", "Add", "Filter", f))
		cancel()
		var ae *amiwire.ActionError
		if errors.As(err, &ae) {
			return nil
		}
		if err != nil {
			return err
		}
		w.filtered = true
	}
	return nil
}

// nothingCame is the error when no outcome arrived within limit, naming
// the likely cause.
func (w *originateWaiter) nothingCame(limit time.Duration) error {
	if w.events == 0 {
		return exitWith(exitConn, fmt.Errorf("originate %s: no OriginateResponse within %v, and no call event at all: the AMI user %q likely lacks read = call in manager.conf",
			w.opts.channel, limit, w.settings.Config.Username))
	}
	return exitWith(exitConn, fmt.Errorf("originate %s: no OriginateResponse within %v (--ring-timeout plus --timeout)", w.opts.channel, limit))
}

// failed turns an error while waiting into originate's: interrupted
// (after hanging up with --hangup-on-exit) or the connection lost.
func (w *originateWaiter) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return w.interrupted(ctx, err)
	}
	if errors.Is(err, amiwire.ErrClosed) {
		return exitWith(exitConn, fmt.Errorf("originate %s: connection to %s lost while waiting: %s", w.opts.channel, w.settings.Display, lostCause(w.cl.Err())))
	}
	return fmt.Errorf("originate %s: %w", w.opts.channel, err)
}

// interrupted ends a wait that Ctrl-C stopped: with --hangup-on-exit it
// hangs up the channel it started (by name once known, else by the
// Uniqueid it chose, which Hangup accepts too).
func (w *originateWaiter) interrupted(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	msg := fmt.Sprintf("originate %s: interrupted", w.opts.channel)
	if w.opts.hangupOnExit {
		name := w.opts.channelID
		if call := w.tracer.Call(); call != nil {
			if ch := startedChannel(call, w.opts.channelID); ch != nil && ch.Name != "" {
				name = ch.Name
			}
		}
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.settings.Timeout)
		_, herr := w.cl.Do(hctx, amiwire.NewAction("Hangup", "Channel", name))
		cancel()
		if herr != nil {
			msg += fmt.Sprintf("; hanging up %s failed: %s", name, oneLine(herr.Error()))
		} else {
			msg += "; hung up " + name
		}
	}
	return exitWith(exitInterrupted, errors.New(msg))
}
