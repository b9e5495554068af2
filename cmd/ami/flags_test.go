package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

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
