package amiwire

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"github.com/ami-cli/ami/amiwire/internal/wire"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fixtureDir holds the project's copy of the real Asterisk 22 transcripts, relative to this package.
const fixtureDir = "amitest/fixtures/asterisk-22"

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// fixtureFiles returns the transcript files matching pattern; a missing
// fixture directory fails the test (the copy is part of the repository).
func fixtureFiles(t *testing.T, pattern string) []string {
	t.Helper()
	if _, err := os.Stat(fixtureDir); err != nil {
		t.Fatalf("Asterisk 22 fixtures not found at %s: %v", fixtureDir, err)
	}
	files, err := filepath.Glob(filepath.Join(fixtureDir, pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures match %s: %v", pattern, err)
	}
	return files
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	fixtureFiles(t, "README.md")
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readServer parses a server transcript: banner, then packets to the end. It
// checks the exactness property: the packets' Raw bytes, concatenated, are
// the file without its banner line.
func readServer(t *testing.T, data []byte) (string, []Packet) {
	t.Helper()
	r := NewReader(bytes.NewReader(data))
	banner, err := r.ReadBanner()
	if err != nil {
		t.Fatalf("banner: %v", err)
	}
	body := data[int(r.Offset()):]
	pkts := readAll(t, r)
	var cat []byte
	for _, p := range pkts {
		cat = append(cat, p.Raw...)
	}
	if !bytes.Equal(cat, body) {
		t.Fatalf("Raw of all packets (%d bytes) differs from the stream after the banner (%d bytes)", len(cat), len(body))
	}
	return banner, pkts
}

// readAll reads packets until io.EOF; any other error fails the test.
func readAll(t *testing.T, r *Reader) []Packet {
	t.Helper()
	var pkts []Packet
	for range 1 << 20 {
		p, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			return pkts
		}
		if err != nil {
			t.Fatalf("packet %d: %v", len(pkts), err)
		}
		pkts = append(pkts, p)
	}
	t.Fatal("too many packets")
	return nil
}

// listCheck follows the event lists of a server transcript by ActionID and
// checks that each one's item count equals the ListItems of its final event.
// It returns one "ActionID=items" entry per list, in order of completion.
func listCheck(t *testing.T, pkts []Packet) []string {
	t.Helper()
	open := map[string]int{}
	var done []string
	for i, p := range pkts {
		id := p.Get("ActionID")
		switch listMarkOf(p) {
		case listStart:
			if _, dup := open[id]; dup {
				t.Errorf("packet %d: list %q started twice", i, id)
			}
			open[id] = 0
		case listItem:
			if n, ok := open[id]; ok {
				open[id] = n + 1
			}
		case listComplete:
			n, ok := open[id]
			if !ok {
				t.Errorf("packet %d: %s completes a list %q that never started", i, p.Get("Event"), id)
				continue
			}
			if want := listItems(p); n != want {
				t.Errorf("list %q: %d items, final event says ListItems %d", id, n, want)
			}
			delete(open, id)
			done = append(done, fmt.Sprintf("%s=%d", id, n))
		case listCancelled:
			t.Errorf("packet %d: list %q cancelled", i, id)
			delete(open, id)
		}
	}
	for id := range open {
		t.Errorf("list %q never completed", id)
	}
	return done
}

// summary describes a server transcript in one line for the golden file.
func summary(name string, pkts []Packet, lists []string) string {
	var resp, ev int
	for _, p := range pkts {
		switch p.kind() {
		case kindResponse:
			resp++
		case kindEvent:
			ev++
		}
	}
	s := fmt.Sprintf("%s: %d packets, %d responses, %d events", name, len(pkts), resp, ev)
	if len(lists) > 0 {
		s += ", lists " + strings.Join(lists, " ")
	}
	return s
}

// TestFixturesServer parses every server transcript: banner, exact Raw,
// well-formed packets whose first line says their kind, list item counts,
// and a golden summary of the packet counts (testdata/fixtures.golden).
func TestFixturesServer(t *testing.T) {
	var lines []string
	for _, file := range fixtureFiles(t, "*.server.ami") {
		name := filepath.Base(file)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			banner, pkts := readServer(t, data)
			if banner != "Asterisk Call Manager/11.0.0" {
				t.Errorf("banner %q", banner)
			}
			if v, ok := wire.BannerVersion(banner); !ok || v != "11.0.0" {
				t.Errorf("wire.BannerVersion(%q) = %q, %v", banner, v, ok)
			}
			if n := bytes.Count(data, []byte("\r\n\r\n")); n != len(pkts) {
				t.Errorf("%d packets, the file has %d CRLF CRLF", len(pkts), n)
			}
			for i, p := range pkts {
				first := p.Fields[0].Key
				want := map[string]packetKind{"Response": kindResponse, "Event": kindEvent}[first]
				if want == kindUnknown || p.kind() != want {
					t.Errorf("packet %d: first key %q, Kind %v", i, first, p.kind())
				}
				for _, f := range p.Fields {
					if f.Key == "" || strings.ContainsAny(f.Key+f.Value, "\r\n") {
						t.Errorf("packet %d: bad field %q", i, f)
					}
				}
				if !bytes.HasSuffix(p.Raw, []byte("\r\n\r\n")) || !bytes.HasPrefix(p.Raw, []byte(first+": ")) {
					t.Errorf("packet %d: Raw %q", i, truncate(string(p.Raw), 60))
				}
			}
			// The last packet is Goodbye, except where the server refused the login.
			last := pkts[len(pkts)-1]
			if name == "login-bad-secret.server.ami" {
				if !last.isError() || last.Get("Message") != "Authentication failed" {
					t.Errorf("last packet %v", last)
				}
			} else if last.Get("Response") != "Goodbye" {
				t.Errorf("last packet is not Goodbye: %v", last)
			}
			lines = append(lines, summary(name, pkts, listCheck(t, pkts)))
		})
	}
	golden(t, "fixtures.golden", strings.Join(lines, "\n")+"\n")
}

