package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/format"
)

// captureOf writes events as `ami listen -o name [--timestamps]` would,
// the events received a quarter second apart from a fixed time, and
// returns the file's path.
func captureOf(t *testing.T, events []amiwire.Packet, name string, stamped bool) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := format.New(name, &buf, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := newStamper(w)
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for i, p := range events {
		if stamped {
			err = st.write(p, t0.Add(time.Duration(i)*250*time.Millisecond))
		} else {
			err = w.WritePacket(p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "capture."+name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// capturedEvents are the events of the originate-outcomes and
// call-bridged recordings, one after the other, as a listener got them.
func capturedEvents(t *testing.T) []amiwire.Packet {
	var out []amiwire.Packet
	for _, name := range []string{"originate-outcomes.server.ami", "call-bridged.listener.server.ami"} {
		for _, p := range recordedPackets(t, name) {
			if p.Has("Event") {
				out = append(out, p)
			}
		}
	}
	return out
}

// TestTraceFromCapture lists and traces the calls of raw and JSON
// captures, with and without receive times.
func TestTraceFromCapture(t *testing.T) {
	events := capturedEvents(t)
	bridged := ""
	for _, p := range events {
		if p.Get("Event") == "Newchannel" && strings.HasPrefix(p.Get("Channel"), "Local/dialtalk@") {
			bridged = p.Get("Linkedid")
			break
		}
	}
	if bridged == "" {
		t.Fatal("no dialtalk call in the recordings")
	}
	for _, tc := range []struct {
		format  string
		stamped bool
	}{{"raw", true}, {"raw", false}, {"json", true}, {"json", false}} {
		name := tc.format
		if tc.stamped {
			name += "+timestamps"
		}
		t.Run(name, func(t *testing.T) {
			path := captureOf(t, events, tc.format, tc.stamped)

			// No ID: the calls it holds.
			r := amiRun(t, "", "trace", "--from", path, "-o", "json")
			r.want(t, 0)
			recs := callRecords(t, r.stdout)
			ids := map[string]bool{}
			for _, rec := range recs {
				ids[rec["Linkedid"].(string)] = true
			}
			if len(recs) != 6 || !ids[bridged] {
				t.Fatalf("%d calls listed, want talk, busy, congest, noanswer, nosuchexten and dialtalk:\n%s", len(recs), r.stdout)
			}

			// The bridged call, as a timeline.
			r = amiRun(t, "", "trace", "--from", path, bridged, "-o", "timeline")
			r.want(t, 0)
			goldenCheck(t, "trace/bridged-"+name+".timeline", r.stdout)
			if tc.stamped == strings.Contains(r.stderr, "order only") {
				t.Errorf("stderr: %q", r.stderr)
			}

			// By a party: the one call to busy, from stdin.
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r = amiRun(t, string(in), "trace", "--from", "-", "--exten", "busy", "-o", "json")
			r.want(t, 0)
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if !strings.Contains(line, "Local/busy@default-") {
					t.Errorf("not the busy call's: %s", line)
				}
			}
			if !strings.Contains(r.stdout, `"Cause-txt":"User busy"`) {
				t.Errorf("the busy call's last hangup is missing:\n%s", r.stdout)
			}
		})
	}

	path := captureOf(t, events, "raw", false)
	r := amiRun(t, "", "trace", "--from", path, "--exten", "*a*") // talk, noanswer, dialtalk...
	r.want(t, exitActionError, "match; trace one by its Linkedid")
	if n := len(callRecords(t, r.stdout)); n < 2 {
		t.Errorf("the matching calls are listed: %s", r.stdout)
	}
	r = amiRun(t, "", "trace", "--from", path, "--caller", "999")
	r.want(t, exitActionError, "no call in")
	r = amiRun(t, "", "trace", "--from", path, "1.2")
	r.want(t, exitActionError, "no call with Linkedid 1.2")
	r = amiRun(t, "", "trace", "--from", path, "--channel", "Local/noanswer@default", "-o", "raw")
	r.want(t, 0)
	if !strings.Contains(r.stdout, "Channel: Local/noanswer@default-") || strings.Contains(r.stdout, "Local/talk@") {
		t.Errorf("--channel by device:\n%s", r.stdout)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{\"Event\":\"A\"}\n{\"Event\":\n"), 0o644)
	r = amiRun(t, "", "trace", "--from", bad)
	r.want(t, exitUsage, "line 2")
	r = amiRun(t, "", "trace", "--from", filepath.Join(t.TempDir(), "missing"))
	r.want(t, exitUsage, "--from")
}

// TestTraceUsage: a trace needs one way to name the call.
func TestTraceUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{}, "which call?"},
		{[]string{"1.1", "2.2"}, "unexpected argument"},
		{[]string{"1.1", "--uniqueid", "1.2"}, "one of"},
		{[]string{"--from", "-", "1.1", "--exten", "100"}, "not both"},
		{[]string{"1.1", "-o", "yaml"}, "-o"},
	} {
		r := amiRun(t, "", append([]string{"trace"}, tc.args...)...)
		r.want(t, exitUsage, tc.says)
	}
}

