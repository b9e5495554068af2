package main

// Start-up work-arounds.
//
// ami is mostly run once per action, from scripts and monitoring checks,
// so the time from exec to the first byte on the wire is most of what its
// users wait for: `ami send Ping` should cost little more than the round
// trip. The Go runtime and urfave/cli do work on every run that ami does
// not need, and each piece of this file removes one such cost without
// changing what a run does (the README's Performance section has the
// measurements). Each has a guard test in startup_test.go that fails when
// it stops working:
//
//   - presizeStack: the main goroutine's stack grows once, while it is
//     shallow, instead of twice deep inside urfave/cli and the dial, where
//     each growth copies the stack and walks all its frames
//     (TestPresizeStackStaysOnTheStack).
//   - interruptible: the SIGINT/SIGTERM handler costs the runtime three
//     threads, so it is installed only once a command has run for
//     signalDelay, or at once by the commands that stream or run until
//     stopped (handleSignals) (TestInterruptible).
//   - withNames, cacheHelpFlagNames: urfave/cli computes a flag's names
//     with a regexp on every call, and calls it for every name of every
//     flag several times per run; the wrapped flags compute them once
//     (TestFlagNamesCached).
//   - commandsFor, trimForRun: a run of one command builds only that
//     command, and when it can show no help, no help categories, which
//     urfave/cli renders for every flag as it starts
//     (TestNewAppOnlyCommand, TestPlainRunDropsCategories); notCompiled
//     keeps it from stat-ing the executable.

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

// presizeStack grows the main goroutine's stack from its first 8 KiB to
// 32 KiB at once, while it holds a single frame; 16 or 64 KiB saved less.
//
//go:noinline
func presizeStack() byte {
	var frame [24 << 10]byte // with main's frame and the guard: more than 16 KiB, less than 32
	return lastByte(frame[:])
}

// lastByte keeps presizeStack's frame alive without letting it escape to
// the heap.
//
//go:noinline
func lastByte(b []byte) byte { return b[len(b)-1] }

// signalsKey is the context key of the *interrupts of interruptible.
type signalsKey struct{}

// signalDelay is how long a command runs before interruptible installs its
// handler, unless the command asks for it at once (handleSignals).
const signalDelay = 50 * time.Millisecond

// interrupts is the SIGINT/SIGTERM handler of interruptible, installed
// once.
type interrupts struct {
	once   sync.Once
	cancel context.CancelFunc
	ready  chan struct{} // closed once the handler is in place
}

// install puts the handler in place; it returns once it is, whoever
// installs it.
func (in *interrupts) install() {
	in.once.Do(func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		close(in.ready)
		go func() {
			<-sigs
			in.cancel()
		}()
	})
}

// interruptible returns a context that SIGINT and SIGTERM cancel, which
// each command treats as "stop cleanly" (log off, whole packets printed,
// exit 130; listen's normal end). The handler is installed only after
// signalDelay, or at once by handleSignals. Before it is in place a
// signal ends the process the default way: nothing has been printed yet,
// the kernel closes the connection, and the shell reports 130 for SIGINT
// all the same. The notification is never stopped: the process exits as
// soon as run returns, and signal.Stop would first wait for the signal
// goroutine.
func interruptible(parent context.Context) context.Context {
	return interruptibleAfter(parent, signalDelay)
}

// interruptibleAfter is interruptible with the handler installed after
// delay.
func interruptibleAfter(parent context.Context, delay time.Duration) context.Context {
	in := &interrupts{ready: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.WithValue(parent, signalsKey{}, in))
	in.cancel = cancel
	time.AfterFunc(delay, in.install)
	return ctx
}

// handleSignals installs the handler of interruptible at once, when ctx
// comes from it, and returns once it is in place.
func handleSignals(ctx context.Context) {
	if in, ok := ctx.Value(signalsKey{}).(*interrupts); ok {
		in.install()
	}
}

// The wrapped flags embed the urfave/cli flag, so it keeps every method
// and interface (help, man page, completion); only a type switch on
// *cli.StringFlag and the like would see the wrapper.

type stringFlag struct {
	*cli.StringFlag
	names []string
	// choices are the values the flag accepts (see choiceFlag); nil for
	// free text.
	choices []string
}

type intFlag struct {
	*cli.IntFlag
	names []string
}

type boolFlag struct {
	*cli.BoolFlag
	names []string
}

// durationFlag also reads a bare number as seconds (see its Apply).
type durationFlag struct {
	*cli.DurationFlag
	names []string
}

