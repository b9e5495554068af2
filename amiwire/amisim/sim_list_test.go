package amisim

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestAppendBase holds the hand-written appendBase to baseFields, the
// layout every channel event uses.
func TestAppendBase(t *testing.T) {
	chans := []simChannel{
		{},
		{name: "Local/hold@default-00000051;1", state: 6, context: "default", exten: "hold", priority: 1, uniqueid: "1795383625.161", linkedid: "1795383625.161"},
		{name: "Local/short@default-0000ffff;2", state: 4, context: "from-internal", exten: "short", priority: 12, uniqueid: "1.2", linkedid: "1.1"},
		{name: "PJSIP/100-00000001", state: 5, context: "c", exten: "s", priority: 100000},
	}
	for _, ch := range chans {
		var want []byte
		for _, kv := range ch.baseFields("") {
			want = appendKV(want, kv[0], kv[1])
		}
		if got := ch.appendBase([]byte("x")); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Errorf("%q:\n got %q\nwant %q", ch.name, got, want)
		}
	}
}

func TestAppendDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "00:00:00"},
		{999 * time.Millisecond, "00:00:00"},
		{59 * time.Second, "00:00:59"},
		{time.Minute, "00:01:00"},
		{3723*time.Second + 500*time.Millisecond, "01:02:03"},
		{99*time.Hour + 59*time.Minute + 59*time.Second, "99:59:59"},
		{100 * time.Hour, "100:00:00"},
		{-time.Second, "00:00:00"}, // a channel created after the list began
	}
	for _, tt := range tests {
		if got := string(appendDuration(nil, tt.d)); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.d, got, tt.want)
		}
	}
}

// wantChannelList builds the CoreShowChannels reply the slow, obvious way:
// one amiwire.Packet per channel, encoded by appendPacket.
func wantChannelList(sim *Simulator, id string) []byte {
	now := sim.clock.Now()
	withID := func(p *amiwire.Packet) {
		if id != "" {
			p.Add("ActionID", id)
		}
	}
	var start amiwire.Packet
	start.Add("Response", "Success")
	withID(&start)
	start.Add("EventList", "start")
	start.Add("Message", "Channels will follow")
	out := appendPacket(nil, start)
	chans := sim.snapshot()
	for _, ch := range chans {
		var p amiwire.Packet
		p.Add("Event", "CoreShowChannel")
		withID(&p)
		for _, kv := range ch.baseFields("") {
			p.Add(kv[0], kv[1])
		}
		secs := int(now.Sub(ch.created).Seconds())
		p.Add("Application", ch.app)
		p.Add("ApplicationData", ch.appData)
		p.Add("Duration", fmt.Sprintf("%02d:%02d:%02d", secs/3600, secs%3600/60, secs%60))
		p.Add("BridgeId", "")
		out = appendPacket(out, p)
	}
	var end amiwire.Packet
	end.Add("Event", "CoreShowChannelsComplete")
	withID(&end)
	end.Add("EventList", "Complete")
	end.Add("ListItems", strconv.Itoa(len(chans)))
	return appendPacket(out, end)
}

// TestCoreShowChannelsBytes checks a list big enough for many chunks byte
// for byte against the item-by-item encoding, with and without ActionID,
// with calls in different states.
func TestCoreShowChannelsBytes(t *testing.T) {
	srv, sim, clock := newSim(t, Options{Calls: 3000})
	clock.Advance(3723 * time.Second)
	sim.startCall(callSpec{exten: "short", context: "default", app: "Wait", data: "10"}, nil)
	clock.Advance(1500 * time.Millisecond)
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "off")
	for _, id := range []string{"big-1", ""} {
		want := wantChannelList(sim, id)
		if id != "" {
			c.send("CoreShowChannels", "ActionID", id)
		} else {
			c.send("CoreShowChannels")
		}
		// The reader may hold bytes past the packet it returned: read the
		// raw reply through it, packet by packet, re-encoded (the
		// simulator writes canonical "Key: Value" lines, so this is exact).
		var got []byte
		for i := 0; i < 10000; i++ {
			p := c.read()
			got = appendPacket(got, p)
			if p.Get("EventList") == "Complete" {
				break
			}
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("ActionID %q: %d bytes, want %d; first difference at %d:\n got %q\nwant %q", id, len(got), len(want), i,
				got[max(0, i-100):min(len(got), i+100)], want[max(0, i-100):min(len(want), i+100)])
		}
	}
}

// TestBigListCut cuts CoreShowChannels (amitest.FaultCloseMidList) before, inside
// and after the first chunk: the items before the cut arrive whole, then
// the stream ends cleanly.
func TestBigListCut(t *testing.T) {
	for _, size := range []int{-1, 1, 700, 1999, 2000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			srv := amitest.NewServer(t, amitest.Options{Users: fixtureUsers, Faults: []amitest.Fault{{Kind: amitest.FaultCloseMidList, Action: "CoreShowChannels", Size: size}}})
			if _, err := New(srv, Options{Calls: 1000}); err != nil {
				t.Fatal(err)
			}
			c := dial(t, srv.Addr())
			c.login("admin", "s3cret", "Events", "off")
			c.send("CoreShowChannels", "ActionID", "cut")
			got := c.expectEOF()
			if len(got) == 0 || got[0].Get("EventList") != "start" {
				t.Fatalf("no start response: %v", got)
			}
			items := got[1:]
			want := max(size, 0)
			if len(items) != want {
				t.Fatalf("%d items before the cut, want %d", len(items), want)
			}
			for i, p := range items {
				if p.Get("Event") != "CoreShowChannel" || p.Get("ActionID") != "cut" || p.Get("BridgeId") != "" || !p.Has("BridgeId") {
					t.Fatalf("item %d: %v", i, p)
				}
			}
		})
	}
}

// TestBigListSlowReader lists 20,000 channels (about 8 MB) to a session
// whose queue may hold four list buffers (about 1 MB): the list waits for
// the client (two chunks in flight at most) instead of outrunning it and
// getting it cut off, and arrives whole.
func TestBigListSlowReader(t *testing.T) {
	srv := amitest.NewServer(t, amitest.Options{Users: fixtureUsers, MaxQueue: 4 * listBuf})
	if _, err := New(srv, Options{Calls: 10000}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "off")
	c.send("CoreShowChannels", "ActionID", "slow")
	if p := c.read(); p.Get("EventList") != "start" {
		t.Fatal(p)
	}
	n := 0
	for i := 0; i <= 20000; i++ {
		p, err := c.rd.ReadPacket()
		if err != nil {
			t.Fatalf("after %d items: %v", n, err)
		}
		if p.Get("EventList") == "Complete" {
			if n != 20000 || p.Get("ListItems") != strconv.Itoa(n) {
				t.Fatalf("%d items, ListItems %s, want 20000", n, p.Get("ListItems"))
			}
			return
		}
		n++
	}
	t.Fatal("no complete event")
}

// appendPacket appends p's wire form, as the server writes it.
func appendPacket(dst []byte, p amiwire.Packet) []byte {
	return append(dst, amitest.EncodeEvent(p).Bytes()...)
}

// listBuf is the size of amitest's list buffers (a 256 KiB chunk and the
// item that takes it past).
const listBuf = 256<<10 + 16<<10