// TestTraceLive traces a call that the snapshot has to its hangups, and
// exits 1 at once for an ID that no channel has.
func TestTraceLive(t *testing.T) {
	items := recordedChannels(t)
	target := items[0].Get("Linkedid")
	var hangups []amiwire.Packet
	for _, it := range items {
		if it.Get("Linkedid") != target {
			continue
		}
		var p amiwire.Packet
		p.Add("Event", "Hangup")
		p.Add("Privilege", "call,all")
		for _, k := range []string{"Channel", "Uniqueid", "Linkedid"} {
			p.Add(k, it.Get(k))
		}
		p.Add("Cause", "16")
		p.Add("Cause-txt", "Normal Clearing")
		hangups = append(hangups, p)
	}
	if len(hangups) != 2 {
		t.Fatalf("%d channels of %s in the recording", len(hangups), target)
	}
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", func(s *amitest.Session, a amiwire.Packet) {
		s.SendList(a, "Channels will follow", items, "CoreShowChannelsComplete")
		if s.EventMask() != 0 {
			for _, ev := range hangups {
				s.SendEvent(ev)
			}
		}
	})
	r := amiRun(t, "", with(t, srv, "trace", target, "-o", "json")...)
	r.want(t, 0)
	recs := callRecords(t, r.stdout)
	if len(recs) != 2 || recs[1]["Event"] != "Hangup" || recs[1]["Linkedid"] != target {
		t.Errorf("trace %s:\n%s", target, r.stdout)
	}

	r = amiRun(t, "", with(t, srv, "trace", "--uniqueid", "no.such")...)
	r.want(t, exitActionError, "no channel up")
	if r.stdout != "" {
		t.Errorf("stdout: %s", r.stdout)
	}

	// By its parties, among the calls up: three calls to hold.
	r = amiRun(t, "", with(t, srv, "trace", "--exten", "hold", "-o", "json")...)
	r.want(t, exitActionError, "3 calls up")
	if n := len(callRecords(t, r.stdout)); n != 3 {
		t.Errorf("%d calls listed, want 3:\n%s", n, r.stdout)
	}
	r = amiRun(t, "", with(t, srv, "trace", "--caller", "100")...)
	r.want(t, exitActionError, "no call up")

	// Ctrl-C while it waits for the call's events ends it with exit 0.
	quiet := newServer(t, amitest.Options{})
	quiet.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items }))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	go func() {
		if _, err := quiet.WaitAction(ctx, "CoreShowChannels"); err == nil {
			cancel()
		}
	}()
	code, out, errOut := runAMI(t, ctx, "", with(t, quiet, "trace", target)...)
	if code != 0 || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestTraceFromFleetCapture: a capture of `ami -H pbx1,pbx2 listen -o
// json` holds two PBXs whose calls may share a Linkedid; trace tells them
// apart by "@host", lists each with its host, and traces the one of the
// first host without mixing in the other's events.
func TestTraceFromFleetCapture(t *testing.T) {
	var events []amiwire.Packet
	for _, p := range recordedPackets(t, "call-bridged.listener.server.ami") {
		if p.Has("Event") {
			events = append(events, p)
		}
	}
	linkedid := ""
	for _, p := range events {
		if p.Get("Event") == "Newchannel" {
			linkedid = p.Get("Linkedid")
			break
		}
	}
	var buf bytes.Buffer
	hosts := []string{"pbx1", "pbx2"}
	ws := make([]format.Writer, len(hosts))
	for i, h := range hosts {
		w, err := format.New("json", &buf, format.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w.(format.LeadSetter).SetLead([]amiwire.Field{{Key: hostKey, Value: h}})
		ws[i] = w
	}
	for _, p := range events { // the same call on both PBXs, interleaved
		for _, w := range ws {
			if err := w.WritePacket(p); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "fleet.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	one := captureOf(t, events, "json", false)

	r := amiRun(t, "", "trace", "--from", path, "-o", "json")
	r.want(t, 0)
	recs := callRecords(t, r.stdout)
	if len(recs) != 2 || recs[0][hostKey] != "pbx1" || recs[1][hostKey] != "pbx2" ||
		recs[0]["Linkedid"] != linkedid || recs[1]["Linkedid"] != linkedid {
		t.Fatalf("want the call once per host, led by its host:\n%s", r.stdout)
	}
	single := amiRun(t, "", "trace", "--from", one, "-o", "json")
	if recs[0]["Events"] != callRecords(t, single.stdout)[0]["Events"] {
		t.Errorf("events counted %v on pbx1, %v on one PBX", recs[0]["Events"], callRecords(t, single.stdout)[0]["Events"])
	}

	r = amiRun(t, "", "trace", "--from", path, linkedid, "-o", "json")
	r.want(t, 0)
	single = amiRun(t, "", "trace", "--from", one, linkedid, "-o", "json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if want := strings.Count(single.stdout, "\n"); len(lines) != want {
		t.Errorf("traced %d events, want the %d of one PBX", len(lines), want)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"@host":"pbx1",`) {
			t.Fatalf("an event of another host in pbx1's call: %s", l)
		}
	}
}
