package calls_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/calls"
	"github.com/ami-cli/ami/format"
)

// event builds an event from "Key: Value" lines, as a Reader would return it.
func event(lines ...string) amiwire.Packet {
	var p amiwire.Packet
	for _, l := range lines {
		k, v, _ := strings.Cut(l, ": ")
		p.Add(k, v)
	}
	return p
}

// A call from 100 to 200: the caller's channel, the dialled channel, the
// answer, the hangups. Each packet reports what changed.
func Example() {
	c := calls.New()
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	alice := []string{"Channel: PJSIP/100-00000001", "Uniqueid: 1764925200.1", "Linkedid: 1764925200.1", "CallerIDNum: 100", "CallerIDName: Alice", "Exten: 200"}
	bob := []string{"Channel: PJSIP/200-00000002", "Uniqueid: 1764925200.2", "Linkedid: 1764925200.1", "CallerIDNum: 200", "CallerIDName: Bob"}
	stream := []amiwire.Packet{
		event(append([]string{"Event: Newchannel", "ChannelState: 4"}, alice...)...),
		event(append([]string{"Event: Newchannel", "ChannelState: 5"}, bob...)...),
		event(append([]string{"Event: Newstate", "ChannelState: 6"}, bob...)...),
		event(append([]string{"Event: NewConnectedLine", "ChannelState: 6", "ConnectedLineNum: 200", "ConnectedLineName: Bob"}, alice...)...),
		event(append([]string{"Event: Hangup", "ChannelState: 6", "Cause: 16", "Cause-txt: Normal Clearing"}, bob...)...),
		event(append([]string{"Event: Hangup", "ChannelState: 6", "Cause: 16", "Cause-txt: Normal Clearing"}, alice...)...),
	}
	for i, p := range stream {
		_, changes := c.Feed("pbx1", p, t0.Add(time.Duration(i)*time.Second))
		for _, ch := range changes {
			call := ch.Call
			fmt.Println(ch.Kind, call.Linkedid, call.State(), call.Caller(), "->", call.Callee())
			if ch.Kind == calls.End {
				rec := ch.Packet()
				fmt.Println("  causes", rec.Values("Cause"), "answered for", rec.Get("AnsweredDuration"), "s")
			}
		}
	}
	// Output:
	// start 1764925200.1 ringing 100 (Alice) -> 200
	// update 1764925200.1 ringing 100 (Alice) -> 200
	// update 1764925200.1 up 100 (Alice) -> 200
	// update 1764925200.1 up 100 (Alice) -> 200 (Bob)
	// update 1764925200.1 up 100 (Alice) -> 200 (Bob)
	// end 1764925200.1 ended 100 (Alice) -> 200 (Bob)
	//   causes [16 16] answered for 3.000 s
}

// A call's record is a packet: package format prints it as it prints
// events, here as a JSON line.
func ExampleChange_Packet() {
	c := calls.New()
	w, _ := format.New("json", os.Stdout, format.Options{Fields: []string{"@host", "@change", "@reason", "Linkedid", "State", "CallerNum", "CalleeNum", "Channel", "ChannelStateDesc"}})
	var fields []amiwire.Field // reused: the writer does not keep the packet
	for _, p := range []amiwire.Packet{
		event("Event: Newchannel", "Channel: PJSIP/100-00000001", "ChannelState: 4", "ChannelStateDesc: Ring",
			"CallerIDNum: 100", "Exten: 200", "Uniqueid: 1764925200.1", "Linkedid: 1764925200.1"),
		event("Event: Newchannel", "Channel: PJSIP/200-00000002", "ChannelState: 0",
			"Uniqueid: 1764925200.2", "Linkedid: 1764925200.1"),
	} {
		_, changes := c.Feed("pbx1", p, time.Time{})
		// The changes are valid until the next Feed: write them now.
		for _, ch := range changes {
			fields = ch.AppendFields(fields[:0])
			w.WritePacket(amiwire.Packet{Fields: fields})
		}
	}
	w.Flush()
	// Output:
	// {"@host":"pbx1","@change":"start","@reason":"new","Linkedid":"1764925200.1","State":"ringing","CallerNum":"100","CalleeNum":"200","Channel":"PJSIP/100-00000001","ChannelStateDesc":"Ring"}
	// {"@host":"pbx1","@change":"update","Linkedid":"1764925200.1","State":"ringing","CallerNum":"100","CalleeNum":"200","Channel":["PJSIP/100-00000001","PJSIP/200-00000002"],"ChannelStateDesc":["Ring","Down"]}
}

// Which packets belong to one call, including its channels that come
// later.
func ExampleTracer() {
	tr := calls.NewTracer(calls.Target{Channel: "PJSIP/100"})
	for _, p := range []amiwire.Packet{
		event("Event: Newchannel", "Channel: PJSIP/300-00000007", "ChannelState: 4", "Uniqueid: 9.7", "Linkedid: 9.7"),
		event("Event: Newchannel", "Channel: PJSIP/100-00000001", "ChannelState: 4", "Uniqueid: 9.1", "Linkedid: 9.1"),
		event("Event: Newchannel", "Channel: PJSIP/200-00000002", "ChannelState: 0", "Uniqueid: 9.2", "Linkedid: 9.1"),
		event("Event: Hangup", "Channel: PJSIP/300-00000007", "Uniqueid: 9.7", "Linkedid: 9.7", "Cause: 16"),
		event("Event: Hangup", "Channel: PJSIP/200-00000002", "Uniqueid: 9.2", "Linkedid: 9.1", "Cause: 17"),
		event("Event: Hangup", "Channel: PJSIP/100-00000001", "Uniqueid: 9.1", "Linkedid: 9.1", "Cause: 17"),
	} {
		fmt.Println(tr.Feed("", p, time.Time{}), p.Get("Event"), p.Get("Channel"))
	}
	fmt.Println("ended:", tr.Ended(), tr.Call().Channels[1].CauseText)
	// Output:
	// false Newchannel PJSIP/300-00000007
	// true Newchannel PJSIP/100-00000001
	// true Newchannel PJSIP/200-00000002
	// false Hangup PJSIP/300-00000007
	// true Hangup PJSIP/200-00000002
	// true Hangup PJSIP/100-00000001
	// ended: true User busy
}

func ExampleOriginateOutcome() {
	p := event("Event: OriginateResponse", "ActionID: orig-busy-3", "Response: Failure",
		"Channel: Local/busy@default", "Reason: 5", "Uniqueid: <unknown>")
	o, reason, _ := calls.OriginateOutcome(p)
	fmt.Println(o, reason)
	// Output: busy 5
}

func ExampleCauseText() {
	fmt.Println(calls.CauseText(17), "/", calls.CauseName(17))
	// Output: User busy / USER_BUSY
}
