package amisim

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// channelKeys hold channel names and ids, which differ from the recording.
var channelKeys = []string{
	"Channel", "Uniqueid", "Linkedid", "LocalOneChannel", "LocalTwoChannel", "LocalOneUniqueid",
	"LocalOneLinkedid", "LocalTwoUniqueid", "LocalTwoLinkedid", "DestChannel", "DestUniqueid", "DestLinkedid",
}

func newSim(t *testing.T, so Options) (*amitest.Server, *Simulator, *amitest.ManualClock) {
	t.Helper()
	clock := amitest.NewManualClock(time.Date(2026, 11, 22, 21, 40, 25, 0, time.UTC))
	if so.Clock == nil {
		so.Clock = clock
	}
	srv := amitest.NewServer(t, amitest.Options{Users: fixtureUsers})
	sim, err := New(srv, so)
	if err != nil {
		t.Fatal(err)
	}
	return srv, sim, clock
}

// TestOriginateAsyncMatchesFixture drives the originate-async recording's
// client against the simulator, with a manual clock standing in for the
// one-second Wait, and compares every packet.
func TestOriginateAsyncMatchesFixture(t *testing.T) {
	srv, sim, clock := newSim(t, Options{})
	c := dial(t, srv.Addr())
	actions := packetsOf(t, amitest.MustFixture("originate-async.client.ami"))
	var got []amiwire.Packet
	// Login.
	c.wr.WriteAction(actions[0])
	r, evs := c.readResponse()
	got = append(append(got, evs...), r)
	// Originate, then everything up to the ;2 side's Wait(1).
	c.wr.WriteAction(actions[1])
	for i := 0; i < 100; i++ {
		p := c.read()
		got = append(got, p)
		if p.Get("Event") == "Newexten" && p.Get("Application") == "Wait" {
			break
		}
	}
	if n := sim.ChannelCount(); n != 2 {
		t.Fatalf("%d channels during the call, want 2", n)
	}
	clock.Advance(time.Second)
	if n := sim.ChannelCount(); n != 0 {
		t.Fatalf("%d channels after the call, want 0", n)
	}
	c.wr.WriteAction(actions[2])
	got = append(got, c.expectEOF()...)
	want := packetsOf(t, amitest.MustFixture("originate-async.server.ami"))
	comparePackets(t, got, want, channelKeys...)
	for _, p := range got {
		if p.Get("Event") == "OriginateResponse" && p.Get("ActionID") != "orig-2" {
			t.Errorf("OriginateResponse ActionID %q", p.Get("ActionID"))
		}
	}
}

// TestCallLifecycleListener checks that a second session sees another
// session's call, OriginateResponse included, as in call-lifecycle.
func TestCallLifecycleListener(t *testing.T) {
	srv, _, clock := newSim(t, Options{})
	listener := dial(t, srv.Addr())
	listener.login("admin", "s3cret")
	listener.readEvent("SuccessfulAuth")
	orig := dial(t, srv.Addr())
	if r := orig.login("admin", "s3cret", "Events", "off"); strings.EqualFold(r.Get("Response"), "Error") {
		t.Fatal(r)
	}
	r := orig.do("Originate", "ActionID", "orig-originate-2", "Channel", "Local/short@default", "Application", "Wait", "Data", "10", "Async", "true")
	if r.Get("Message") != "Originate successfully queued" {
		t.Fatal(r)
	}
	listener.readEvent("Newexten") // AppDial2
	or, _ := listener.readEvent("OriginateResponse")
	if or.Get("ActionID") != "orig-originate-2" || or.Get("Response") != "Success" || or.Get("Reason") != "4" {
		t.Fatalf("OriginateResponse: %v", or)
	}
	listener.readEvent("UserEvent")
	listener.readEvent("Newexten") // Wait(1)
	clock.Advance(time.Second)
	_, before := listener.readEvent("Hangup")
	if got := names(before); strings.Join(got, ",") != "Newexten,SoftHangupRequest,HangupRequest" {
		t.Errorf("before the first Hangup: %v", got)
	}
	// The originator logged in with events off: only its responses.
	if p := orig.do("Ping"); p.Get("Ping") != "Pong" {
		t.Fatal(p)
	}
}

