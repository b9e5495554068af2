package amisim

import (
	"embed"
	"fmt"
)

// recordingFS holds the few Asterisk 22 recordings the simulator takes its
// bytes from: copies of files of amiwire/amitest/fixtures/asterisk-22, or
// one packet cut from such a file where the whole would be big (see
// recordings/README.md). TestRecordingsMatchFixtures holds them to the
// originals.
//
//go:embed recordings/*.ami
var recordingFS embed.FS

// recording returns an embedded recording by file name. The bytes are
// exactly as recorded; the caller must not modify them.
func recording(name string) ([]byte, error) {
	b, err := recordingFS.ReadFile("recordings/" + name)
	if err != nil {
		return nil, fmt.Errorf("amisim: recording %q: %w", name, err)
	}
	return b, nil
}
