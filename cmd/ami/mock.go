package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// Defaults of the simulated PBX behind `ami mock` and --mock.
const (
	mockListenAddr = "127.0.0.1:5038"
	// mockInProcessRate and mockInProcessCalls give --mock something to
	// show at once: background calls for listen, held calls for list.
	mockInProcessRate  = 2.0
	mockInProcessCalls = 2
)

func mockCommand() *cli.Command {
	return &cli.Command{
		Name:      "mock",
		Usage:     "serve a simulated Asterisk PBX on a loopback address",
		UsageText: "ami mock [--listen ADDR] [--user NAME:SECRET ...] [--rate N] [--calls N] [--replay FILE] [--flood N] [--flood-calls N]",
		Description: `Runs a simulated Asterisk 22 that speaks AMI like the recorded real one:
the same banner, plain and MD5 login (a wrong secret gets the error, then
the close), Ping, CoreSettings, CoreStatus, CoreShowChannels, Status,
QueueStatus, Command (a few canned CLI outputs), Originate, Hangup, Events,
Filter, UserEvent, DBPut/DBGet and Logoff; any other action gets Asterisk's
own "Invalid/unknown command" error. It serves until SIGINT or SIGTERM and
prints its address on stderr.

Originate makes Local channels that behave as the recorded Asterisk's
dialplan (context default) does, with the events it sent:
   hold, short, flood, queue   answered (OriginateResponse Reason 4)
   talk       answered, hangs up after ${LEN} seconds (default 5), Cause 16
   dialtalk   dials talk: four channels bridged, one Linkedid, ends after 5s
   busy       Reason 5, Hangup Cause 17
   congest    Reason 8, Hangup Cause 34
   noanswer   rings until the Originate's Timeout (default 30s), Reason 3
   any other  no such extension: Reason 0, Uniqueid <unknown>
A ChannelId header becomes the new channel's Uniqueid, as in Asterisk.

It listens on a loopback address only, because its secrets are weak; use
--allow-remote to override that deliberately. The global --mock flag runs
the same simulator in-process on a random port instead.

EXAMPLES:
   # a PBX for trying every subcommand, in another terminal:
   ami mock
   AMI_SECRET=admin ami -u admin listen -o json

   # background traffic of 5 calls per second, two users:
   ami mock --rate 5 --user admin:admin --user ops:s3cret

   # replay a capture to every client that logs in (stderr says what
   # it leaves out: responses, events over a client's limits, the
   # ReceivedAt lines of --timestamps):
   ami listen -o raw --count 1000 > capture.ami
   ami mock --replay capture.ami

   # benchmark: a million events to each client as fast as it reads:
   ami mock --listen 127.0.0.1:15038 --flood 1000000

   # benchmark a call correlator: 50,000 short calls (Newchannel to
   # Hangup, 19 events each, about 950,000 events) to each client:
   ami mock --listen 127.0.0.1:15038 --flood-calls 50000`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Aliases: []string{"l"}, Value: mockListenAddr,
				Usage: "listen on `ADDR` (host:port, a loopback address unless --allow-remote)"},
			&cli.BoolFlag{Name: "allow-remote", Usage: "allow a non-loopback --listen address (the simulator's secrets are weak)"},
			&cli.GenericFlag{Name: "user", Value: &multiString{}, DefaultText: "admin:admin",
				Usage: "accept the login `NAME:SECRET` with all permissions (repeatable)"},
			&cli.Float64Flag{Name: "rate", Usage: "start `N` simulated background calls per second (0: none)"},
			&cli.IntFlag{Name: "calls", Usage: "`N` held calls present from the start (for CoreShowChannels, Status)"},
			&cli.StringFlag{Name: "replay", TakesFile: true,
				Usage: "send the events of the raw capture `FILE` (as listen -o raw writes it) to each session after login; a file without events is refused"},
			&cli.IntFlag{Name: "flood", Usage: "send `N` UserEvent events to each session after login, as fast as it reads (benchmarks)"},
			&cli.IntFlag{Name: "flood-calls", Usage: "send the events of `N` short calls (Newchannel to Hangup, 19 events each) to each session after login (and after --flood), as fast as it reads (benchmarks)"},
			choiceFlag(&cli.StringFlag{Name: "flood-end", Value: "open", Usage: "`WHAT` to do after the flood(s): open (keep serving), goodbye or close"},
				"open", "goodbye", "close"),
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log connections, logins and faults on stderr"},
		},
		Action: runMock,
	}
}

