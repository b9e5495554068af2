package main

import (
	"time"

	"github.com/urfave/cli/v2"
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

// urfave/cli computes a flag's Names() with a regular expression on every
// call, and finds a flag by scanning the names of every flag: IsSet does so
// for each flag not set, and runFlagActions calls IsSet for every name of
// every flag of every command on the way. With the connection flags both on
// the app and on the command, `ami send Ping` ran that regexp about a
// thousand times (0.5 ms). The wrappers below compute the names once.
// They embed the urfave/cli flag, so it keeps every method and interface
// (help, man page, completion); only a type switch on *cli.StringFlag and
// the like would see the wrapper.

type stringFlag struct {
	*cli.StringFlag
	names []string
}

type intFlag struct {
	*cli.IntFlag
	names []string
}

type boolFlag struct {
	*cli.BoolFlag
	names []string
}

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
// renders every flag of the command it runs as it starts (see newApp).
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
			flags[i] = &stringFlag{f, flagNames(f.Name, f.Aliases)}
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

// cacheHelpFlagNames gives urfave/cli's own --help and --version flags the
// cached names of ami's flags (withNames). runFlagActions looks up every
// name of every flag on each run, and for these two each lookup ran
// cli.FlagNames' regexp (7% of an in-process `ami send Ping`). They are
// package variables of urfave/cli, meant to be replaced, so main sets them
// once for the process; tests that run ami in-process keep the originals,
// which behave the same.
func cacheHelpFlagNames() {
	cli.HelpFlag = withNames([]cli.Flag{cli.HelpFlag})[0]
	cli.VersionFlag = withNames([]cli.Flag{cli.VersionFlag})[0]
}