func TestSyncOriginateAndLists(t *testing.T) {
	srv, sim, clock := newSim(t, Options{})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "off")
	for i := 0; i < 3; i++ {
		r := c.do("Originate", "ActionID", fmt.Sprintf("orig-%d", i), "Channel", "Local/hold@default", "Application", "Wait", "Data", "3600")
		if r.Get("Message") != "Originate successfully queued" || r.Get("ActionID") != fmt.Sprintf("orig-%d", i) {
			t.Fatal(r)
		}
	}
	clock.Advance(time.Second)
	fixtureItems := func(name, event string) []amiwire.Packet {
		var out []amiwire.Packet
		for _, p := range packetsOf(t, amitest.MustFixture(name)) {
			if p.Get("Event") == event {
				out = append(out, p)
			}
		}
		return out
	}
	tests := []struct {
		action, fixture, item, message, complete string
	}{
		{"CoreShowChannels", "core-show-channels-3.server.ami", "CoreShowChannel", "Channels will follow", "CoreShowChannelsComplete"},
		{"Status", "status-3.server.ami", "Status", "Channel status will follow", "StatusComplete"},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			c.send(tt.action, "ActionID", "list-1")
			r := c.read()
			if r.Get("EventList") != "start" || r.Get("Message") != tt.message || r.Get("ActionID") != "list-1" {
				t.Fatalf("start: %v", r)
			}
			var items []amiwire.Packet
			var final amiwire.Packet
			for i := 0; i < 100; i++ {
				p := c.read()
				if p.Get("EventList") == "Complete" {
					final = p
					break
				}
				items = append(items, p)
			}
			if final.Get("Event") != tt.complete || final.Get("ListItems") != strconv.Itoa(len(items)) || len(items) != 6 {
				t.Fatalf("final %v after %d items", final, len(items))
			}
			want := fixtureItems(tt.fixture, tt.item)
			// Same layout as the recording, item by item (the recording's
			// order differs: compare with the same side of a pair).
			for i, it := range items {
				w := want[0]
				if strings.HasSuffix(it.Get("Channel"), ";2") {
					w = want[1]
					if strings.HasSuffix(want[0].Get("Channel"), ";2") {
						w = want[0]
					}
				} else if strings.HasSuffix(want[0].Get("Channel"), ";2") {
					w = want[1]
				}
				w = w.Clone()
				setField(&w, "ActionID", "list-1")
				comparePackets(t, []amiwire.Packet{it}, []amiwire.Packet{w}, channelKeys...)
				_ = i
			}
			fw := fixtureItems(tt.fixture, tt.complete)[0].Clone()
			setField(&fw, "ActionID", "list-1")
			comparePackets(t, []amiwire.Packet{final}, []amiwire.Packet{fw})
		})
	}
	// Command: core show channels has the CLI table layout of the recording.
	r := c.do("Command", "ActionID", "cmd-2", "Command", "core show channels")
	out := r.Values("Output")
	want := packetsOf(t, amitest.MustFixture("command-core-show-channels.server.ami"))
	var wantOut []string
	for _, p := range want {
		if p.Get("ActionID") == "cmd-2" {
			wantOut = p.Values("Output")
		}
	}
	if len(out) != len(wantOut) || out[0] != wantOut[0] || out[7] != "6 active channels" || out[8] != "3 active calls" {
		t.Fatalf("core show channels:\n%s\nwant\n%s", strings.Join(out, "\n"), strings.Join(wantOut, "\n"))
	}
	for i := 1; i <= 6; i++ {
		if len(out[i]) != len(wantOut[i]) || !strings.HasSuffix(out[i], "Up      Wait(3600)                    ") {
			t.Errorf("row %d: %q, want the layout of %q", i, out[i], wantOut[i])
		}
	}
	// Hangup one channel: its pair goes, the others stay.
	name := sim.ChannelNames()[0]
	if r := c.do("Hangup", "Channel", name); r.Get("Message") != "Channel Hungup" {
		t.Fatal(r)
	}
	if n := sim.ChannelCount(); n != 4 {
		t.Fatalf("%d channels after Hangup, want 4", n)
	}
	if r := c.do("Hangup", "Channel", name); r.Get("Message") != "No such channel" {
		t.Fatal(r)
	}
	// The rest end when their hour is up.
	clock.Advance(time.Hour)
	if n := sim.ChannelCount(); n != 0 {
		t.Fatalf("%d channels after an hour, want 0", n)
	}
}