// mockSettings are the parsed flags of `ami mock`.
type mockSettings struct {
	server amitest.Options
	sim    amisim.Options
	replay []string // what --replay sends and leaves out, for stderr
}

func mockSettingsFrom(c *cli.Context) (mockSettings, error) {
	var ms mockSettings
	if c.NArg() > 0 {
		return ms, usageError("mock: unexpected argument %q", c.Args().First())
	}
	addr := c.String("listen")
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ms, usageError("--listen %q: %v", addr, err)
	}
	if !c.Bool("allow-remote") && !isLoopbackHost(host) {
		return ms, usageError("--listen %q is not a loopback address; the simulator's secrets are weak (add --allow-remote if you mean it)", addr)
	}
	ms.server.Addr = addr
	ms.server.AllowNonLoopback = c.Bool("allow-remote")
	for _, u := range c.Generic("user").(*multiString).values {
		name, secret, ok := strings.Cut(u, ":")
		if !ok || name == "" || secret == "" {
			return ms, usageError("--user %q: want NAME:SECRET", redactUser(u))
		}
		ms.server.Users = append(ms.server.Users, amitest.User{Name: name, Secret: secret})
	}
	if ms.server.Users == nil {
		ms.server.Users = []amitest.User{{Name: mockUser, Secret: mockSecret}}
	}
	rate := c.Float64("rate")
	if rate < 0 || rate > 10000 {
		return ms, usageError("--rate %g: want 0 to 10000 calls per second", rate)
	}
	ms.sim.Rate = rate
	if n := c.Int("calls"); n < 0 || n > 1_000_000 {
		return ms, usageError("--calls %d: want 0 to 1000000", n)
	} else {
		ms.sim.Calls = n
	}
	if n := c.Int("flood"); n < 0 {
		return ms, usageError("--flood %d: want a count >= 0", n)
	} else {
		ms.sim.Flood = n
	}
	if n := c.Int("flood-calls"); n < 0 {
		return ms, usageError("--flood-calls %d: want a count >= 0", n)
	} else {
		ms.sim.FloodCalls = n
	}
	floodEnd, err := choiceValue(c, "flood-end")
	if err != nil {
		return ms, err
	}
	switch floodEnd {
	case "open":
		ms.sim.FloodEnd = amisim.FloodKeepOpen
	case "goodbye":
		ms.sim.FloodEnd = amisim.FloodGoodbye
	case "close":
		ms.sim.FloodEnd = amisim.FloodClose
	}
	if f := c.String("replay"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return ms, usageError("--replay: %v", err)
		}
		rep := amisim.InspectReplay(b)
		if rep.Events == 0 {
			why := "the file is empty"
			if len(rep.Skipped) > 0 {
				why = skippedText(rep.Skipped)
			}
			return ms, usageError("--replay %s: no events to replay: %s; want a raw capture, as 'ami listen -o raw' writes it", f, why)
		}
		ms.sim.Replay = b
		ms.replay = replayNotes(f, rep)
	}
	return ms, nil
}

// replayNotes are the lines that say what --replay will send and leave
// out.
func replayNotes(file string, rep amisim.ReplayReport) []string {
	note := fmt.Sprintf("replaying %s of %s to each session after its login", plural(rep.Events, "event"), file)
	if rep.Unstamped > 0 {
		note += fmt.Sprintf(", without the ReceivedAt line of %d (listen --timestamps adds its own)", rep.Unstamped)
	}
	notes := []string{note}
	if len(rep.Skipped) > 0 {
		notes = append(notes, fmt.Sprintf("--replay %s: left out %s", file, skippedText(rep.Skipped)))
	}
	return notes
}

