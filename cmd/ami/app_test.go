package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
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
