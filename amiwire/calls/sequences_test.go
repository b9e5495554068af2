package calls

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

// chn is a channel for building events: its name, Uniqueid and the
// Linkedid its events show.
type chn struct{ name, uid, lid string }

// with returns the channel showing another Linkedid.
func (c chn) with(lid string) chn { c.lid = lid; return c }

func (c chn) ev(event string, state int, more ...string) amiwire.Packet {
	return ev(event, chanFields("", c.name, c.uid, c.lid, state, more...)...)
}

func newchannel(c chn, state int) amiwire.Packet { return c.ev("Newchannel", state) }
func newstate(c chn, state int) amiwire.Packet   { return c.ev("Newstate", state) }
func hangup(c chn, state, cause int) amiwire.Packet {
	return c.ev("Hangup", state, "Cause", fmt.Sprint(cause), "Cause-txt", CauseText(cause))
}

func dial(event string, caller, dest chn, state int, more ...string) amiwire.Packet {
	kv := chanFields("", caller.name, caller.uid, caller.lid, 4)
	kv = append(kv, chanFields("Dest", dest.name, dest.uid, dest.lid, state)...)
	return ev(event, append(kv, more...)...)
}

func localBridge(one, two chn) amiwire.Packet {
	kv := chanFields("LocalOne", one.name, one.uid, one.lid, 0)
	kv = append(kv, chanFields("LocalTwo", two.name, two.uid, two.lid, 4)...)
	return ev("LocalBridge", append(kv, "Context", "default", "Exten", "s", "LocalOptimization", "Yes")...)
}

func bridge(event string, c chn, id string) amiwire.Packet {
	kv := []string{"BridgeUniqueid", id, "BridgeType", "basic"}
	return ev(event, append(kv, chanFields("", c.name, c.uid, c.lid, 6)...)...)
}

func item(c chn, state int, app, data, dur, bridgeID string) amiwire.Packet {
	return ev("CoreShowChannel", append([]string{"ActionID", "csc"},
		chanFields("", c.name, c.uid, c.lid, state, "Application", app, "ApplicationData", data, "Duration", dur, "BridgeId", bridgeID)...)...)
}

