package calls

import (
	"slices"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// belongs is the test's own idea of which packets of a recording belong to
// a call: those naming one of its Uniqueids or its Linkedid under any
// prefix, and bridge events of a bridge one of its channels entered.
func belongs(pkts []amiwire.Packet, lid string) []int {
	uids := map[string]bool{}
	bridges := map[string]bool{}
	var out []int
	for i, p := range pkts {
		if !p.Has("Event") {
			continue
		}
		mine := false
		for _, f := range p.Fields {
			switch f.Key {
			case "Linkedid", "DestLinkedid", "LocalOneLinkedid", "LocalTwoLinkedid":
				if f.Value == lid {
					mine = true
				}
			}
		}
		if mine {
			for _, k := range []string{"Uniqueid", "DestUniqueid", "LocalOneUniqueid", "LocalTwoUniqueid"} {
				if v := p.Get(k); v != "" {
					uids[v] = true
				}
			}
			if p.Get("Event") == "BridgeEnter" {
				bridges[p.Get("BridgeUniqueid")] = true
			}
		}
		if !mine && uids[p.Get("Uniqueid")] {
			mine = true
		}
		if !mine && p.Get("Channel") == "" && bridges[p.Get("BridgeUniqueid")] {
			mine = true
		}
		if mine {
			out = append(out, i)
		}
	}
	return out
}

func traceAll(tr *Tracer, pkts []amiwire.Packet) []int {
	var got []int
	for i, p := range pkts {
		if tr.Feed("", p, at(i)) {
			got = append(got, i)
		}
	}
	return got
}

func TestTracer(t *testing.T) {
	bridged := recording(t, "call-bridged.listener.server.ami")
	outcomes := recording(t, "originate-outcomes.server.ami")
	tests := []struct {
		name   string
		pkts   []amiwire.Packet
		target Target
		lid    string // the call traced
		from   int    // the first packet that can be matched
	}{
		{"by Linkedid", bridged, Target{Linkedid: "1796456334.28"}, "1796456334.28", 0},
		{"by the Uniqueid of a channel that joins later", bridged, Target{Uniqueid: "1796456334.30"}, "1796456334.28", 23},
		{"by channel name", bridged, Target{Channel: "Local/talk@default-0000000f;2"}, "1796456334.28", 24},
		{"by device", outcomes, Target{Channel: "Local/congest@default"}, "1796456328.22", 0},
		{"among others", outcomes, Target{Linkedid: "1796456328.18"}, "1796456328.18", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracer(tt.target)
			got := traceAll(tr, tt.pkts)
			var want []int
			for _, i := range belongs(tt.pkts, tt.lid) {
				if i >= tt.from {
					want = append(want, i)
				}
			}
			// BridgeCreate comes before any channel enters the bridge: the
			// tracer cannot know it yet.
			want = slices.DeleteFunc(want, func(i int) bool { return tt.pkts[i].Get("Event") == "BridgeCreate" })
			if !slices.Equal(got, want) {
				t.Errorf("matched packets\n %v\nwant\n %v", got, want)
			}
			if !tr.Found() || !tr.Ended() {
				t.Fatalf("found %v, ended %v", tr.Found(), tr.Ended())
			}
			call := tr.Call()
			if call.Linkedid != tt.lid || call.State() != StateEnded {
				t.Errorf("final call %s, state %s", call.Linkedid, call.State())
			}
			for _, ch := range call.Channels {
				if ch.Status != ChannelHungup || ch.Cause == "" {
					t.Errorf("%s: %s, cause %q", ch.Name, ch.Status, ch.Cause)
				}
			}
			if last := got[len(got)-1]; tt.pkts[last].Get("Event") != "Hangup" {
				t.Errorf("the last packet traced is a %s", tt.pkts[last].Get("Event"))
			}
		})
	}
}

// A call merged into another is followed into it; a Tracer whose target
// never comes matches nothing.
func TestTracerFollowsMerge(t *testing.T) {
	seq := []amiwire.Packet{
		newchannel(l1, 6),                          // 0: another call
		newchannel(b1.with("100.2"), 0),            // 1: the target, alone
		newchannel(a1, 4),                          // 2: the caller
		dial("DialBegin", a1, b1.with("100.2"), 0), // 3: 100.2 merges into 100.1
		newstate(a1, 6),                            // 4
		newstate(l1, 4),                            // 5: not ours
		hangup(b1.with("100.2"), 6, 16),            // 6
		hangup(a1, 6, 16),                          // 7: the end
		hangup(l1, 4, 16),                          // 8: not ours
	}
	tr := NewTracer(Target{Uniqueid: b1.uid})
	if got, want := traceAll(tr, seq), []int{1, 3, 4, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("matched %v, want %v", got, want)
	}
	if call := tr.Call(); !tr.Ended() || call.Linkedid != "100.1" || len(call.Channels) != 2 {
		t.Errorf("ended %v as call %s with %d channels", tr.Ended(), call.Linkedid, len(call.Channels))
	}
	none := NewTracer(Target{Linkedid: "42.42"})
	if got := traceAll(none, seq); len(got) != 0 || none.Found() || none.Ended() || none.Call() != nil {
		t.Errorf("a target never seen: matched %v, found %v", got, none.Found())
	}
	other := NewTracer(Target{Host: "pbx2", Uniqueid: b1.uid})
	if got := traceAll(other, seq); len(got) != 0 {
		t.Errorf("a target on another host: matched %v", got)
	}
}

