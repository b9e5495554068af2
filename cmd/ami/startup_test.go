package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// The guard tests of the start-up work-arounds (startup.go).

// TestNewAppOnlyCommand: the app for a run of one command holds only that
// command; help, no command or an unknown one get them all, and every
// command is listed under the name it is called by.
func TestNewAppOnlyCommand(t *testing.T) {
	all := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	defs := commandDefs()
	if len(all.Commands) != len(defs) {
		t.Fatalf("buildApp: %d commands, commandDefs: %d", len(all.Commands), len(defs))
	}
	for i, d := range defs {
		if got := all.Commands[i].Name; got != d.name {
			t.Errorf("commandDefs[%d] = %q builds command %q", i, d.name, got)
		}
	}
	tests := []struct {
		args string
		want []string // nil: every command
	}{
		{"ami send Ping", []string{"send"}},
		{"ami -H pbx --port 5038 --tls list Status", []string{"list"}},
		{"ami --timeout 5s listen", []string{"listen"}},
		{"ami", nil},
		{"ami --help", nil},
		{"ami help send", nil},
		{"ami nosuch", nil},
		{"ami -H send", nil}, // "send" is the value of -H
	}
	for _, tt := range tests {
		app := newApp(strings.Fields(tt.args), strings.NewReader(""), io.Discard, io.Discard)
		var got []string
		for _, c := range app.Commands {
			got = append(got, c.Name)
		}
		want := tt.want
		if want == nil {
			for _, d := range defs {
				want = append(want, d.name)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("newApp(%q): commands %q, want %q", tt.args, got, want)
		}
	}
}

// TestPlainRunDropsCategories: a run of one command that cannot show help
// has no flag left with a help category (so urfave/cli renders none at
// start), whatever the flag's type; a run that may show help keeps them.
func TestPlainRunDropsCategories(t *testing.T) {
	categorized := func(app *cli.App) (n int, left []string) {
		walk := func(flags []cli.Flag) {
			for _, f := range flags {
				if cf, ok := f.(cli.CategorizableFlag); ok && cf.GetCategory() != "" {
					n++
					left = append(left, fmt.Sprintf("%T %s", f, f.Names()[0]))
				}
			}
		}
		walk(app.Flags)
		var cmds func([]*cli.Command)
		cmds = func(cs []*cli.Command) {
			for _, c := range cs {
				walk(c.Flags)
				cmds(c.Subcommands)
			}
		}
		cmds(app.Commands)
		return n, left
	}
	for _, d := range commandDefs() {
		app := newApp([]string{"ami", "-H", "pbx", d.name, "x"}, strings.NewReader(""), io.Discard, io.Discard)
		if n, left := categorized(app); n > 0 {
			t.Errorf("ami %s: %d flags keep a category: %v", d.name, n, left)
		}
		for _, help := range []string{"--help", "-h", "help"} {
			app := newApp([]string{"ami", d.name, help}, strings.NewReader(""), io.Discard, io.Discard)
			if n, _ := categorized(app); n == 0 {
				t.Errorf("ami %s %s: no flag has a category", d.name, help)
			}
		}
	}
}

// TestInterruptible: the context main runs ami with gets its signal
// handler after the delay, or at once from handleSignals, and a SIGINT then
// cancels it (the process is not killed: the test goes on).
func TestInterruptible(t *testing.T) {
	t.Cleanup(func() { signal.Reset(os.Interrupt, syscall.SIGTERM) })
	for _, tt := range []struct {
		name  string
		delay time.Duration
		now   bool
	}{
		{"at once", time.Hour, true},
		{"after the delay", 100 * time.Millisecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := interruptibleAfter(context.Background(), tt.delay)
			in := ctx.Value(signalsKey{}).(*interrupts)
			if tt.now {
				handleSignals(ctx)
			}
			if !tt.now {
				select {
				case <-in.ready:
					t.Fatal("installed before the delay")
				default:
				}
			}
			select {
			case <-in.ready:
			case <-time.After(10 * time.Second):
				t.Fatal("the handler was not installed")
			}
			if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("SIGINT did not cancel the context")
			}
		})
	}
	handleSignals(context.Background()) // no handler: nothing to do
}

// TestPresizeStackStaysOnTheStack: presizeStack's frame must not escape to
// the heap, or it allocates 24 KiB and grows nothing.
func TestPresizeStackStaysOnTheStack(t *testing.T) {
	if n := testing.AllocsPerRun(10, func() { presizeStack() }); n != 0 {
		t.Fatalf("presizeStack allocates %v times per run, want 0", n)
	}
}

// TestFlagNamesCached: the wrapped flags answer Names() as urfave/cli
// would, and keep their help text.
func TestFlagNamesCached(t *testing.T) {
	raw := &cli.StringFlag{Name: "host", Aliases: []string{"H"}, Category: "Connection", Usage: "server `HOST`"}
	f := withNames([]cli.Flag{raw})[0]
	if _, ok := f.(*stringFlag); !ok {
		t.Fatalf("withNames: %T, want *stringFlag", f)
	}
	if got, want := f.Names(), raw.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if f.String() != raw.String() {
		t.Errorf("String() = %q, want %q", f.String(), raw.String())
	}
	if cf, ok := f.(cli.CategorizableFlag); !ok || cf.GetCategory() != "Connection" {
		t.Errorf("category lost: %T", f)
	}

	// Every wrapped flag of every command has the names urfave/cli
	// would give it.
	app := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	flags := app.Flags
	for _, c := range app.Commands {
		flags = append(flags, c.Flags...)
	}
	for _, f := range flags {
		var name string
		var aliases []string
		switch f := f.(type) {
		case *stringFlag:
			name, aliases = f.Name, f.Aliases
		case *intFlag:
			name, aliases = f.Name, f.Aliases
		case *boolFlag:
			name, aliases = f.Name, f.Aliases
		case *durationFlag:
			name, aliases = f.Name, f.Aliases
		default:
			continue
		}
		if got, want := f.Names(), cli.FlagNames(name, aliases); !reflect.DeepEqual(got, want) {
			t.Errorf("%T %s: Names() = %q, want %q", f, name, got, want)
		}
	}
}
