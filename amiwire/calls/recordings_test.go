package calls

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format"
)

// ended is what a test expects of a call's end record.
type ended struct {
	callee   string   // CalleeNum
	causes   []string // each channel's Cause, in channel order
	answered bool
	states   []State // states the call went through, in order, each once
}

// feedAll feeds pkts to c at the test times and returns the changes,
// rendered as JSON lines after a line naming the packet, and the end record
// of every call by Linkedid.
func feedAll(t *testing.T, c *Correlator, pkts []amiwire.Packet, first int) (string, map[string]ended) {
	t.Helper()
	var out bytes.Buffer
	w, err := format.New("json", &out, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ends := map[string]ended{}
	states := map[string][]State{}
	check := newChecker()
	for i, p := range pkts {
		_, changes := c.Feed("", p, at(first+i))
		if err := check.changes(changes); err != nil {
			t.Fatalf("packet %d (%s): %v", first+i, p.Get("Event"), err)
		}
		for _, ch := range changes {
			fmt.Fprintf(&out, "# packet %d: %s %s\n", first+i, p.Get("Event"), firstOf(p, "Channel", "DestChannel", "LocalOneChannel"))
			if err := w.WritePacket(ch.Packet()); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			id := ch.Call.Linkedid
			if st := ch.Call.State(); st != StateEnded && !slices.Contains(states[id], st) {
				states[id] = append(states[id], st)
			}
			if ch.Kind == End {
				e := ended{callee: ch.Call.Callee().Num, answered: ch.Call.Answered, states: states[id]}
				for _, chn := range ch.Call.Channels {
					e.causes = append(e.causes, chn.Cause)
				}
				ends[id] = e
				delete(states, id)
			}
		}
	}
	return out.String(), ends
}

func firstOf(p amiwire.Packet, keys ...string) string {
	for _, k := range keys {
		if v := p.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// The recordings of real calls: every call starts, goes through the states
// its channels show, and ends with each channel's cause; nothing stays up.
func TestRecordings(t *testing.T) {
	tests := []struct {
		file string
		from int // the packet the capture begins with
		ends map[string]ended
	}{
		{"call-bridged.listener.server.ami", 0, map[string]ended{
			"1796456334.28": {"dialtalk", []string{"16", "16", "16", "16"}, true, []State{StateDown, StateRinging, StateUp, StateBridged}},
		}},
		// A capture that begins mid-call, at the first BridgeEnter: the
		// call starts as "midcall", already answered (no answer time), and
		// its other channels join as their events come.
		{"call-bridged.listener.server.ami", 49, map[string]ended{
			"1796456334.28": {"dialtalk", []string{"16", "16", "16", "16"}, true, []State{StateUp, StateBridged}},
		}},
		{"call-lifecycle.listener.server.ami", 0, map[string]ended{
			"1795384488.182": {"short", []string{"16", "16"}, true, []State{StateDown, StateRinging, StateUp}},
		}},
		{"originate-async.server.ami", 0, map[string]ended{
			"1795384482.180": {"short", []string{"16", "16"}, true, []State{StateDown, StateRinging, StateUp}},
		}},
		{"originate-outcomes.server.ami", 0, map[string]ended{
			"1796456328.18": {"talk", []string{"16", "16"}, true, []State{StateDown, StateRinging, StateUp}},
			"1796456328.20": {"busy", []string{"0", "17"}, false, []State{StateDown, StateRinging, StateBusy}},
			"1796456328.22": {"congest", []string{"0", "34"}, false, []State{StateDown, StateRinging, StateBusy}},
			"1796456328.24": {"noanswer", []string{"19", "19"}, false, []State{StateDown, StateRinging}},
			"1796456331.26": {"nosuchexten", []string{"0", "0"}, false, []State{StateDown, StateRinging}},
		}},
	}
	for _, tt := range tests {
		name := strings.TrimSuffix(tt.file, ".server.ami")
		if tt.from > 0 {
			name += fmt.Sprintf(".from%d", tt.from)
		}
		t.Run(name, func(t *testing.T) {
			c := New()
			out, ends := feedAll(t, c, recording(t, tt.file)[tt.from:], tt.from)
			golden(t, name+".golden", out)
			if tt.from > 0 && !strings.Contains(out, `"@reason":"midcall"`) || strings.Contains(out, `"AnswerTime"`) != (tt.from == 0 && strings.Contains(out, `"Answered":"yes"`)) {
				t.Errorf("start reason or answer time wrong for a capture from packet %d", tt.from)
			}
			if c.Len() != 0 || len(c.calls) != 0 || len(c.chans) != 0 {
				t.Errorf("after the recording: %d calls up, %d indexed Linkedids, %d channels", c.Len(), len(c.calls), len(c.chans))
			}
			if len(ends) != len(tt.ends) {
				t.Errorf("%d calls ended, want %d", len(ends), len(tt.ends))
			}
			for id, want := range tt.ends {
				got, ok := ends[id]
				if !ok {
					t.Errorf("call %s: no end", id)
					continue
				}
				if got.callee != want.callee || got.answered != want.answered ||
					!slices.Equal(got.causes, want.causes) || !slices.Equal(got.states, want.states) {
					t.Errorf("call %s ended as %+v, want %+v", id, got, want)
				}
			}
		})
	}
}

// Every Hangup of the recordings carries the text CauseText gives its
// cause.
func TestCauseTextMatchesRecordings(t *testing.T) {
	n := 0
	for _, file := range []string{"call-bridged.listener.server.ami", "originate-outcomes.server.ami", "originate-async.server.ami", "call-lifecycle.listener.server.ami"} {
		for _, p := range recording(t, file) {
			if p.Get("Event") != "Hangup" {
				continue
			}
			n++
			if got, want := causeTextOf(p.Get("Cause")), p.Get("Cause-txt"); got != want {
				t.Errorf("%s: Cause %s: CauseText says %q, Asterisk %q", file, p.Get("Cause"), got, want)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d Hangup events in the recordings", n)
	}
}

// A snapshot of the recording core-show-channels-3 (three Local/hold calls
// up) starts three calls of two channels each, up, begun a second before
// the snapshot (Duration 00:00:01), with no answer time: it is not known.
func TestSnapshotRecording(t *testing.T) {
	items := eventsOf(recording(t, "core-show-channels-3.server.ami"))
	c := New()
	now := at(100)
	changes := c.Snapshot("", items, now)
	var b strings.Builder
	for _, ch := range changes {
		b.WriteString(ch.Packet().String())
		b.WriteString("\n")
	}
	golden(t, "core-show-channels-3.golden", b.String())
	if len(changes) != 3 || c.Len() != 3 {
		t.Fatalf("%d changes, %d calls up; want 3 starts", len(changes), c.Len())
	}
	for _, ch := range changes {
		call := ch.Call
		if ch.Kind != Start || ch.Reason != ReasonSnapshot || len(call.Channels) != 2 ||
			call.State() != StateUp || !call.Answered || !call.Answer.IsZero() ||
			!call.Start.Equal(now.Add(-time.Second)) || call.Callee().Num != "hold" {
			t.Errorf("%s %s: %d channels, state %s, answered %v at %v, start %v, callee %q",
				ch.Kind, ch.Reason, len(call.Channels), call.State(), call.Answered, call.Answer, call.Start, call.Callee().Num)
		}
		for _, chn := range call.Channels {
			if chn.Application != "Wait" || chn.AppData != "3600" || chn.Status != ChannelLive {
				t.Errorf("%s: application %s(%s), status %s", chn.Name, chn.Application, chn.AppData, chn.Status)
			}
		}
	}
	// The same snapshot again changes nothing.
	if again := c.Snapshot("", items, at(200)); len(again) != 0 {
		t.Errorf("the same snapshot again: %d changes, want none: %+v", len(again), again)
	}
}

// readRaw reads the packets of a raw capture in testdata.
func readRaw(t *testing.T, name string) []amiwire.Packet {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	r := amiwire.NewReader(bytes.NewReader(data))
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

// Two calls joined by the Bridge action on the real Asterisk: the bridged
// channel of the newer call shows the older call's Linkedid from its
// BridgeEnter on, so the newer call merges into the older, which ends with
// all four channels.
func TestBridgeActionCapture(t *testing.T) {
	c := New()
	out, ends := feedAll(t, c, readRaw(t, "bridge-action.events.raw"), 0)
	golden(t, "bridge-action.events.golden", out)
	if !strings.Contains(out, `"@change":"end","@reason":"merged","@into":"1796465283.268","Linkedid":"1796465284.270"`) {
		t.Errorf("call 1796465284.270 did not merge into 1796465283.268")
	}
	want := ended{"hold", []string{"0", "16", "16", "16"}, true, []State{StateDown, StateRinging, StateUp, StateBridged}}
	got, ok := ends["1796465283.268"]
	if !ok || got.callee != want.callee || !slices.Equal(got.causes, want.causes) || !slices.Equal(got.states, want.states) {
		t.Errorf("end of 1796465283.268: %+v, want %+v", got, want)
	}
	if c.Len() != 0 || len(c.bridges) != 0 {
		t.Errorf("%d calls, %d bridges left", c.Len(), len(c.bridges))
	}
}

// The snapshot of those calls, bridged: one call of four channels (the
// Local halves joined by name), bridged, begun when its oldest channel
// was made; and the same snapshot applied to what the events had shown
// until then changes only what no event says: the applications (the ";1"
// halves run the Originate's Wait, which has no Newexten; the ";2" halves
// were taken out of their Wait into the bridge).
func TestBridgeActionSnapshot(t *testing.T) {
	items := eventsOf(readRaw(t, "bridge-action.snapshot.raw"))
	now := at(500)
	c := New()
	changes := c.Snapshot("", items, now)
	if summary(changes) != "start 1796465283.268(snapshot)" {
		t.Fatalf("changes %q", summary(changes))
	}
	call := changes[0].Call
	if len(call.Channels) != 4 || call.State() != StateBridged || !call.Start.Equal(now.Add(-4*time.Second)) ||
		!slices.Equal(call.OtherLinkedids, []string{"1796465284.270"}) {
		t.Errorf("%d channels, state %s, start %v, other Linkedids %v", len(call.Channels), call.State(), call.Start, call.OtherLinkedids)
	}

	// The events up to the moment of the snapshot (the first hangup came
	// after it), then the snapshot.
	events := readRaw(t, "bridge-action.events.raw")
	live := New()
	for i, p := range events {
		if p.Get("Event") == "HangupRequest" {
			break
		}
		live.Feed("", p, at(i))
	}
	before := live.AppendCalls(nil)[0].Packet()
	again := live.Snapshot("", items, now)
	if summary(again) != "update 1796465283.268" || live.Len() != 1 {
		t.Fatalf("snapshot after the events: %q, %d calls up", summary(again), live.Len())
	}
	after := again[0].Call.Packet()
	if len(before.Fields) != len(after.Fields) {
		t.Fatalf("the record went from %d to %d fields", len(before.Fields), len(after.Fields))
	}
	for i, f := range after.Fields {
		b := before.Fields[i]
		if f == b {
			continue
		}
		if f.Key != b.Key || (f.Key != "Application" && f.Key != "AppData") {
			t.Errorf("field %d: %s: %q became %s: %q", i, b.Key, b.Value, f.Key, f.Value)
		}
	}
}
