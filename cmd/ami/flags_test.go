package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestDurationFlagsTakeSeconds: every duration flag of every command takes
// a bare number as seconds, and a value it cannot read is refused with the
// flag's long name (two dashes) and examples.
func TestDurationFlagsTakeSeconds(t *testing.T) {
	app := buildApp(strings.NewReader(""), io.Discard, io.Discard)
	type durFlag struct{ cmd, name, alias string }
	var all []durFlag
	collect := func(cmd string, flags []cli.Flag) {
		for _, f := range flags {
			switch f := f.(type) {
			case *cli.DurationFlag:
				t.Errorf("%s --%s is a plain *cli.DurationFlag: it would not take a bare number", cmd, f.Name)
			case *durationFlag:
				d := durFlag{cmd: cmd, name: f.Name}
				for _, a := range f.Aliases {
					if len(a) == 1 {
						d.alias = a
					}
				}
				all = append(all, d)
			}
		}
	}
	collect("", app.Flags)
	for _, c := range app.Commands {
		collect(c.Name, c.Flags)
	}
	if len(all) < 5 {
		t.Fatalf("found %d duration flags, want --timeout, --duration, --keepalive, --warning, --critical at least", len(all))
	}

	// A value that is neither: refused before connecting, naming the flag
	// as a user writes it, even when given by its one-letter alias.
	for _, d := range all {
		written := []string{"--" + d.name}
		if d.alias != "" {
			written = append(written, "-"+d.alias)
		}
		for _, w := range written {
			args := []string{w, "soon"}
			if d.cmd != "" {
				args = append([]string{d.cmd}, args...)
			}
			r := amiRun(t, "", args...)
			want := exitUsage
			if d.cmd == "login-check" || d.cmd == "check" {
				want = nagiosUnknown // a Nagios plugin's usage error
			}
			if r.code != want {
				t.Errorf("ami %s: exit %d, want %d", strings.Join(args, " "), r.code, want)
			}
			msg := r.stderr + r.stdout
			for _, s := range []string{`"soon"`, "for flag --" + d.name + ":", "like 5 or 0.2", "200ms"} {
				if !strings.Contains(msg, s) {
					t.Errorf("ami %s: message lacks %q:\n%s", strings.Join(args, " "), s, msg)
				}
			}
		}
	}

	srv := newServer(t, amitest.Options{})
	t.Run("timeout 5", func(t *testing.T) {
		amiRun(t, "", with(t, srv, "send", "--timeout", "5", "Fixed")...).want(t, exitOK)
		amiRun(t, "", append([]string{"--timeout", "2.5"}, with(t, srv, "send", "Fixed")...)...).want(t, exitOK)
	})
	t.Run("login-check -w", func(t *testing.T) {
		// 200 is 200 seconds: OK. 0.000001 is a microsecond: no check is
		// that fast, so WARNING, which shows the number was read as
		// seconds and not dropped.
		r := amiRun(t, "", with(t, srv, "login-check", "-w", "200", "-c", "300")...)
		if r.code != nagiosOK || !strings.HasPrefix(r.stdout, "AMI OK") {
			t.Errorf("-w 200: exit %d, %q", r.code, r.stdout)
		}
		r = amiRun(t, "", with(t, srv, "login-check", "-w", "0.000001")...)
		if r.code != nagiosWarning || !strings.HasPrefix(r.stdout, "AMI WARNING") || !strings.Contains(r.stdout, "1µs") {
			t.Errorf("-w 0.000001: exit %d, %q", r.code, r.stdout)
		}
	})
	t.Run("listen -d", func(t *testing.T) {
		start := time.Now()
		amiRun(t, "", with(t, srv, "listen", "-d", "0.2", "-o", "json")...).want(t, exitOK)
		if el := time.Since(start); el < 200*time.Millisecond {
			t.Errorf("listen -d 0.2 ended after %v", el)
		}
	})
}
