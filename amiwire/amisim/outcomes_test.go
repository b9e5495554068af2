package amisim

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// localExten finds the extension of the Local channel a packet is about.
var localExten = regexp.MustCompile(`Local/([a-z]+)@default`)

// byCall groups the events of packets by the extension of the Local
// channels they name, in order; events naming none are left out.
func byCall(ps []amiwire.Packet) map[string][]amiwire.Packet {
	out := map[string][]amiwire.Packet{}
	for _, p := range ps {
		if !p.Has("Event") {
			continue
		}
		if m := localExten.FindStringSubmatch(p.String()); m != nil {
			out[m[1]] = append(out[m[1]], p)
		}
	}
	return out
}

// shape is an event's name and header names, in order.
func shape(p amiwire.Packet) string {
	keys := make([]string, len(p.Fields))
	for i, f := range p.Fields {
		keys[i] = f.Key
	}
	return p.Get("Event") + "{" + strings.Join(keys, ",") + "}"
}

// sameShapes checks that got has the events of want: the same names in
// the same order with the same header names.
func sameShapes(t *testing.T, what string, got, want []amiwire.Packet) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d events %v, want %d %v", what, len(got), names(got), len(want), names(want))
	}
	for i := 0; i < min(len(got), len(want)); i++ {
		if g, w := shape(got[i]), shape(want[i]); g != w {
			t.Errorf("%s: event %d is\n%s\nwant\n%s", what, i, g, w)
		}
	}
}

// TestOriginateOutcomes plays the client side of originate-outcomes
// against the simulator and compares each call's events with the
// recording's: names, order, header names, and what tells the outcome
// (OriginateResponse's Response, Reason, Channel and Uniqueid, the hangup
// causes, dial statuses).
func TestOriginateOutcomes(t *testing.T) {
	srv, sim, clock := newSim(t, Options{})
	c := dial(t, srv.Addr())
	actions := packetsOf(t, amitest.MustFixture("originate-outcomes.client.ami"))
	var got []amiwire.Packet
	c.wr.WriteAction(actions[0])
	r, evs := c.readResponse()
	got = append(append(got, evs...), r)
	for _, a := range actions[1 : len(actions)-1] {
		c.wr.WriteAction(a)
		if a.Get("Timeout") != "" {
			// noanswer rings until the Originate's Timeout.
			r, evs := c.readResponse()
			got = append(append(got, evs...), r)
			for i := 0; i < 100; i++ { // up to its Wait(60)
				p := c.read()
				got = append(got, p)
				if p.Get("AppData") == "60" {
					break
				}
			}
			if n := sim.ChannelCount(); n != 4 { // talk's and noanswer's
				t.Errorf("%d channels while noanswer rings, want 4", n)
			}
			clock.Advance(3 * time.Second)
		}
		or, evs := c.readEvent("OriginateResponse")
		got = append(append(got, evs...), or)
		if or.Get("ActionID") != a.Get("ActionID") {
			t.Fatalf("OriginateResponse for %q, want %q", or.Get("ActionID"), a.Get("ActionID"))
		}
	}
	clock.Advance(5 * time.Second) // talk's LEN=2 is long over
	c.wr.WriteAction(actions[len(actions)-1])
	got = append(got, c.expectEOF()...)
	if n := sim.ChannelCount(); n != 0 {
		t.Errorf("%d channels left, want 0: %v", n, sim.ChannelNames())
	}

	want := byCall(packetsOf(t, amitest.MustFixture("originate-outcomes.server.ami")))
	gotCalls := byCall(got)
	for _, ext := range []string{"talk", "busy", "congest", "noanswer", "nosuchexten"} {
		sameShapes(t, ext, gotCalls[ext], want[ext])
		for i := 0; i < min(len(gotCalls[ext]), len(want[ext])); i++ {
			g, w := gotCalls[ext][i], want[ext][i]
			for _, k := range []string{"ActionID", "Response", "Reason", "Cause", "Cause-txt", "DialStatus", "State", "ChannelState", "Application", "AppData", "Variable", "Value"} {
				if g.Get(k) != w.Get(k) {
					t.Errorf("%s: event %d (%s): %s %q, want %q", ext, i, w.Get("Event"), k, g.Get(k), w.Get(k))
				}
			}
			if w.Get("Event") == "OriginateResponse" && w.Get("Response") == "Failure" && g.Get("Channel") != w.Get("Channel") {
				t.Errorf("%s: failed OriginateResponse names %q, want the dial string %q", ext, g.Get("Channel"), w.Get("Channel"))
			}
			if w.Get("Uniqueid") == "<unknown>" && g.Get("Uniqueid") != "<unknown>" {
				t.Errorf("%s: event %d (%s): Uniqueid %q, want <unknown>", ext, i, w.Get("Event"), g.Get("Uniqueid"))
			}
		}
	}
}

