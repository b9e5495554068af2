package amitest

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// Every scenario the recordings' README describes is embedded with both
// sides, and the embedded bytes are the files in the repository. The copy is
// refreshed from the development tree's recordings by scripts/sync-fixtures.sh.
func TestFixturesEmbedded(t *testing.T) {
	readme, err := os.ReadFile(fixtureDir + "/README.md")
	if err != nil {
		t.Fatalf("the recordings' README: %v", err)
	}
	embedded := map[string]bool{}
	for _, n := range FixtureNames() {
		embedded[n] = true
	}
	scenario := regexp.MustCompile("(?m)^\\| `([a-z0-9.-]+)`")
	found := scenario.FindAllSubmatch(readme, -1)
	if len(found) < 20 {
		t.Fatalf("README lists %d scenarios, want at least 20", len(found))
	}
	for _, m := range found {
		name := string(m[1])
		if !embedded[name+".server.ami"] && !embedded[name+".listener.server.ami"] {
			t.Errorf("scenario %s: no server recording embedded", name)
		}
	}
	for n := range embedded {
		want, err := os.ReadFile(fixtureDir + "/" + n)
		if err != nil {
			t.Fatal(err)
		}
		if got := MustFixture(n); !bytes.Equal(got, want) {
			t.Errorf("%s: embedded copy differs from the file", n)
		}
	}
}
