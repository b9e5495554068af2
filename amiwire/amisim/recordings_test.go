package amisim

import (
	"bytes"
	"io/fs"
	"os"
	"testing"
)

// TestRecordingsMatchFixtures holds the simulator's embedded copies to the
// recordings in amitest/fixtures: a whole file equals its original byte
// for byte; a cut (named in cuts) is the original's first packet of that
// kind, byte for byte.
func TestRecordingsMatchFixtures(t *testing.T) {
	const fixtures = "../amitest/fixtures/asterisk-22/"
	cuts := map[string]struct{ from, start string }{
		"flood-event.ami": {"flood-1000.listener.server.ami", "Event: UserEvent\r\n"},
	}
	names, err := fs.Glob(recordingFS, "recordings/*.ami")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded recordings: %v", err)
	}
	for _, path := range names {
		name := path[len("recordings/"):]
		got, err := recording(name)
		if err != nil {
			t.Fatal(err)
		}
		cut, isCut := cuts[name]
		if !isCut {
			want, err := os.ReadFile(fixtures + name)
			if err != nil {
				t.Fatalf("%s: no such recording in the fixtures: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s%s", name, fixtures, name)
			}
			continue
		}
		orig, err := os.ReadFile(fixtures + cut.from)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(orig, []byte(cut.start))
		end := bytes.Index(orig[max(i, 0):], []byte("\r\n\r\n"))
		if i < 0 || end < 0 {
			t.Fatalf("%s: no %q packet", cut.from, cut.start)
		}
		if want := orig[i : i+end+4]; !bytes.Equal(got, want) {
			t.Errorf("%s is not the first %q packet of %s:\n%q\nwant\n%q", name, cut.start, cut.from, got, want)
		}
	}
}
