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