// TestOriginateChannelId: a given ChannelId is the Uniqueid and Linkedid
// of the new ;1 channel, "<id>;2" that of the ;2 side, and the Uniqueid of
// OriginateResponse even when the call fails (as Asterisk 22 answers).
func TestOriginateChannelId(t *testing.T) {
	srv, _, _ := newSim(t, Options{})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "call")
	for _, tt := range []struct{ exten, reason string }{{"talk", "4"}, {"busy", "5"}, {"nosuch", "0"}, {"short", "4"}} {
		id := "chan-" + tt.exten
		c.send("Originate", "ActionID", "o-"+tt.exten, "Channel", "Local/"+tt.exten+"@default", "Application", "Wait",
			"Data", "10", "Async", "true", "ChannelId", id)
		or, evs := c.readEvent("OriginateResponse")
		if or.Get("Reason") != tt.reason || or.Get("Uniqueid") != id || or.Get("ActionID") != "o-"+tt.exten {
			t.Errorf("%s: OriginateResponse %v", tt.exten, or)
		}
		var chans []string
		for _, p := range evs {
			if p.Get("Event") == "Newchannel" {
				chans = append(chans, p.Get("Uniqueid")+"/"+p.Get("Linkedid"))
			}
		}
		if want := id + "/" + id + " " + id + ";2/" + id; strings.Join(chans, " ") != want {
			t.Errorf("%s: Newchannel Uniqueid/Linkedid %v, want %s", tt.exten, chans, want)
		}
	}
}

// TestSyncOriginateOutcomes: without Async, the answer waits for the
// outcome: Success once answered, "Originate failed" after the failed
// call's events.
func TestSyncOriginateOutcomes(t *testing.T) {
	srv, _, clock := newSim(t, Options{})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "call")
	for _, tt := range []struct{ exten, resp, last string }{
		{"talk", "Success", "DialEnd"}, {"busy", "Error", "Hangup"}, {"congest", "Error", "Hangup"}, {"nosuch", "Error", "Hangup"},
	} {
		c.send("Originate", "ActionID", "s-"+tt.exten, "Channel", "Local/"+tt.exten+"@default", "Application", "Wait", "Data", "10")
		r, evs := c.readResponse()
		if r.Get("Response") != tt.resp || r.Get("ActionID") != "s-"+tt.exten {
			t.Errorf("%s: answered %v", tt.exten, r)
		}
		var last string
		for _, p := range evs {
			if p.Get("Event") != "DeviceStateChange" {
				last = p.Get("Event")
			}
		}
		if last != tt.last {
			t.Errorf("%s: the answer came after %s, want after %s (%v)", tt.exten, last, tt.last, names(evs))
		}
	}
	// noanswer answers once its Timeout is over.
	c.send("Originate", "ActionID", "s-noanswer", "Channel", "Local/noanswer@default", "Application", "Wait", "Data", "10", "Timeout", "2000")
	c.readEvent("DialState")
	clock.Advance(2 * time.Second)
	if r, _ := c.readResponse(); r.Get("Response") != "Error" || r.Get("ActionID") != "s-noanswer" {
		t.Errorf("noanswer: answered %v", r)
	}
}

// TestDialtalkMatchesRecording: an Originate of dialtalk gives the events
// of call-bridged: four channels of one Linkedid, Dial, a bridge, Hangup
// x4, with the names, order and header names the recording has.
func TestDialtalkMatchesRecording(t *testing.T) {
	srv, sim, clock := newSim(t, Options{})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret")
	c.send("Originate", "ActionID", "orig-originate-2", "Channel", "Local/dialtalk@default", "Application", "Wait",
		"Data", "10", "Variable", "LEN=2", "Async", "true")
	r, _ := c.readResponse()
	if r.Get("Response") != "Success" {
		t.Fatal(r)
	}
	var start []amiwire.Packet // up to talk's Wait
	for i := 0; i < 1000; i++ {
		p := c.read()
		start = append(start, p)
		if p.Get("Event") == "Newexten" && p.Get("Application") == "Wait" {
			break
		}
	}
	if n := sim.ChannelCount(); n != 4 {
		t.Errorf("%d channels during the call, want 4: %v", n, sim.ChannelNames())
	}
	// CoreShowChannels puts each channel in the bridge its BridgeEnter
	// named, as Asterisk does (ami calls --once says "bridged" from it).
	bridged := map[string]string{}
	for _, p := range start {
		if p.Get("Event") == "BridgeEnter" {
			bridged[p.Get("Channel")] = p.Get("BridgeUniqueid")
		}
	}
	if len(bridged) == 0 {
		t.Fatal("no BridgeEnter before talk's Wait")
	}
	c.send("CoreShowChannels", "ActionID", "csc")
	if r, _ := c.readResponse(); r.Get("Response") != "Success" {
		t.Fatal(r)
	}
	for i := 0; ; i++ {
		p := c.read()
		if p.Get("Event") == "CoreShowChannelsComplete" || i == 100 {
			break
		}
		if p.Get("Event") == "CoreShowChannel" {
			if got, want := p.Get("BridgeId"), bridged[p.Get("Channel")]; got != want || !p.Has("BridgeId") {
				t.Errorf("%s: BridgeId %q, want %q", p.Get("Channel"), got, want)
			}
		}
	}
	clock.Advance(5 * time.Second)
	c.send("Logoff")
	rest := c.expectEOF()
	var got []amiwire.Packet
	for _, p := range append(start, rest...) {
		if p.Has("Event") && p.Get("Event") != "FullyBooted" && p.Get("Event") != "SuccessfulAuth" {
			got = append(got, p)
		}
	}
	var want []amiwire.Packet
	for _, p := range packetsOf(t, amitest.MustFixture("call-bridged.listener.server.ami")) {
		if p.Has("Event") && p.Get("Event") != "FullyBooted" && p.Get("Event") != "SuccessfulAuth" {
			want = append(want, p)
		}
	}
	sameShapes(t, "dialtalk", got, want)
	linked := map[string]bool{}
	for _, p := range got {
		if l := p.Get("Linkedid"); l != "" {
			linked[l] = true
		}
	}
	if len(linked) != 1 {
		t.Errorf("Linkedids %v, want one", linked)
	}
	if n := sim.ChannelCount(); n != 0 {
		t.Errorf("%d channels left", n)
	}
}