func TestNoActionIDLists(t *testing.T) {
	srv, _, clock := newSim(t, Options{Calls: 1})
	clock.Advance(time.Second)
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "off")
	c.send("CoreShowChannels")
	var got []amiwire.Packet
	for i := 0; i < 10; i++ {
		p := c.read()
		got = append(got, p)
		if p.Get("EventList") == "Complete" {
			break
		}
	}
	want := packetsOf(t, amitest.MustFixture("no-actionid.server.ami"))
	var wantList []amiwire.Packet
	for _, p := range want {
		if p.Get("Message") == "Channels will follow" || strings.HasPrefix(p.Get("Event"), "CoreShowChannel") {
			wantList = append(wantList, p)
		}
	}
	comparePackets(t, got, wantList, append(channelKeys, "Priority")...)
	for _, p := range got {
		if p.Has("ActionID") {
			t.Errorf("ActionID in %v", p)
		}
	}
}

func TestSimCommands(t *testing.T) {
	srv, _, clock := newSim(t, Options{})
	clock.Advance(14*time.Minute + 11*time.Second)
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "off")
	tests := []struct {
		command  string
		response string
		output   []string
	}{
		{"core show version", "Success", []string{"Asterisk 22.10.1 built by root @ vm on a x86_64 running Linux on 2026-11-22 21:37:51 UTC"}},
		{"core show uptime", "Success", []string{"System uptime: 14 minutes, 11 seconds", "Last reload: 14 minutes, 11 seconds"}},
		{"core  show   calls", "Success", []string{"0 active calls", "0 calls processed"}},
		{"pjsip show endpoints", "Success", []string{"No objects found."}},
		{"sip show peers", "Error", []string{"No such command 'sip show peers' (type 'core show help sip show peers' for other possible commands)"}},
	}
	for _, tt := range tests {
		r := c.do("Command", "ActionID", "x", "Command", tt.command)
		if r.Get("Response") != tt.response || r.Get("Message") != "Command output follows" || strings.Join(r.Values("Output"), "|") != strings.Join(tt.output, "|") {
			t.Errorf("%s: %v", tt.command, r)
		}
	}
	cs := c.do("CoreSettings", "ActionID", "cs")
	if cs.Get("AMIversion") != "11.0.0" || cs.Get("AsteriskVersion") != "22.10.1" || !cs.Has("SystemName") || cs.Has("Message") {
		t.Errorf("CoreSettings: %v", cs)
	}
	st := c.do("CoreStatus", "ActionID", "pipe-corestatus-3")
	want := packetsOf(t, amitest.MustFixture("pipelined.server.ami"))
	for _, p := range want {
		if p.Get("ActionID") == "pipe-corestatus-3" {
			comparePackets(t, []amiwire.Packet{st}, []amiwire.Packet{p})
		}
	}
	if st.Get("CoreStartupTime") != "21:40:25" {
		t.Errorf("CoreStatus: %v", st)
	}
	ue := dial(t, srv.Addr())
	ue.login("admin", "s3cret", "Events", "user")
	if r := c.do("UserEvent", "ActionID", "u1", "UserEvent", "Hello", "Detail", "a: b"); r.Get("Message") != "Event Sent" {
		t.Fatal(r)
	}
	ev, _ := ue.readEvent("UserEvent")
	if ev.Get("UserEvent") != "Hello" || ev.Get("Detail") != "a: b" || ev.Get("Privilege") != "user,all" {
		t.Fatalf("UserEvent: %v", ev)
	}
	if r := c.do("Bogus", "ActionID", "b"); r.Get("Message") != "Invalid/unknown command: Bogus. Use Action: ListCommands to show available commands." {
		t.Fatal(r)
	}
}