// skippedText sums up the packets a replay leaves out, by reason, in the
// order they first come: "2 responses (lines 5, 9), 1 packet over a limit
// (line 12: line length over 1 MiB)".
func skippedText(skipped []amisim.ReplaySkip) string {
	const show = 3 // lines named per reason
	var reasons []string
	by := map[string][]amisim.ReplaySkip{}
	for _, s := range skipped {
		if by[s.Reason] == nil {
			reasons = append(reasons, s.Reason)
		}
		by[s.Reason] = append(by[s.Reason], s)
	}
	var parts []string
	for _, r := range reasons {
		list := by[r]
		var what string
		switch r {
		case amisim.SkipResponse, amisim.SkipAction:
			what = plural(len(list), r)
		case amisim.SkipNotAMI:
			what = plural(len(list), "packet") + " with no Event, Response or Action"
		case amisim.SkipBroken:
			what = plural(len(list), "packet") + " cut short"
		default:
			what = plural(len(list), "packet") + " " + r
		}
		var at []string
		for i, s := range list {
			if i == show {
				at = append(at, "...")
				break
			}
			at = append(at, fmt.Sprint(s.Line))
		}
		where := "line " + at[0]
		if len(at) > 1 {
			where = "lines " + strings.Join(at, ", ")
		}
		if len(list) == 1 && list[0].Detail != "" {
			where += ": " + list[0].Detail
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", what, where))
	}
	return strings.Join(parts, ", ")
}

// redactUser hides the secret part of a --user value in messages.
func redactUser(u string) string {
	if name, _, ok := strings.Cut(u, ":"); ok {
		return name + ":***"
	}
	return u
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func runMock(c *cli.Context) error {
	ms, err := mockSettingsFrom(c)
	if err != nil {
		return err
	}
	stderr := c.App.ErrWriter
	if c.Bool("verbose") {
		ms.server.Logf = func(format string, args ...any) {
			fmt.Fprintf(stderr, "ami mock: "+format+"\n", args...)
		}
	}
	srv, err := amitest.New(ms.server)
	if err != nil {
		return exitWith(exitConn, fmt.Errorf("mock: %w", err))
	}
	defer srv.Close()
	if _, err := amisim.New(srv, ms.sim); err != nil {
		return exitWith(exitConn, fmt.Errorf("mock: %w", err))
	}
	var names []string
	for _, u := range ms.server.Users {
		names = append(names, u.Name)
	}
	handleSignals(c.Context) // before the line that tells scripts it is up
	for _, n := range ms.replay {
		fmt.Fprintf(stderr, "ami mock: %s\n", n)
	}
	fmt.Fprintf(stderr, "ami mock: simulated Asterisk listening on %s (users: %s); stop with Ctrl-C\n",
		srv.Addr(), strings.Join(names, ", "))
	<-c.Context.Done() // run cancels it on SIGINT and SIGTERM
	fmt.Fprintln(stderr, "ami mock: stopped")
	return nil
}

// startMock runs the simulated PBX in-process on a random loopback port
// with the user admin/admin, for the global --mock flag. It returns the
// address to dial and a function that stops the simulator; the simulator
// also stops when ctx is done.
func startMock(ctx context.Context) (addr string, stop func(), err error) {
	srv, err := amitest.New(amitest.Options{
		Addr:  "127.0.0.1:0",
		Users: []amitest.User{{Name: mockUser, Secret: mockSecret}},
	})
	if err != nil {
		return "", nil, err
	}
	if _, err := amisim.New(srv, amisim.Options{Rate: mockInProcessRate, Calls: mockInProcessCalls}); err != nil {
		srv.Close()
		return "", nil, err
	}
	unwatch := context.AfterFunc(ctx, func() { srv.Close() })
	return srv.Addr(), func() { unwatch(); srv.Close() }, nil
}
