package amitest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// sharedFixtures is the project's fixture directory, relative to this
// package; it exists in the development tree only.
const sharedFixtures = "../../../shared/fixtures/asterisk-22"

func TestFixturesMatchShared(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sharedFixtures, "*.ami"))
	if err != nil || len(files) == 0 {
		t.Skipf("shared fixtures not present at %s", sharedFixtures)
	}
	embedded := map[string]bool{}
	for _, n := range FixtureNames() {
		embedded[n] = true
	}
	for _, f := range files {
		name := filepath.Base(f)
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Fixture(name)
		if err != nil {
			t.Errorf("%s: not embedded", name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: embedded copy differs from %s", name, f)
		}
		delete(embedded, name)
	}
	for n := range embedded {
		t.Errorf("%s: embedded but not in %s", n, sharedFixtures)
	}
}