// TestFloodCalls: each session gets the events of n calls, each shaped as
// the recording's talk call (less what an Originate adds: the
// OriginateResponse and the VarSets of its variables) with ids of its own,
// filtered by the session's event mask; then the flood's end.
func TestFloodCalls(t *testing.T) {
	const n = 3
	var call []amiwire.Packet
	for _, p := range byCall(packetsOf(t, amitest.MustFixture("originate-outcomes.server.ami")))["talk"] {
		if p.Get("Event") != "OriginateResponse" && p.Get("Event") != "VarSet" {
			call = append(call, p)
		}
	}
	for _, tt := range []struct {
		events string
		keep   func(amiwire.Packet) bool
	}{
		{"on", func(amiwire.Packet) bool { return true }},
		{"call", func(p amiwire.Packet) bool { return p.Get("Privilege") == "call,all" }},
	} {
		t.Run(tt.events, func(t *testing.T) {
			srv, _, _ := newSim(t, Options{FloodCalls: n, FloodEnd: FloodGoodbye})
			c := dial(t, srv.Addr())
			c.login("admin", "s3cret", "Events", tt.events)
			var got []amiwire.Packet
			for _, p := range c.expectEOF() {
				if p.Get("Event") != "FullyBooted" && p.Get("Event") != "SuccessfulAuth" {
					got = append(got, p)
				}
			}
			if last := got[len(got)-1]; last.Get("Response") != "Goodbye" {
				t.Fatalf("flood ends with %v, want Goodbye", last)
			}
			got = got[:len(got)-1]
			var want []amiwire.Packet
			for _, p := range call {
				if tt.keep(p) {
					want = append(want, p)
				}
			}
			if len(got) != n*len(want) {
				t.Fatalf("%d events, want %d calls of %d", len(got), n, len(want))
			}
			linked := map[string]bool{}
			for i := 0; i < n; i++ {
				one := got[i*len(want) : (i+1)*len(want)]
				sameShapes(t, "call "+string(rune('0'+i)), one, want)
				ids := map[string]bool{}
				for _, p := range one {
					if l := p.Get("Linkedid"); l != "" {
						ids[l] = true
					}
				}
				if len(ids) != 1 {
					t.Errorf("call %d: Linkedids %v, want one", i, ids)
				}
				for l := range ids {
					if linked[l] {
						t.Errorf("call %d: Linkedid %s used by an earlier call", i, l)
					}
					linked[l] = true
				}
			}
		})
	}
}

// BenchmarkFloodCalls measures the call flood as a client sees it: b.N
// calls' events read and parsed with amiwire.Reader over loopback TCP.
func BenchmarkFloodCalls(b *testing.B) {
	srv, err := amitest.New(amitest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	sim, err := New(srv, Options{FloodCalls: b.N, FloodEnd: FloodClose})
	if err != nil {
		b.Fatal(err)
	}
	fc := sim.floodCalls(1)
	b.SetBytes(int64(len(fc.appendCall(nil, 0))))
	b.ReportAllocs()
	c := dial(b, srv.Addr())
	c.c.SetDeadline(time.Now().Add(10 * time.Minute))
	b.ResetTimer()
	c.send("Login", "Username", "admin", "Secret", "admin")
	n := 0
	for {
		p, err := c.rd.ReadPacket()
		if err != nil {
			break
		}
		if p.Get("Event") == "Hangup" {
			n++
		}
	}
	b.StopTimer()
	if n != 2*b.N {
		b.Fatalf("%d Hangup events, want %d", n, 2*b.N)
	}
}
