package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// recordedChannels returns the CoreShowChannel items of the
// core-show-channels-3 recording (three Local/hold calls, six channels),
// without their ActionID (SendList gives them the asker's).
func recordedChannels(t *testing.T) []amiwire.Packet {
	t.Helper()
	var out []amiwire.Packet
	for _, p := range recordedPackets(t, "core-show-channels-3.server.ami") {
		if p.Get("Event") == "CoreShowChannel" {
			q := p.Clone()
			q.Fields = slices.DeleteFunc(q.Fields, func(f amiwire.Field) bool { return f.Key == "ActionID" })
			q.Raw = nil
			out = append(out, q)
		}
	}
	if len(out) != 6 {
		t.Fatalf("%d CoreShowChannel items in the recording, want 6", len(out))
	}
	return out
}

// snapshotHandler answers CoreShowChannels with the items items returns
// for the session.
func snapshotHandler(items func(s *amitest.Session) []amiwire.Packet) amitest.Handler {
	return func(s *amitest.Session, a amiwire.Packet) {
		s.SendList(a, "Channels will follow", items(s), "CoreShowChannelsComplete")
	}
}

// callRecords decodes one JSON object per line.
func callRecords(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, line)
		}
		recs = append(recs, m)
	}
	return recs
}

// TestCallsOnce prints the recorded snapshot as calls: three calls of two
// channels each, as JSON lines, text and a table; --where keeps one.
func TestCallsOnce(t *testing.T) {
	items := recordedChannels(t)
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items }))

	r := amiRun(t, "", with(t, srv, "calls", "--once")...) // not a terminal: JSON
	r.want(t, 0)
	recs := callRecords(t, r.stdout)
	if len(recs) != 3 {
		t.Fatalf("%d calls, want 3:\n%s", len(recs), r.stdout)
	}
	linked := map[string]bool{}
	for _, rec := range recs {
		chans, ok := rec["Channel"].([]any)
		if !ok || len(chans) != 2 {
			t.Errorf("call %v: channels %v, want the two halves of a Local channel", rec["Linkedid"], rec["Channel"])
			continue
		}
		a, b := chans[0].(string), chans[1].(string)
		if strings.TrimSuffix(a, ";1") != strings.TrimSuffix(b, ";2") && strings.TrimSuffix(a, ";2") != strings.TrimSuffix(b, ";1") {
			t.Errorf("call %v groups %s and %s", rec["Linkedid"], a, b)
		}
		if rec["State"] != "up" || rec["@change"] != nil {
			t.Errorf("call %v: State %v, @change %v", rec["Linkedid"], rec["State"], rec["@change"])
		}
		linked[rec["Linkedid"].(string)] = true
	}
	if len(linked) != 3 {
		t.Errorf("Linkedids %v", linked)
	}

	one := recs[1]["Linkedid"].(string)
	r = amiRun(t, "", with(t, srv, "calls", "--once", "--where", "Linkedid="+one, "-o", "text")...)
	r.want(t, 0)
	if n := strings.Count(r.stdout, "Linkedid: "); n != 1 || !strings.Contains(r.stdout, "Linkedid: "+one+"\n") {
		t.Errorf("--where Linkedid=%s printed %d calls:\n%s", one, n, r.stdout)
	}
	r = amiRun(t, "", with(t, srv, "calls", "--once", "--where", "Channel=*;2", "--where", "State=ringing")...)
	r.want(t, 0)
	if r.stdout != "" {
		t.Errorf("no call rings, yet:\n%s", r.stdout)
	}

	r = amiRun(t, "", with(t, srv, "calls", "--once", "-o", "table")...)
	r.want(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "Linkedid") || !strings.Contains(lines[0], "Channels") {
		t.Fatalf("table:\n%s", r.stdout)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, "Local/hold@default-") || !strings.Contains(l, " up ") {
			t.Errorf("row %q", l)
		}
	}

	r = amiRun(t, "", with(t, srv, "calls", "--once", "--where", "nokey")...)
	r.want(t, exitUsage, "--where")
}

// lineWatch is a stdout that tells when it has received a line holding
// want n times.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	n    int
	seen int
	hit  chan struct{}
}

func newLineWatch(want string, n int) *lineWatch {
	return &lineWatch{want: want, n: n, hit: make(chan struct{})}
}

func (w *lineWatch) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if w.seen < w.n {
		w.seen += bytes.Count(b, []byte(w.want))
		if w.seen >= w.n {
			close(w.hit)
		}
	}
	return len(b), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runUntil runs ami until stdout has shown want n times, then cancels
// it as Ctrl-C does, and returns the result.
func runUntil(t *testing.T, want string, n int, args ...string) result {
	t.Helper()
	return runUntilBoth(t, want, n, nil, args...)
}

// runUntilBoth is runUntil that also waits until stderr has shown each of
// errWants (hosts' failures, which may come after the others' output)
// before it cancels.
func runUntilBoth(t *testing.T, want string, n int, errWants []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	out := newLineWatch(want, n)
	errOut := &failureWatch{want: errWants, seen: make(chan struct{})}
	errOut.Write(nil) // nothing to wait for without errWants
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"ami"}, args...), strings.NewReader(""), out, errOut) }()
	for _, hit := range []chan struct{}{out.hit, errOut.seen} {
		select {
		case <-hit:
		case <-ctx.Done():
		}
	}
	cancel()
	code := <-done
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("no %d× %q on stdout and %q on stderr within %v:\nstdout:\n%s\nstderr:\n%s", n, want, errWants, testTimeout, out.String(), errOut.String())
	}
	return result{code, out.String(), errOut.String()}
}