// A live trace starts from a snapshot, which says at once whether the
// target is up.
func TestTracerSnapshot(t *testing.T) {
	items := eventsOf(recording(t, "core-show-channels-3.server.ami"))
	tr := NewTracer(Target{Uniqueid: "1795384469.163"})
	tr.BeginSnapshot("")
	tr.Snapshot("", items, at(0))
	if !tr.Found() || tr.Call().Linkedid != "1795384469.162" {
		t.Fatalf("found %v", tr.Found())
	}
	// The call's channels hang up; the other calls' events do not count.
	hold := func(n, id string) chn {
		return chn{"Local/hold@default-000000" + n, id, map[byte]string{'0': "1795384469.160", '1': "1795384469.162", '2': "1795384469.164"}[n[1]]}
	}
	seq := []amiwire.Packet{
		hangup(hold("50;1", "1795384469.160"), 6, 16),
		hangup(hold("51;2", "1795384469.163"), 6, 16),
		hangup(hold("51;1", "1795384469.162"), 6, 16),
	}
	if got := traceAll(tr, seq); !slices.Equal(got, []int{1, 2}) || !tr.Ended() {
		t.Errorf("matched %v, ended %v", got, tr.Ended())
	}
	// Once ended the Tracer stops, snapshots included.
	tr.Snapshot("", items, at(9))
	if tr.Call().State() != StateEnded {
		t.Errorf("after the end a snapshot revived the call")
	}
	missing := NewTracer(Target{Linkedid: "1.1"})
	missing.Snapshot("", items, at(0))
	if missing.Found() {
		t.Errorf("found a call that is not in the snapshot")
	}
}

func TestIndex(t *testing.T) {
	tests := []struct {
		file    string
		from    int
		callees []string
		ended   bool
		reason  string
	}{
		{"originate-outcomes.server.ami", 0, []string{"talk", "busy", "congest", "noanswer", "nosuchexten"}, true, ""},
		{"call-bridged.listener.server.ami", 0, []string{"dialtalk"}, true, ""},
		// A capture that begins after the bridge: the call is still found.
		{"call-bridged.listener.server.ami", 50, []string{"dialtalk"}, true, ""},
	}
	for _, tt := range tests {
		pkts := recording(t, tt.file)[tt.from:]
		x := NewIndex()
		for i, p := range pkts {
			x.Feed("", p, at(tt.from+i))
		}
		sums := x.Calls()
		var callees []string
		for _, s := range sums {
			callees = append(callees, s.Callee.Num)
			if want := len(belongs(pkts, s.Linkedid)); s.Events != want-countEvent(pkts, belongs(pkts, s.Linkedid), "BridgeCreate") {
				t.Errorf("%s from %d: call %s: %d events, want %d", tt.file, tt.from, s.Linkedid, s.Events, want)
			}
			if s.Ended != tt.ended || s.State != StateEnded || s.Start.IsZero() || s.End.IsZero() {
				t.Errorf("%s: call %s: ended %v state %s start %v end %v", tt.file, s.Linkedid, s.Ended, s.State, s.Start, s.End)
			}
			if p := s.Packet(); p.Get("Linkedid") != s.Linkedid || len(p.Values("Channel")) != len(s.Channels) {
				t.Errorf("%s: summary packet %v", tt.file, p)
			}
		}
		if !slices.Equal(callees, tt.callees) {
			t.Errorf("%s from %d: calls to %v, want %v", tt.file, tt.from, callees, tt.callees)
		}
	}
}

func countEvent(pkts []amiwire.Packet, idx []int, name string) int {
	n := 0
	for _, i := range idx {
		if pkts[i].Get("Event") == name {
			n++
		}
	}
	return n
}

// An Index keeps calls still up when the capture stops, lists a merged call
// once, under its survivor, and keeps a renamed channel's both names.
func TestIndexMergedAndOpen(t *testing.T) {
	x := NewIndex()
	seq := []amiwire.Packet{
		newchannel(a1, 4),
		newchannel(b1.with("100.2"), 0),
		dial("DialBegin", a1, b1.with("100.2"), 0),
		ev("Rename", "Channel", b1.name, "Newname", "PJSIP/200-renamed", "Uniqueid", b1.uid),
		newstate(chn{"PJSIP/200-renamed", b1.uid, "100.1"}, 6),
	}
	for i, p := range seq {
		x.Feed("pbx1", p, at(i))
	}
	sums := x.Calls()
	if len(sums) != 1 {
		t.Fatalf("%d calls listed, want 1", len(sums))
	}
	s := sums[0]
	if s.Linkedid != "100.1" || s.Host != "pbx1" || s.Ended || s.Events != 5 || !slices.Equal(s.OtherLinkedids, []string{"100.2"}) ||
		!slices.Equal(s.Channels, []string{a1.name, b1.name, "PJSIP/200-renamed"}) || s.State != StateUp {
		t.Errorf("summary %+v", s)
	}
	if p := s.Packet(); p.Get(KeyHost) != "pbx1" || p.Has("EndTime") || p.Get("Events") != "5" {
		t.Errorf("summary packet %v", p)
	}
}
