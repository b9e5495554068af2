package amitest

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

// fixtureFS holds byte-for-byte recordings of a real Asterisk 22.10.1
// (fixtures/asterisk-22/README.md says what each shows); the project's
// own copy, so that a clone alone tests green.
//
//go:embed fixtures/asterisk-22/*.ami
var fixtureFS embed.FS

const fixtureDir = "fixtures/asterisk-22"

// Fixture returns the embedded copy of a recorded Asterisk 22 transcript,
// by file name ("login-plain.server.ami"). The bytes are exactly as
// recorded; the caller must not modify them.
func Fixture(name string) ([]byte, error) {
	b, err := fixtureFS.ReadFile(fixtureDir + "/" + name)
	if err != nil {
		return nil, fmt.Errorf("amitest: fixture %q: %w", name, err)
	}
	return b, nil
}

// MustFixture is Fixture for names known to exist; it panics otherwise.
func MustFixture(name string) []byte {
	b, err := Fixture(name)
	if err != nil {
		panic(err)
	}
	return b
}

// FixtureNames lists the embedded fixture files, sorted.
func FixtureNames() []string {
	ents, _ := fs.ReadDir(fixtureFS, fixtureDir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}