// bridgedEvents returns the events of the call-bridged recording's call.
func bridgedEvents(t *testing.T) []amiwire.Packet {
	var events []amiwire.Packet
	for _, p := range recordedPackets(t, "call-bridged.listener.server.ami") {
		if p.Has("Event") && p.Get("Linkedid") != "" {
			q := p.Clone()
			q.Raw = nil
			events = append(events, q)
		}
	}
	return events
}

// TestCallsLive: piped, calls writes the snapshot's calls as starts, then
// one line per change of the recorded bridged call, which ends with its
// causes and duration; Ctrl-C ends it with exit 0.
func TestCallsLive(t *testing.T) {
	items := recordedChannels(t)
	events := bridgedEvents(t)
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", func(s *amitest.Session, a amiwire.Packet) {
		s.SendList(a, "Channels will follow", items, "CoreShowChannelsComplete")
		for _, ev := range events {
			s.SendEvent(ev)
		}
	})
	r := runUntil(t, `"@change":"end"`, 1, with(t, srv, "calls")...)
	r.want(t, 0)
	recs := callRecords(t, r.stdout)
	// The snapshot's three calls start; the recorded call's events,
	// queued while the snapshot came, may be applied before it.
	starts := 0
	var last map[string]any
	for _, rec := range recs {
		if rec["@change"] == "start" && rec["@reason"] == "snapshot" {
			starts++
		}
		if rec["@change"] == "end" {
			last = rec
		}
	}
	if starts != 3 {
		t.Errorf("want the snapshot's three calls to start:\n%s", r.stdout)
	}
	if last == nil || last["@reason"] != "hangup" || last["State"] != "ended" {
		t.Fatalf("end line: %v", last)
	}
	if chans, _ := last["Channel"].([]any); len(chans) != 4 {
		t.Errorf("the bridged call has %d channels, want 4: %v", len(chans), last["Channel"])
	}
	for _, c := range last["Cause"].([]any) {
		if c != "16" {
			t.Errorf("causes %v, want 16 each", last["Cause"])
		}
	}
	if _, ok := last["Duration"]; !ok {
		t.Errorf("an ended call has its Duration: %v", last)
	}
	bridged := false
	for _, rec := range recs {
		bridged = bridged || rec["State"] == "bridged"
	}
	if !bridged {
		t.Errorf("the call was never bridged:\n%s", r.stdout)
	}
	if acts := sentActions(srv); len(acts) != 2 || acts[0] != "Filter" || acts[1] != "CoreShowChannels" {
		t.Errorf("actions %v", acts)
	}

	// --where: only the bridged call's lines.
	r = runUntil(t, `"@change":"end"`, 1, with(t, srv, "calls", "--where", "Channel=Local/talk@*")...)
	r.want(t, 0)
	recs = callRecords(t, r.stdout)
	for _, rec := range recs {
		if rec["@reason"] == "snapshot" {
			t.Errorf("--where let a snapshot call through: %v", rec)
		}
	}
	if len(recs) == 0 || recs[len(recs)-1]["@change"] != "end" {
		t.Errorf("--where: %s", r.stdout)
	}
}

// TestCallsReconnect: after a lost connection the calls are rebuilt from
// a fresh snapshot: calls gone meanwhile end as lost (no cause), new ones
// start, and those still up go on without a line.
func TestCallsReconnect(t *testing.T) {
	items := recordedChannels(t) // items 0..5: three calls
	var sessions atomic.Int32
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", func(s *amitest.Session, a amiwire.Packet) {
		if sessions.Add(1) == 1 {
			s.SendList(a, "Channels will follow", items[:4], "CoreShowChannelsComplete")
			s.Close()
			return
		}
		s.SendList(a, "Channels will follow", items[2:], "CoreShowChannelsComplete")
	})
	r := runUntil(t, `"@reason":"lost"`, 1, with(t, srv, "calls", "--reconnect", "--reconnect-min", "1ms")...)
	r.want(t, 0, "reconnected")
	recs := callRecords(t, r.stdout)
	var got []string
	for _, rec := range recs {
		change, _ := rec["@change"].(string)
		reason, _ := rec["@reason"].(string)
		got = append(got, change+"/"+reason)
		if rec["@reason"] == "lost" {
			for _, c := range rec["Cause"].([]any) {
				if c != "" {
					t.Errorf("a lost call has no cause: %v", rec)
				}
			}
		}
	}
	// The first snapshot has the calls of items 0-3 (which two depends on
	// how the recording pairs them); the second those of items 2-5.
	counts := map[string]int{}
	for _, g := range got {
		counts[g]++
	}
	if counts["end/lost"] < 1 || counts["start/snapshot"] < 3 {
		t.Errorf("changes %v", got)
	}
}

// TestCallsSnapshotRefused: a user whose CoreShowChannels is refused gets
// exit 1 and one line that names the action once and the manager.conf
// permission it lacks, for calls --once, live calls and a live trace.
func TestCallsSnapshotRefused(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", func(s *amitest.Session, a amiwire.Packet) { s.Error(a, "Permission denied") })
	for _, args := range [][]string{{"calls", "--once"}, {"calls", "-o", "json"}, {"trace", "1.2"}} {
		r := amiRun(t, "", with(t, srv, args...)...)
		r.want(t, exitActionError, "CoreShowChannels: Permission denied", "write = system or reporting")
		if strings.Count(r.stderr, "CoreShowChannels:") != 1 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
	}
}