func (f *stringFlag) Names() []string   { return f.names }
func (f *intFlag) Names() []string      { return f.names }
func (f *boolFlag) Names() []string     { return f.names }
func (f *durationFlag) Names() []string { return f.names }

// String renders the help line as the embedded flag's String does, but
// hands urfave/cli the wrapper, so the names are not recomputed: the app
// renders every flag of the command it runs as it starts.
// boolFlag keeps the embedded String: urfave/cli treats a *cli.BoolFlag's
// default text apart by a type assertion, which the wrapper would fail.
func (f *stringFlag) String() string   { return cli.FlagStringer(f) }
func (f *intFlag) String() string      { return cli.FlagStringer(f) }
func (f *durationFlag) String() string { return cli.FlagStringer(f) }

// withNames returns flags with the string, int, bool and duration flags
// wrapped so that their names are computed once; other flags are kept as
// they are.
func withNames(flags []cli.Flag) []cli.Flag {
	for i, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			flags[i] = &stringFlag{StringFlag: f, names: flagNames(f.Name, f.Aliases)}
		case *cli.IntFlag:
			flags[i] = &intFlag{f, flagNames(f.Name, f.Aliases)}
		case *cli.BoolFlag:
			flags[i] = &boolFlag{f, flagNames(f.Name, f.Aliases)}
		case *cli.DurationFlag:
			flags[i] = &durationFlag{f, flagNames(f.Name, f.Aliases)}
		}
	}
	return flags
}

// flagNames is cli.FlagNames without its regexp, which only cuts a v1-style
// "name, alias" at the comma or space; no name of ami has one
// (TestFlagNamesCached checks every wrapped flag against cli.FlagNames).
func flagNames(name string, aliases []string) []string {
	return append([]string{name}, aliases...)
}

// cacheHelpFlagNames gives urfave/cli's own --help and --version flags
// cached names too. They are package variables of urfave/cli, meant to be
// replaced, so main sets them once for the process; tests that run ami
// in-process keep the originals, which behave the same.
func cacheHelpFlagNames() {
	cli.HelpFlag = withNames([]cli.Flag{cli.HelpFlag})[0]
	cli.VersionFlag = withNames([]cli.Flag{cli.VersionFlag})[0]
}

// notCompiled is the app's Compiled time: any time but the zero one, which
// makes urfave/cli stat the executable on every run to fill in a field
// ami never shows.
var notCompiled = time.Unix(1, 0)

// commandsFor returns the commands to build for running args (args[0] is
// the program name; flags are the app's): only the one they name, or
// every one for anything else (help, no command, an unknown one), and the
// name of the command run ("" when none is).
func commandsFor(defs []commandDef, flags []cli.Flag, args []string) ([]commandDef, string) {
	only := ""
	if i := skipFlags(flags, args, 1); i < len(args) {
		only = args[i]
	}
	for _, d := range defs {
		if d.name == only {
			return []commandDef{d}, only
		}
	}
	return defs, only
}

// trimForRun drops the help categories of every flag of app, for a run
// that shows no help.
func trimForRun(app *cli.App) {
	dropCategories(app.Flags)
	for _, cmd := range app.Commands {
		dropCommandCategories(cmd)
	}
}

// mayShowHelp reports whether running args may print help: when any of
// them asks for it, as a flag of the app or of a command, or as the help
// command or subcommand. Being conservative costs only speed.
func mayShowHelp(args []string) bool {
	for _, a := range args[min(1, len(args)):] {
		switch a {
		case "help", "h", "-h", "--h", "-help", "--help":
			return true
		}
	}
	return false
}

// dropCommandCategories drops the help categories of cmd's flags and of
// its subcommands'.
func dropCommandCategories(cmd *cli.Command) {
	dropCategories(cmd.Flags)
	for _, sub := range cmd.Subcommands {
		dropCommandCategories(sub)
	}
}

// dropCategories clears the help category of each flag (TestPlainRunDropsCategories
// checks that no flag type of ami is missed).
func dropCategories(flags []cli.Flag) {
	for _, f := range flags {
		switch f := f.(type) {
		case *stringFlag:
			f.Category = ""
		case *intFlag:
			f.Category = ""
		case *boolFlag:
			f.Category = ""
		case *durationFlag:
			f.Category = ""
		case *cli.StringFlag:
			f.Category = ""
		case *cli.IntFlag:
			f.Category = ""
		case *cli.BoolFlag:
			f.Category = ""
		case *cli.DurationFlag:
			f.Category = ""
		case *cli.GenericFlag:
			f.Category = ""
		case *cli.StringSliceFlag:
			f.Category = ""
		}
	}
}