func TestOriginateErrors(t *testing.T) {
	srv, _, _ := newSim(t, Options{})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "call")
	if r := c.do("Originate", "ActionID", "o1"); r.Get("Message") != "Channel not specified" {
		t.Fatal(r)
	}
	if r := c.do("Originate", "ActionID", "o2", "Channel", "PJSIP/100", "Application", "Wait"); r.Get("Message") != "Originate failed" {
		t.Fatal(r)
	}
	if r := c.do("Originate", "ActionID", "o3", "Channel", "PJSIP/100", "Application", "Wait", "Async", "yes"); strings.EqualFold(r.Get("Response"), "Error") {
		t.Fatal(r)
	}
	or, _ := c.readEvent("OriginateResponse")
	if or.Get("Response") != "Failure" || or.Get("ActionID") != "o3" {
		t.Fatal(or)
	}
}

// TestFloodOriginate checks the flood extension: COUNT UserEvents in order,
// as in flood-1000 (listener with Events: user).
func TestFloodOriginate(t *testing.T) {
	srv, sim, _ := newSim(t, Options{})
	l := dial(t, srv.Addr())
	l.login("admin", "s3cret", "Events", "user")
	if err := sim.Originate("Local/flood@default", "Wait", "60"); err == nil {
		// Originate without variables floods 10 events.
	}
	for i := 0; i < 10; i++ {
		p := l.read()
		if p.Get("Event") != "UserEvent" || p.Get("Seq") != fmt.Sprint(i) {
			t.Fatalf("event %d: %v", i, p)
		}
	}
	if p := l.do("Ping"); p.Get("Ping") != "Pong" {
		t.Fatalf("want only the flood before the Ping reply, got %v", p)
	}
}

func TestFloodOnLogin(t *testing.T) {
	const n = 1000
	srv, _, _ := newSim(t, Options{Flood: n})
	c := dial(t, srv.Addr())
	c.send("Login", "ActionID", "listener-login-1", "Username", "admin", "Secret", "s3cret", "Events", "user")
	got := []amiwire.Packet{c.read()}
	for i := 0; i < n; i++ {
		got = append(got, c.read())
	}
	c.send("Logoff", "ActionID", "listener-logoff-2")
	got = append(got, c.expectEOF()...)
	want := packetsOf(t, amitest.MustFixture("flood-1000.listener.server.ami"))
	if len(got) != len(want) {
		t.Fatalf("got %d packets, want %d", len(got), len(want))
	}
	for i := 1; i <= n; i++ {
		if string(got[i].Raw) != string(want[i].Raw) {
			t.Fatalf("event %d differs:\n%s\nwant\n%s", i-1, got[i].Raw, want[i].Raw)
		}
	}
	comparePackets(t, got, want)
}

func TestFloodEnd(t *testing.T) {
	tests := []struct {
		name    string
		end     FloodEnd
		events  string // login Events header
		want    int    // flood events expected
		goodbye bool
	}{
		{"goodbye", FloodGoodbye, "on", 50, true},
		{"close", FloodClose, "user", 50, false},
		{"events off: no flood", FloodClose, "off", 0, false},
		{"no user class: no flood", FloodClose, "call", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, _ := newSim(t, Options{Flood: 50, FloodEnd: tt.end})
			c := dial(t, srv.Addr())
			c.login("admin", "s3cret", "Events", tt.events)
			if tt.want == 0 {
				if p := c.do("Ping"); p.Get("Ping") != "Pong" {
					t.Fatal(p)
				}
				return
			}
			rest := c.expectEOF()
			seq := 0
			goodbye := false
			for _, p := range rest {
				switch {
				case p.Get("UserEvent") == "Flood":
					if p.Get("Seq") != fmt.Sprint(seq) {
						t.Fatalf("Seq %s, want %d", p.Get("Seq"), seq)
					}
					seq++
				case p.Get("Response") == "Goodbye":
					goodbye = true
				}
			}
			if seq != tt.want || goodbye != tt.goodbye {
				t.Fatalf("%d flood events, goodbye %v", seq, goodbye)
			}
		})
	}
}