// summary renders changes compactly: "start A(new); update B; end C(merged>A)".
func summary(changes []Change) string {
	var parts []string
	for _, ch := range changes {
		s := string(ch.Kind) + " " + ch.Call.Linkedid
		if ch.Call.Host != "" {
			s = ch.Call.Host + ":" + s
		}
		if ch.Reason != "" {
			s += "(" + string(ch.Reason)
			if ch.Into != nil {
				s += ">" + ch.Into.Linkedid
			}
			s += ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// step is one input of a sequence: a packet, or a snapshot (items, with
// begin set when BeginSnapshot was called before), and the changes it must
// cause, summarised.
type step struct {
	host     string
	p        amiwire.Packet
	snapshot []amiwire.Packet
	begin    bool // BeginSnapshot(host) before this step
	want     string
	then     func(t *testing.T, c *Correlator, calls []Change)
}

var (
	a1 = chn{"PJSIP/100-00000001", "100.1", "100.1"}
	b1 = chn{"PJSIP/200-00000002", "100.2", "100.1"}
	l1 = chn{"Local/s@queue-00000001;1", "100.3", "100.3"}
	l2 = chn{"Local/s@queue-00000001;2", "100.4", "100.3"}
)

func TestSequences(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"plain call", []step{
			{p: newchannel(a1, 4), want: "start 100.1(new)"},
			{p: dial("DialBegin", a1, b1, 0), want: "update 100.1"},
			{p: newstate(b1, 5), want: "update 100.1", then: wantState(StateRinging)},
			{p: newstate(b1, 6), want: "update 100.1", then: wantState(StateUp)},
			{p: dial("DialEnd", a1, b1, 6, "DialStatus", "ANSWER"), want: "update 100.1"},
			{p: newstate(a1, 6), want: "update 100.1"},
			{p: bridge("BridgeEnter", a1, "br1"), want: "update 100.1", then: wantState(StateUp)},
			{p: bridge("BridgeEnter", b1, "br1"), want: "update 100.1", then: wantState(StateBridged)},
			{p: bridge("BridgeLeave", b1, "br1"), want: "update 100.1", then: wantState(StateUp)},
			{p: hangup(b1, 6, 16), want: "update 100.1"},
			{p: ev("BridgeDestroy", "BridgeUniqueid", "br1"), want: ""},
			{p: hangup(a1, 6, 16), want: "end 100.1(hangup)", then: wantEnd("16,16", "ANSWER")},
		}},
		{"events out of the usual order", []step{
			// The second channel's state change comes before its Newchannel,
			// the first channel's Hangup before the second's last event.
			{p: newchannel(a1, 4), want: "start 100.1(new)"},
			{p: newstate(b1, 5), want: "update 100.1"},
			{p: newchannel(b1, 0), want: "update 100.1"},
			{p: hangup(a1, 4, 16), want: "update 100.1"},
			{p: newstate(b1, 6), want: "update 100.1"},
			{p: hangup(b1, 6, 16), want: "end 100.1(hangup)", then: wantEnd("16,16", "")},
			// Late events of a call that ended raise nothing.
			{p: b1.ev("VarSet", 6, "Variable", "X", "Value", "1"), want: ""},
			{p: newstate(a1, 6), want: ""},
			{p: hangup(a1, 6, 16), want: ""},
			{p: ev("Cdr", "UniqueID", "100.1", "Channel", a1.name), want: ""},
		}},
		{"a Hangup of an unknown call raises nothing", []step{
			{p: hangup(a1, 6, 16), want: "", then: wantUp(0)},
			{p: ev("Rename", "Channel", "x", "Newname", "y", "Uniqueid", "9.9"), want: ""},
			{p: ev("OriginateResponse", "Response", "Failure", "Channel", "Local/busy@default", "Reason", "5", "Uniqueid", "<unknown>"), want: ""},
			{p: ev("DeviceStateChange", "Device", "PJSIP/100", "State", "INUSE"), want: ""},
			{p: amiwire.NewAction("Ping"), want: ""},
			{p: amiwire.Packet{}, want: ""},
		}},
		{"duplicate Newchannel and Hangup", []step{
			{p: newchannel(a1, 4), want: "start 100.1(new)"},
			{p: newchannel(a1, 4), want: ""},
			{p: newchannel(b1, 0), want: "update 100.1"},
			{p: hangup(b1, 0, 17), want: "update 100.1"},
			{p: hangup(b1, 0, 16), want: ""},
			{p: hangup(a1, 4, 16), want: "end 100.1(hangup)", then: wantEnd("16,17", "")},
		}},
		{"a Local channel pair with Linkedids of its own", []step{
			// The halves arrive as separate calls, LocalBridge joins them.
			{p: newchannel(l1, 0), want: "start 100.3(new)"},
			{p: newchannel(l2.with("100.4"), 4), want: "start 100.4(new)"},
			{p: localBridge(l1, l2.with("100.4")), want: "update 100.3; end 100.4(merged>100.3)", then: wantUp(1)},
			{p: newstate(l2.with("100.4"), 6), want: "update 100.3"},
			{p: hangup(l2.with("100.4"), 6, 16), want: "update 100.3"},
			{p: hangup(l1, 0, 16), want: "end 100.3(hangup)", then: wantEnd("16,16", "")},
		}},
		{"a dialled channel with a new Linkedid that later gets the call's", []step{
			{p: newchannel(a1, 4), want: "start 100.1(new)"},
			{p: newchannel(b1.with("100.2"), 0), want: "start 100.2(new)"},
			{p: dial("DialBegin", a1, b1.with("100.2"), 0), want: "end 100.2(merged>100.1); update 100.1", then: wantUp(1)},
			// Its events still show its own Linkedid: it stays in the call.
			{p: newstate(b1.with("100.2"), 6), want: "update 100.1", then: wantState(StateUp)},
			{p: dial("DialEnd", a1, b1.with("100.2"), 6, "DialStatus", "ANSWER"), want: "update 100.1"},
			// Bridged, Asterisk gives it the oldest Linkedid.
			{p: bridge("BridgeEnter", a1, "br1"), want: "update 100.1"},
			{p: bridge("BridgeEnter", b1, "br1"), want: "update 100.1", then: wantState(StateBridged)},
			{p: hangup(b1, 6, 16), want: "update 100.1"},
			{p: hangup(a1, 6, 16), want: "end 100.1(hangup)", then: func(t *testing.T, c *Correlator, ch []Change) {
				wantEnd("16,16", "ANSWER")(t, c, ch)
				if got := strings.Join(ch[0].Call.OtherLinkedids, ","); got != "100.2" {
					t.Errorf("OtherLinkedids %q, want 100.2", got)
				}
			}},
		}},
		{"a dial whose both channels are first seen in the DialBegin", []step{
			// A capture that begins mid-call: the dialled channel's own call
			// starts and merges in one packet, so it is not reported at all.
			{p: dial("DialBegin", a1, b1.with("100.2"), 0), want: "start 100.1(midcall)", then: wantUp(1)},
			{p: hangup(b1.with("100.2"), 0, 19), want: "update 100.1"},
			{p: hangup(a1, 4, 19), want: "end 100.1(hangup)"},
		}},
		{"a channel moved to a call up by Linkedid propagation", []step{
			{p: newchannel(a1, 6), want: "start 100.1(new)"},
			{p: newchannel(l1, 6), want: "start 100.3(new)"},
			{p: newchannel(l2, 6), want: "update 100.3"},
			// A transfer bridges l2 with a1: l2's events now show 100.1.
			{p: bridge("BridgeEnter", l2.with("100.1"), "br9"), want: "update 100.1; end 100.3(merged>100.1)", then: wantUp(1)},
			{p: hangup(l1.with("100.3"), 6, 16), want: "update 100.1"},
			{p: hangup(l2.with("100.1"), 6, 16), want: "update 100.1"},
			{p: hangup(a1, 6, 16), want: "end 100.1(hangup)", then: wantEnd("16,16,16", "")},
		}},
		{"a Linkedid nobody had becomes another name of the call", []step{
			{p: newchannel(l1, 6), want: "start 100.3(new)"},
			{p: newstate(l1.with("90.1"), 6), want: "update 100.3"},
			{p: newchannel(chn{"PJSIP/300-00000009", "100.9", "90.1"}, 4), want: "update 100.3", then: wantUp(1)},
			{p: hangup(chn{"PJSIP/300-00000009", "100.9", "90.1"}, 4, 16), want: "update 100.3"},
			{p: hangup(l1.with("90.1"), 6, 16), want: "end 100.3(hangup)", then: wantUp(0)},
		}},
		{"a renamed channel", []step{
			{p: newchannel(a1, 6), want: "start 100.1(new)"},
			{p: ev("Rename", "Channel", a1.name, "Newname", "PJSIP/100-00000001<ZOMBIE>", "Uniqueid", a1.uid), want: "update 100.1", then: func(t *testing.T, c *Correlator, ch []Change) {
				if got := ch[0].Call.Channels[0].Name; got != "PJSIP/100-00000001<ZOMBIE>" {
					t.Errorf("name %q after Rename", got)
				}
			}},
			{p: newstate(chn{"PJSIP/100-00000001<ZOMBIE>", a1.uid, a1.lid}, 6), want: ""},
			{p: hangup(chn{"PJSIP/100-00000001<ZOMBIE>", a1.uid, a1.lid}, 6, 16), want: "end 100.1(hangup)"},
		}},
		{"the same Uniqueids on two hosts", []step{
			{host: "pbx1", p: newchannel(a1, 4), want: "pbx1:start 100.1(new)"},
			{host: "pbx2", p: newchannel(a1, 4), want: "pbx2:start 100.1(new)"},
			{host: "pbx2", p: newchannel(b1, 4), want: "pbx2:update 100.1", then: wantUp(2)},
			{host: "pbx1", p: hangup(a1, 4, 16), want: "pbx1:end 100.1(hangup)", then: wantUp(1)},
			{host: "pbx2", p: hangup(a1, 4, 16), want: "pbx2:update 100.1"},
			{host: "pbx2", p: hangup(b1, 4, 16), want: "pbx2:end 100.1(hangup)", then: wantUp(0)},
		}},
		{"keys in another case", []step{
			{p: ev("Newchannel", "channel", a1.name, "CHANNELSTATE", "4", "UniqueID", a1.uid, "LinkedID", a1.lid, "calleridnum", "100"), want: "start 100.1(new)", then: func(t *testing.T, c *Correlator, ch []Change) {
				if p := ch[0].Call.Caller(); p.Num != "100" {
					t.Errorf("caller %v", p)
				}
			}},
			{p: ev("Hangup", "Channel", a1.name, "UNIQUEID", a1.uid, "linkedid", a1.lid, "cause", "16"), want: "end 100.1(hangup)", then: wantEnd("16", "")},
		}},
		{"a snapshot after a reconnect", []step{
			{p: newchannel(a1, 4), want: "start 100.1(new)"},
			{p: newchannel(b1, 6), want: "update 100.1"},
			{p: newchannel(l1, 6), want: "start 100.3(new)"},
			{p: newchannel(l2, 6), want: "update 100.3"},
			// Meanwhile 100.3 ended, b1 hung up, 100.5 began: the snapshot
			// says so.
			{snapshot: []amiwire.Packet{
				item(a1, 6, "Dial", "PJSIP/200", "00:01:05", ""),
				item(chn{"PJSIP/500-00000005", "100.5", "100.5"}, 6, "Playback", "hello", "00:00:10", ""),
				ev("CoreShowChannelsComplete", "ListItems", "2"),
			}, want: "update 100.1; start 100.5(snapshot); end 100.3(lost)", then: func(t *testing.T, c *Correlator, ch []Change) {
				for _, x := range ch {
					switch x.Call.Linkedid {
					case "100.1":
						if s := x.Call.Channels[1].Status; s != ChannelLost || x.Call.Channels[0].Application != "Dial" || x.Call.State() != StateUp {
							t.Errorf("100.1: b1 %s, a1 runs %s, state %s", s, x.Call.Channels[0].Application, x.Call.State())
						}
					case "100.3":
						for _, chn := range x.Call.Channels {
							if chn.Status != ChannelLost || chn.Cause != "" {
								t.Errorf("100.3: %s %s cause %q", chn.Name, chn.Status, chn.Cause)
							}
						}
					case "100.5":
						if !x.Call.Start.Equal(at(4).Add(-10e9)) || !x.Call.Answer.IsZero() {
							t.Errorf("100.5 started %v answered %v", x.Call.Start, x.Call.Answer)
						}
					}
				}
				wantUp(2)(t, c, ch)
			}},
		}},
		{"events during a snapshot win over it", []step{
			{p: newchannel(a1, 6), want: "start 100.1(new)"},
			{p: newchannel(b1, 6), want: "update 100.1"},
			// CoreShowChannels sent; before its list arrives b1 hangs up and
			// a new call begins. The snapshot was taken before both.
			{begin: true, p: hangup(b1, 6, 16), want: "update 100.1"},
			{p: newchannel(l1, 4), want: "start 100.3(new)"},
			{snapshot: []amiwire.Packet{
				item(a1, 6, "Dial", "", "00:00:03", ""),
				item(b1, 6, "AppDial", "", "00:00:03", ""),
			}, want: "update 100.1", then: func(t *testing.T, c *Correlator, ch []Change) {
				call := ch[0].Call
				if call.Live() != 1 || call.Channels[1].Status != ChannelHungup || call.Channels[1].Cause != "16" {
					t.Errorf("b1 is %s (cause %q), %d live", call.Channels[1].Status, call.Channels[1].Cause, call.Live())
				}
				wantUp(2)(t, c, ch)
			}},
			// Without BeginSnapshot the next snapshot is believed.
			{snapshot: []amiwire.Packet{item(a1, 6, "Dial", "", "00:00:04", "")}, want: "end 100.3(lost)", then: wantUp(1)},
		}},
		{"a snapshot first: calls bridged, no answer time", []step{
			{snapshot: []amiwire.Packet{
				item(a1, 6, "Dial", "", "00:02:00", "br1"),
				item(b1, 6, "AppDial", "", "00:01:00", "br1"),
			}, want: "start 100.1(snapshot)", then: func(t *testing.T, c *Correlator, ch []Change) {
				call := ch[0].Call
				if call.State() != StateBridged || !call.Answered || !call.Answer.IsZero() || !call.Start.Equal(at(0).Add(-2*60e9)) {
					t.Errorf("state %s answered %v at %v start %v", call.State(), call.Answered, call.Answer, call.Start)
				}
			}},
			{p: hangup(b1, 6, 16), want: "update 100.1"},
			{p: hangup(a1, 6, 16), want: "end 100.1(hangup)", then: func(t *testing.T, c *Correlator, ch []Change) {
				p := ch[0].Packet()
				if p.Has("AnsweredDuration") || p.Get("Duration") != "120.020" {
					t.Errorf("end record: Duration %q, AnsweredDuration %q", p.Get("Duration"), p.Get("AnsweredDuration"))
				}
			}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New()
			check := newChecker()
			for i, s := range tt.steps {
				if s.begin {
					c.BeginSnapshot(s.host)
				}
				var changes []Change
				if s.snapshot != nil {
					changes = c.Snapshot(s.host, s.snapshot, at(i))
				} else {
					_, changes = c.Feed(s.host, s.p, at(i))
				}
				if got := summary(changes); got != s.want {
					t.Fatalf("step %d (%s): changes %q, want %q", i, s.p.Get("Event"), got, s.want)
				}
				if err := check.changes(changes); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if err := c.consistent(); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if s.then != nil {
					s.then(t, c, changes)
				}
			}
		})
	}
}

func wantState(st State) func(*testing.T, *Correlator, []Change) {
	return func(t *testing.T, _ *Correlator, ch []Change) {
		t.Helper()
		if got := ch[0].Call.State(); got != st {
			t.Errorf("state %s, want %s", got, st)
		}
	}
}

func wantUp(n int) func(*testing.T, *Correlator, []Change) {
	return func(t *testing.T, c *Correlator, _ []Change) {
		t.Helper()
		if c.Len() != n {
			t.Errorf("%d calls up, want %d", c.Len(), n)
		}
	}
}

// wantEnd checks an end record: the channels' causes and the DialStatus of
// the last, comma-separated.
func wantEnd(causes, dialStatus string) func(*testing.T, *Correlator, []Change) {
	return func(t *testing.T, _ *Correlator, ch []Change) {
		t.Helper()
		p := ch[0].Packet()
		if got := strings.Join(p.Values("Cause"), ","); got != causes {
			t.Errorf("causes %s, want %s", got, causes)
		}
		for i, txt := range p.Values("Cause-txt") {
			if want := causeTextOf(p.Values("Cause")[i]); txt != want {
				t.Errorf("channel %d: Cause-txt %q, want %q", i, txt, want)
			}
		}
		if ds := p.Values("DialStatus"); dialStatus != "" && ds[len(ds)-1] != dialStatus {
			t.Errorf("DialStatus %v, want %s last", ds, dialStatus)
		}
	}
}