// golden compares got with testdata/name, or rewrites it under -update.
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
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update after checking):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestFixturesClient parses every client transcript: no banner, only
// actions, and appendAction re-encodes each one byte for byte.
func TestFixturesClient(t *testing.T) {
	for _, file := range fixtureFiles(t, "*.client.ami") {
		name := filepath.Base(file)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			pkts := readAll(t, NewReader(bytes.NewReader(data)))
			if len(pkts) == 0 {
				t.Fatal("no packets")
			}
			var enc []byte
			for i, p := range pkts {
				if p.kind() != kindAction {
					t.Errorf("packet %d: Kind %v", i, p.kind())
				}
				out, err := appendAction(nil, Packet{Fields: p.Fields})
				if err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				if !bytes.Equal(out, p.Raw) {
					t.Errorf("packet %d re-encoded:\n%q\nwire:\n%q", i, out, p.Raw)
				}
				enc = append(enc, out...)
			}
			if !bytes.Equal(enc, data) {
				t.Errorf("re-encoded transcript differs from the file")
			}
		})
	}
}

// serverPackets reads one server transcript.
func serverPackets(t *testing.T, name string) []Packet {
	t.Helper()
	_, pkts := readServer(t, readFixture(t, name))
	return pkts
}

func findEvent(pkts []Packet, event string) (Packet, bool) {
	for _, p := range pkts {
		if p.Get("Event") == event {
			return p, true
		}
	}
	return Packet{}, false
}

