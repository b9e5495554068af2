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

func TestReorderArgs(t *testing.T) {
	app := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	tests := []struct {
		in, want string
	}{
		{"ami list CoreShowChannels -o table", "ami list -o table -- CoreShowChannels"},
		{"ami -H pbx list CoreShowChannels --fields=A,B -o json", "ami -H pbx list --fields=A,B -o json -- CoreShowChannels"},
		{"ami --tls -H pbx send Ping", "ami --tls -H pbx send -- Ping"},
		{"ami send -o json Ping Channel=-x", "ami send -o json -- Ping Channel=-x"},
		{"ami send Ping -- -o", "ami send -- Ping -o"},
		{"ami send", "ami send"},
		{"ami", "ami"},
		{"ami help send", "ami help send"},
		{"ami nosuch -x", "ami nosuch -x"},
		{"ami send Ping --mock", "ami send --mock -- Ping"},
	}
	for _, tt := range tests {
		got := reorderArgs(app, strings.Fields(tt.in))
		if !reflect.DeepEqual(got, strings.Fields(tt.want)) {
			t.Errorf("reorderArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNoFlagClash checks that no command defines two flags with the same
// name or alias (urfave/cli would panic at parse time), and that command
// names are unique.
func TestNoFlagClash(t *testing.T) {
	app := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	check := func(where string, names [][]string) {
		seen := map[string]bool{"help": true, "h": true}
		for _, ns := range names {
			for _, n := range ns {
				if seen[n] {
					t.Errorf("%s: flag %q defined twice", where, n)
				}
				seen[n] = true
			}
		}
	}
	var appNames [][]string
	for _, f := range app.Flags {
		appNames = append(appNames, f.Names())
	}
	check("ami", appNames)
	cmds := map[string]bool{}
	for _, c := range app.Commands {
		for _, n := range c.Names() {
			if cmds[n] {
				t.Errorf("command %q defined twice", n)
			}
			cmds[n] = true
		}
		var names [][]string
		for _, f := range c.Flags {
			names = append(names, f.Names())
		}
		check("ami "+c.Name, names)
	}
}

// TestHelp: each of send, list and command has a description and at least
// two examples; the app's help lists the exit codes.
func TestHelp(t *testing.T) {
	for _, cmd := range []string{"send", "list", "command"} {
		for _, args := range [][]string{{cmd, "--help"}, {"help", cmd}} {
			r := amiRun(t, "", args...)
			r.want(t, 0)
			i := strings.Index(r.stdout, "EXAMPLES:")
			if i < 0 || !strings.Contains(r.stdout, "DESCRIPTION:") {
				t.Fatalf("%v: no DESCRIPTION/EXAMPLES:\n%s", args, r.stdout)
			}
			if n := strings.Count(r.stdout[i:], "\n      ami "); n < 2 {
				t.Errorf("%v: %d examples", args, n)
			}
		}
	}
	// Help shows the flags by category, the plain runs drop (see
	// TestPlainRunDropsCategories) included.
	for _, args := range [][]string{{"send", "--help"}, {"-H", "pbx", "send", "-h"}, {"listen", "--help"}, {"help", "listen"}} {
		r := amiRun(t, "", args...)
		r.want(t, 0)
		if !strings.Contains(r.stdout, "\n   Connection\n") {
			t.Errorf("%v: help without its Connection category:\n%s", args, r.stdout)
		}
	}
	r := amiRun(t, "", "--help")
	r.want(t, 0)
	for _, s := range []string{"EXIT CODES:", "4    authentication failed", "send", "list", "command", "--host", "[$AMI_HOST]"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("app help lacks %q", s)
		}
	}
	// No arguments: help, exit 2.
	amiRun(t, "", []string{}...).want(t, exitUsage)
	r = amiRun(t, "", "--version")
	r.want(t, 0)
	if !strings.Contains(r.stdout, "ami version ") {
		t.Errorf("--version: %q", r.stdout)
	}
}

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
