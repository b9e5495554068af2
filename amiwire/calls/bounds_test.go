package calls

import (
	"fmt"
	"testing"
)

// A call that goes through very many channels (a queue ringing agent after
// agent, each bridged a moment) keeps only the last MaxEndedChannels
// hung-up ones and counts the others; its bridge index stays bounded.
func TestManyChannelsInOneCall(t *testing.T) {
	c := New()
	check := newChecker()
	step := 0
	do := func(changes []Change) {
		t.Helper()
		step++
		if err := check.changes(changes); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if err := c.consistent(); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	_, ch := c.Feed("", newchannel(a1, 6), at(0))
	do(ch)
	const agents = 100
	for i := range agents {
		agent := chn{fmt.Sprintf("Local/agent%d@queue-%08x;1", i, i), fmt.Sprintf("100.%d", 1000+i), a1.lid}
		for _, p := range [...]struct {
			name string
			f    func() []Change
		}{
			{"dial", func() []Change { _, ch := c.Feed("", dial("DialBegin", a1, agent, 0), at(i)); return ch }},
			{"enter a1", func() []Change { _, ch := c.Feed("", bridge("BridgeEnter", a1, fmt.Sprint("br", i)), at(i)); return ch }},
			{"enter", func() []Change {
				_, ch := c.Feed("", bridge("BridgeEnter", agent, fmt.Sprint("br", i)), at(i))
				return ch
			}},
			{"leave", func() []Change {
				_, ch := c.Feed("", bridge("BridgeLeave", agent, fmt.Sprint("br", i)), at(i))
				return ch
			}},
			{"hangup", func() []Change { _, ch := c.Feed("", hangup(agent, 6, 16), at(i)); return ch }},
		} {
			do(p.f())
		}
	}
	calls := c.AppendCalls(nil)
	if len(calls) != 1 {
		t.Fatalf("%d calls up", len(calls))
	}
	call := calls[0]
	if len(call.Channels) != 1+MaxEndedChannels || call.DroppedChannels != agents-MaxEndedChannels || len(call.bridges) > maxBridges {
		t.Errorf("%d channels kept, %d dropped, %d bridges", len(call.Channels), call.DroppedChannels, len(call.bridges))
	}
	if p := call.Packet(); p.Get("DroppedChannels") != fmt.Sprint(agents-MaxEndedChannels) {
		t.Errorf("record: DroppedChannels %q", p.Get("DroppedChannels"))
	}
	// The last agent's channel is kept, the first is gone, and a late
	// event of the first raises nothing.
	if call.Channels[len(call.Channels)-1].Name != fmt.Sprintf("Local/agent%d@queue-%08x;1", agents-1, agents-1) {
		t.Errorf("the last channel kept is %s", call.Channels[len(call.Channels)-1].Name)
	}
	_, ch = c.Feed("", newstate(chn{"Local/agent0@queue-00000000;1", "100.1000", a1.lid}, 6), at(500))
	do(ch)
	if len(ch) != 0 {
		t.Errorf("a late event of a dropped channel: %s", summary(ch))
	}
	_, ch = c.Feed("", hangup(a1, 6, 16), at(501))
	do(ch)
	if summary(ch) != "end 100.1(hangup)" || len(c.bridges) != 0 || len(c.chans) != 0 {
		t.Errorf("end: %s; %d bridges, %d channels left", summary(ch), len(c.bridges), len(c.chans))
	}
}

// Many calls up at once, then none: the indexes are made anew, small, and
// every table stays within its bound however many calls went by.
func TestManyCalls(t *testing.T) {
	c := New()
	const n = shrinkAt + 500
	for i := range n {
		c.Feed("", newchannel(chn{fmt.Sprintf("SIP/%d-1", i), fmt.Sprint("7.", i), fmt.Sprint("7.", i)}, 4), at(i))
	}
	if c.Len() != n || c.peak < n {
		t.Fatalf("%d calls up, peak %d", c.Len(), c.peak)
	}
	for i := range n {
		c.Feed("", hangup(chn{fmt.Sprintf("SIP/%d-1", i), fmt.Sprint("7.", i), fmt.Sprint("7.", i)}, 4, 16), at(i))
	}
	if c.Len() != 0 || c.peak != 0 || len(c.calls) != 0 || len(c.chans) != 0 {
		t.Errorf("after all hung up: %d calls, peak %d", c.Len(), c.peak)
	}
	// A long run of short calls.
	pkts, _ := shortCalls(t, 1500)
	for i, p := range pkts {
		c.Feed("", p, at(i))
	}
	if err := c.consistent(); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 0 || len(c.goneSet) != goneSize || len(c.intern) > internMax || len(c.freeCalls) > freeMax || len(c.freeChans) > freeMax {
		t.Errorf("after %d short calls: %d up, gone %d, intern %d, free %d/%d", 1500, c.Len(), len(c.goneSet), len(c.intern), len(c.freeCalls), len(c.freeChans))
	}
}
