package main

import (
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/cmd/ami/internal/duration"
)

// Flags that exist both on the app and on a subcommand (the connection
// flags) are read with these helpers: the value given after the subcommand
// wins, then the one given before it (or its environment variable, which
// only the app-level copy reads), then the default.
//
// That is what makes `ami -H pbx send Ping` and `ami send -H pbx Ping` the
// same; c.String alone would return the subcommand's default and ignore the
// app-level value.

// lookupSet returns the innermost context in c's lineage where the flag
// name was set, or nil.
func lookupSet(c *cli.Context, name string) *cli.Context {
	for _, cc := range c.Lineage() {
		if cc.IsSet(name) {
			return cc
		}
	}
	return nil
}

// isSetAny reports whether the flag was set anywhere in c's lineage.
func isSetAny(c *cli.Context, name string) bool { return lookupSet(c, name) != nil }

func flagString(c *cli.Context, name string) string {
	if cc := lookupSet(c, name); cc != nil {
		return cc.String(name)
	}
	return c.String(name)
}

func flagBool(c *cli.Context, name string) bool {
	if cc := lookupSet(c, name); cc != nil {
		return cc.Bool(name)
	}
	return c.Bool(name)
}

func flagInt(c *cli.Context, name string) int {
	if cc := lookupSet(c, name); cc != nil {
		return cc.Int(name)
	}
	return c.Int(name)
}

func flagDuration(c *cli.Context, name string) time.Duration {
	if cc := lookupSet(c, name); cc != nil {
		return cc.Duration(name)
	}
	return c.Duration(name)
}

// Apply registers the flag with a value that takes a bare number as
// seconds ("5", "0.2", as monitoring plugins take -w and -c) besides Go
// durations ("200ms", "1m30s"). All names share the one value. The
// flag's EnvVars are not read: no duration flag of ami has any.
func (f *durationFlag) Apply(set *flag.FlagSet) error {
	v := secondsValue{d: f.Destination}
	if v.d == nil {
		v.d = new(time.Duration)
	}
	*v.d = f.Value
	for _, name := range f.Names() {
		set.Var(v, name, f.Usage)
	}
	return nil
}

// secondsValue is the flag.Value of a durationFlag. String gives Go's
// form ("200ms"), which is what urfave/cli's Context.Duration parses.
type secondsValue struct{ d *time.Duration }

func (v secondsValue) Set(s string) error {
	d, err := duration.Parse(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func (v secondsValue) String() string {
	if v.d == nil {
		return "0s"
	}
	return v.d.String()
}

// Get returns the time.Duration, for flag.Getter.
func (v secondsValue) Get() any { return *v.d }

// withSeconds replaces every *cli.DurationFlag of cmd and of its
// subcommands by a durationFlag, so that every duration flag of ami takes
// a bare number as seconds.
func withSeconds(cmd *cli.Command) {
	for i, f := range cmd.Flags {
		if df, ok := f.(*cli.DurationFlag); ok {
			cmd.Flags[i] = &durationFlag{df, flagNames(df.Name, df.Aliases)}
		}
	}
	for _, sub := range cmd.Subcommands {
		withSeconds(sub)
	}
}

// flagInError finds the flag names in the errors of Go's flag package
// ("invalid value "x" for flag -timeout: ...", "flag needs an argument:
// -w", "flag provided but not defined: -colour"), compiled on first use:
// only a usage error needs it.
var flagInError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(for flag |for |argument: |defined: )-([A-Za-z0-9][A-Za-z0-9_-]*)`)
})

// longFlagNames rewrites the flag names in a flag parsing error the way a
// user writes them: the long name with two dashes ("-w" becomes
// "--warning"), a one-letter flag without one with a single dash.
func longFlagNames(err error, flagSets ...[]cli.Flag) error {
	msg := err.Error()
	if !strings.Contains(msg, " -") {
		return err
	}
	re := flagInError()
	return errors.New(re.ReplaceAllStringFunc(msg, func(m string) string {
		sub := re.FindStringSubmatch(m)
		name := sub[2]
		for _, flags := range flagSets {
			for _, f := range flags {
				for _, n := range f.Names() {
					if n == name {
						name = f.Names()[0]
					}
				}
			}
		}
		if len(name) == 1 {
			return sub[1] + "-" + name
		}
		return fmt.Sprintf("%s--%s", sub[1], name)
	}))
}

// multiString is a repeatable string flag value that, unlike
// cli.StringSliceFlag, never splits a value at commas (globs, secrets and
// header values may contain them).
type multiString struct{ values []string }

// multiCopy is what Serialize returns: urfave/cli copies a flag's value
// to its other names (the same *multiString) through Set(Serialize()),
// which must not append the values a second time. No argument can be
// equal to it: command-line arguments cannot hold NUL bytes.
const multiCopy = "\x00multiString"

// Set appends one value.
func (m *multiString) Set(v string) error {
	if v == multiCopy {
		return nil
	}
	m.values = append(m.values, v)
	return nil
}

// Serialize implements cli.Serializer (see multiCopy).
func (m *multiString) Serialize() string { return multiCopy }

// String renders the values for help output.
func (m *multiString) String() string {
	if m == nil {
		return ""
	}
	return strings.Join(m.values, ", ")
}
