package calls

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// base is the time of a test's first packet; packet i arrives step later
// than packet i-1 (the recordings hold no times).
var base = time.Date(2026, 12, 5, 7, 38, 54, 0, time.UTC)

const tick = 10 * time.Millisecond

func at(i int) time.Time { return base.Add(time.Duration(i) * tick) }

// recording returns the packets of a server recording, banner left out.
func recording(t testing.TB, name string) []amiwire.Packet {
	t.Helper()
	data, err := amitest.Fixture(name)
	if err != nil {
		t.Fatal(err)
	}
	r := amiwire.NewReader(bytes.NewReader(data))
	if _, err := r.ReadBanner(); err != nil {
		t.Fatalf("%s: banner: %v", name, err)
	}
	var out []amiwire.Packet
	for range 1 << 16 {
		p, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: packet %d: %v", name, len(out), err)
		}
		out = append(out, p)
	}
	t.Fatalf("%s: too many packets", name)
	return nil
}

// events returns the packets that are events, in order.
func eventsOf(pkts []amiwire.Packet) []amiwire.Packet {
	var out []amiwire.Packet
	for _, p := range pkts {
		if p.Has("Event") {
			out = append(out, p)
		}
	}
	return out
}

// ev builds an event packet from key/value pairs.
func ev(name string, kv ...string) amiwire.Packet {
	p := amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: name}, {Key: "Privilege", Value: "call,all"}}}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Fields = append(p.Fields, amiwire.Field{Key: kv[i], Value: kv[i+1]})
	}
	return p
}

// chanFields returns the snapshot headers of a channel, each key with the
// prefix.
func chanFields(prefix, name, uid, lid string, state int, more ...string) []string {
	kv := []string{
		prefix + "Channel", name,
		prefix + "ChannelState", fmt.Sprint(state),
		prefix + "ChannelStateDesc", stateDescOf(state),
		prefix + "CallerIDNum", "<unknown>",
		prefix + "CallerIDName", "<unknown>",
		prefix + "ConnectedLineNum", "<unknown>",
		prefix + "ConnectedLineName", "<unknown>",
		prefix + "Exten", "s",
		prefix + "Uniqueid", uid,
		prefix + "Linkedid", lid,
	}
	for i := 0; i+1 < len(more); i += 2 {
		k := prefix + more[i]
		replaced := false
		for j := 0; j+1 < len(kv); j += 2 {
			if kv[j] == k {
				kv[j+1], replaced = more[i+1], true
			}
		}
		if !replaced {
			kv = append(kv, k, more[i+1])
		}
	}
	return kv
}

func stateDescOf(n int) string {
	if n >= 0 && n < len(stateDescs) {
		return stateDescs[n]
	}
	return "Unknown"
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", name, diff(string(want), got))
	}
}

// diff shows the first lines where want and got differ.
func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, w, g)
		}
	}
	return "(equal)"
}
