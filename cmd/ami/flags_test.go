package main

import (
	"reflect"
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
}