// TestFixtureDetails checks what the fixtures README says about individual
// transcripts.
func TestFixtureDetails(t *testing.T) {
	fixtureFiles(t, "README.md")

	t.Run("command output", func(t *testing.T) {
		pkts := serverPackets(t, "command-core-show-channels.server.ami")
		var cmd Packet
		for _, p := range pkts {
			if p.Get("Message") == "Command output follows" {
				cmd = p
			}
		}
		out := cmd.Values("Output")
		if len(out) != 10 {
			t.Fatalf("%d Output lines, want 10: %q", len(out), out)
		}
		if !strings.HasPrefix(out[0], "Channel ") || !strings.HasSuffix(out[0], "Application(Data)             ") {
			t.Errorf("header line lost its padding: %q", out[0])
		}
		if out[9] != "85 calls processed" {
			t.Errorf("last line %q", out[9])
		}
		if listMarkOf(cmd) != listNone {
			t.Errorf("Command reply is a list")
		}
		v := serverPackets(t, "command-core-show-version.server.ami")
		var outs []string
		for _, p := range v {
			outs = append(outs, p.Values("Output")...)
		}
		if len(outs) != 1 || !strings.HasPrefix(outs[0], "Asterisk 22.") {
			t.Errorf("core show version Output %q", outs)
		}
	})

	t.Run("empty values", func(t *testing.T) {
		pkts := serverPackets(t, "core-show-channels-3.server.ami")
		n := 0
		for _, p := range pkts {
			if p.Get("Event") != "CoreShowChannel" {
				continue
			}
			n++
			for _, k := range []string{"AccountCode", "BridgeId"} {
				if v, ok := p.Lookup(k); !ok || v != "" {
					t.Errorf("%s = %q, %v; want present and empty", k, v, ok)
				}
			}
			if p.Fields[1].Key != "ActionID" {
				t.Errorf("ActionID is not the second line: %v", p.Fields[1])
			}
			if p.Get("CallerIDNum") != "<unknown>" {
				t.Errorf("CallerIDNum %q", p.Get("CallerIDNum"))
			}
		}
		if n != 6 {
			t.Errorf("%d CoreShowChannel events, want 6", n)
		}
		st := serverPackets(t, "status-3.server.ami")
		n = 0
		for _, p := range st {
			if p.Get("Event") == "Status" {
				n++
				if p.Fields[len(p.Fields)-1].Key != "ActionID" || p.Get("Privilege") != "Call" {
					t.Errorf("Status item: last %v, Privilege %q", p.Fields[len(p.Fields)-1], p.Get("Privilege"))
				}
				if v, ok := p.Lookup("DNID"); !ok || v != "" {
					t.Errorf("DNID = %q, %v", v, ok)
				}
				if !p.Has("BridgeID") || p.Fields[slices.IndexFunc(p.Fields, func(f Field) bool { return strings.EqualFold(f.Key, "BridgeID") })].Key != "BridgeID" {
					t.Errorf("BridgeID key case not kept")
				}
			}
		}
		if n != 6 {
			t.Errorf("%d Status events, want 6", n)
		}
		if c, ok := findEvent(st, "StatusComplete"); !ok || c.Get("ListItems") != "6" || c.Get("Items") != "6" || listItems(c) != 6 {
			t.Errorf("StatusComplete %v", c)
		}
	})

	t.Run("values containing colon space", func(t *testing.T) {
		oa := serverPackets(t, "originate-async.server.ami")
		ue, ok := findEvent(oa, "UserEvent")
		if !ok || ue.Get("Extra") != "a: b" || ue.Get("Detail") != "one two" || ue.Get("UserEvent") != "TestShort" {
			t.Errorf("UserEvent %v", ue)
		}
		db := serverPackets(t, "dbput-dbget.server.ami")
		g, ok := findEvent(db, "DBGetResponse")
		if !ok || g.Get("Val") != "hello: world" || g.Fields[len(g.Fields)-1].Key != "ActionID" {
			t.Errorf("DBGetResponse %v", g)
		}
		var notFound int
		for _, p := range db {
			if p.isError() && p.Get("Message") == "Database entry not found" {
				notFound++
				if listMarkOf(p) != listNone {
					t.Errorf("error response starts a list")
				}
			}
		}
		if notFound != 1 {
			t.Errorf("%d 'Database entry not found' errors", notFound)
		}
		ua := serverPackets(t, "unknown-action.server.ami")
		const msg = "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands."
		var got bool
		for _, p := range ua {
			if p.isError() && p.Get("Message") == msg {
				got = true
			}
		}
		if rb, ok := findEvent(ua, "RequestBadFormat"); !got || !ok || rb.Get("RequestType") != "Action: NoSuchAction" {
			t.Errorf("unknown-action: error found %v, RequestBadFormat %v", got, rb)
		}
	})

	t.Run("OriginateResponse is an event", func(t *testing.T) {
		for _, name := range []string{"originate-async.server.ami", "call-lifecycle.listener.server.ami", "pipelined.server.ami"} {
			pkts := serverPackets(t, name)
			o, ok := findEvent(pkts, "OriginateResponse")
			if !ok {
				t.Errorf("%s: no OriginateResponse", name)
				continue
			}
			if o.kind() != kindEvent || o.Get("Response") != "Success" || o.isError() || listMarkOf(o) != listItem {
				t.Errorf("%s: OriginateResponse Kind %v, Response %q, mark %v", name, o.kind(), o.Get("Response"), listMarkOf(o))
			}
			if name == "originate-async.server.ami" && (o.Get("ActionID") != "orig-2" || o.Get("Reason") != "4") {
				t.Errorf("OriginateResponse %v", o)
			}
		}
	})

	t.Run("pipelined", func(t *testing.T) {
		pkts := serverPackets(t, "pipelined.server.ami")
		idx := func(id string) int {
			return slices.IndexFunc(pkts, func(p Packet) bool { return p.kind() == kindResponse && p.Get("ActionID") == id })
		}
		ping, cs, csc := idx("pipe-ping-2"), idx("pipe-corestatus-3"), idx("pipe-csc-4")
		if ping < 0 || cs < 0 || csc < 0 || !(ping < cs && cs < csc) {
			t.Fatalf("responses at %d, %d, %d", ping, cs, csc)
		}
		if pkts[ping].Get("Ping") != "Pong" || pkts[cs].Get("CoreCurrentCalls") == "" || pkts[cs].Has("Message") {
			t.Errorf("Ping %v / CoreStatus %v", pkts[ping], pkts[cs])
		}
		if n := cs - ping - 1; n != 10 {
			t.Errorf("%d events between Ping and CoreStatus, want 10", n)
		}
		if n := csc - cs - 1; n != 5 {
			t.Errorf("%d events between CoreStatus and CoreShowChannels, want 5", n)
		}
		for i, p := range pkts[ping+1 : csc] {
			if ping+1+i == cs {
				continue
			}
			if p.kind() != kindEvent || p.Get("ActionID") != "" {
				t.Errorf("interleaved packet %v", p)
			}
		}
		items := 0
		for _, p := range pkts[csc+1:] {
			if p.Get("ActionID") != "pipe-csc-4" {
				break
			}
			if listMarkOf(p) == listComplete {
				if listItems(p) != 8 || items != 8 {
					t.Errorf("%d items, ListItems %d, want 8", items, listItems(p))
				}
				break
			}
			items++
		}
		if items != 8 {
			t.Errorf("%d list items in a row, want 8", items)
		}
	})

	t.Run("no-actionid", func(t *testing.T) {
		pkts := serverPackets(t, "no-actionid.server.ami")
		items := 0
		for _, p := range pkts {
			if p.Has("ActionID") {
				t.Errorf("packet has an ActionID: %v", p)
			}
			if p.Get("Event") == "CoreShowChannel" {
				items++
			}
		}
		c, ok := findEvent(pkts, "CoreShowChannelsComplete")
		if !ok || items != 2 || listItems(c) != 2 {
			t.Errorf("%d items, complete %v", items, c)
		}
	})

	t.Run("flood", func(t *testing.T) {
		pkts := serverPackets(t, "flood-1000.listener.server.ami")
		seq := 0
		for _, p := range pkts {
			if p.kind() != kindEvent {
				continue
			}
			if p.Get("Event") != "UserEvent" || p.Get("UserEvent") != "Flood" || p.Get("Seq") != strconv.Itoa(seq) {
				t.Fatalf("event %d: %v", seq, p)
			}
			seq++
		}
		if seq != 1000 || len(pkts) != 1002 {
			t.Errorf("%d events in %d packets", seq, len(pkts))
		}
	})

	t.Run("empty list", func(t *testing.T) {
		pkts := serverPackets(t, "core-show-channels-empty.server.ami")
		var start, end Packet
		for _, p := range pkts {
			switch listMarkOf(p) {
			case listStart:
				start = p
			case listComplete:
				end = p
			}
		}
		if start.Get("ActionID") != "csc-2" || start.Get("Message") != "Channels will follow" || end.Get("ActionID") != "csc-2" || listItems(end) != 0 {
			t.Errorf("start %v end %v", start, end)
		}
	})

	t.Run("getconfig", func(t *testing.T) {
		pkts := serverPackets(t, "getconfig.server.ami")
		var cfg Packet
		for _, p := range pkts {
			if p.Has("Category-000000") {
				cfg = p
			}
		}
		if cfg.Get("Category-000000") != "general" || listMarkOf(cfg) != listNone {
			t.Errorf("GetConfig reply %v", cfg)
		}
		var empty bool
		for _, f := range cfg.Fields {
			if strings.HasPrefix(f.Key, "Line-") && strings.HasSuffix(f.Value, "=") {
				empty = true
			}
		}
		if !empty {
			t.Errorf("no empty setting (name=) kept")
		}
	})
}