func TestReplayCapture(t *testing.T) {
	capture := amitest.MustFixture("call-lifecycle.listener.server.ami")
	srv, _, _ := newSim(t, Options{Replay: capture})
	var want []amiwire.Packet
	for _, p := range packetsOf(t, capture) {
		if p.Has("Event") && p.Get("Event") != "FullyBooted" && p.Get("Event") != "SuccessfulAuth" {
			want = append(want, p)
		}
	}
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "call,dialplan,user")
	c.send("Ping", "ActionID", "end")
	var got []amiwire.Packet
	for i := 0; i < 1000; i++ {
		p := c.read()
		if p.Get("ActionID") == "end" && p.Has("Response") && !p.Has("Event") {
			break
		}
		got = append(got, p)
	}
	if len(want) < 10 {
		t.Fatalf("capture has %d events", len(want))
	}
	for i := range want {
		if i >= len(got) || string(got[i].Raw) != string(want[i].Raw) {
			t.Fatalf("event %d: got %v, want %v", i, names(got), names(want))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
}

func TestBackgroundRate(t *testing.T) {
	srv, sim, clock := newSim(t, Options{Rate: 2})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "call")
	clock.Advance(500 * time.Millisecond)
	if n := sim.ChannelCount(); n != 2 {
		t.Fatalf("%d channels after 0.5 s at 2 calls/s, want 2", n)
	}
	c.readEvent("DialEnd")
	clock.Advance(500 * time.Millisecond) // second call starts, first one's Wait(1) is not over
	if n := sim.ChannelCount(); n != 4 {
		t.Fatalf("%d channels after 1 s, want 4", n)
	}
	clock.Advance(500 * time.Millisecond) // first call ends, third starts
	if n := sim.ChannelCount(); n != 4 {
		t.Fatalf("%d channels after 1.5 s, want 4", n)
	}
	c.readEvent("Hangup")
}

func TestDBGet(t *testing.T) {
	srv, _, _ := newSim(t, Options{})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "off")
	tests := []struct {
		action string
		kv     []string
		want   string
	}{
		{"DBPut", []string{"Key", "k"}, "No family specified"},
		{"DBPut", []string{"Family", "f"}, "No key specified"},
		{"DBGet", []string{"Family", "f", "Key", "k"}, "Database entry not found"},
		{"DBPut", []string{"Family", "f", "Key", "k", "Val", ""}, "Updated database successfully"},
	}
	for _, tt := range tests {
		if r := c.do(tt.action, tt.kv...); r.Get("Message") != tt.want {
			t.Errorf("%s %v: %v", tt.action, tt.kv, r)
		}
	}
}

func TestBigList(t *testing.T) {
	const calls = 5000
	srv, _, _ := newSim(t, Options{Calls: calls})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "off")
	c.send("CoreShowChannels", "ActionID", "big")
	c.read()
	n := 0
	for i := 0; i <= 2*calls; i++ {
		p := c.read()
		if p.Get("EventList") == "Complete" {
			if p.Get("ListItems") != strconv.Itoa(n) || n != 2*calls {
				t.Fatalf("ListItems %s, got %d items", p.Get("ListItems"), n)
			}
			return
		}
		if p.Get("ActionID") != "big" {
			t.Fatalf("item %d: %v", n, p)
		}
		n++
	}
	t.Fatal("no complete event")
}

// TestCloseEndsGoroutines: closing the server stops the simulator with it:
// floods to clients that do not read, background calls and their timers.
func TestCloseEndsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, err := amitest.New(amitest.Options{Users: fixtureUsers})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(srv, Options{Flood: 50_000, Rate: 1000, Calls: 3}); err != nil {
		t.Fatal(err)
	}
	var conns []*conn
	for i := 0; i < 3; i++ {
		c := dial(t, srv.Addr())
		c.send("Login", "Username", "admin", "Secret", "s3cret")
		conns = append(conns, c)
	}
	conns[0].readEvent("UserEvent") // a flood is under way
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		c.c.Close()
	}
	// A goroutine that has run its deferred wg.Done may not have exited yet;
	// under load that takes more than a few yields, so wait up to a deadline.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Close, %d before\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
