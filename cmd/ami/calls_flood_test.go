package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// shortCalls returns the wire bytes of n short two-party calls, eight
// events each: two Newchannels, DialBegin, two Newstates (Up), DialEnd and
// two Hangups, the channels' headers as Asterisk 22 sends them.
func shortCalls(n int) []byte {
	var buf bytes.Buffer
	event := func(name, ch, uid, lid string, state int, extra string) {
		desc := map[int]string{4: "Ring", 5: "Ringing", 6: "Up"}[state]
		fmt.Fprintf(&buf, "Event: %s\r\nPrivilege: call,all\r\nChannel: %s\r\nChannelState: %d\r\nChannelStateDesc: %s\r\n"+
			"CallerIDNum: 100\r\nCallerIDName: Alice\r\nConnectedLineNum: 200\r\nConnectedLineName: Bob\r\nLanguage: en\r\n"+
			"AccountCode: \r\nContext: internal\r\nExten: 200\r\nPriority: 1\r\nUniqueid: %s\r\nLinkedid: %s\r\n%s\r\n",
			name, ch, state, desc, uid, lid, extra)
	}
	for i := 0; i < n; i++ {
		lid, uid2 := fmt.Sprintf("1796000000.%d", 2*i), fmt.Sprintf("1796000000.%d", 2*i+1)
		a, b := fmt.Sprintf("PJSIP/100-%08x", 2*i), fmt.Sprintf("PJSIP/200-%08x", 2*i+1)
		dest := fmt.Sprintf("DestChannel: %s\r\nDestChannelState: 5\r\nDestChannelStateDesc: Ringing\r\nDestUniqueid: %s\r\nDestLinkedid: %s\r\n", b, uid2, lid)
		event("Newchannel", a, lid, lid, 4, "")
		event("Newchannel", b, uid2, lid, 5, "")
		event("DialBegin", a, lid, lid, 4, dest+"DialString: 200\r\n")
		event("Newstate", b, uid2, lid, 6, "")
		event("DialEnd", a, lid, lid, 4, dest+"DialStatus: ANSWER\r\n")
		event("Newstate", a, lid, lid, 6, "")
		event("Hangup", b, uid2, lid, 6, "Cause: 16\r\nCause-txt: Normal Clearing\r\n")
		event("Hangup", a, lid, lid, 6, "Cause: 16\r\nCause-txt: Normal Clearing\r\n")
	}
	return buf.Bytes()
}

// TestCallsKeepsUpWithAFlood: a burst of short calls, written as fast as
// the socket takes them, all start and end, each once, in order.
func TestCallsKeepsUpWithAFlood(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	flood := shortCalls(n)
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", func(s *amitest.Session, a amiwire.Packet) {
		s.SendList(a, "Channels will follow", nil, "CoreShowChannelsComplete")
		for off := 0; off < len(flood); off += 1 << 20 {
			if s.WriteRaw(flood[off:min(off+1<<20, len(flood))]) != nil || s.Flush() != nil {
				return
			}
		}
	})
	r := runUntil(t, `"@change":"end"`, n, with(t, srv, "calls", "--where", "@change=*", "-o", "json")...)
	r.want(t, 0)
	if got := strings.Count(r.stdout, `"@change":"start"`); got != n {
		t.Errorf("%d starts, want %d", got, n)
	}
	if got := strings.Count(r.stdout, `"@change":"end","@reason":"hangup"`); got != n {
		t.Errorf("%d ends by hangup, want %d", got, n)
	}
	last := fmt.Sprintf(`"Linkedid":"1796000000.%d"`, 2*(n-1))
	if i := strings.LastIndex(r.stdout, `"@change":"end"`); i < 0 || !strings.Contains(r.stdout[i:], last) {
		t.Errorf("the last call to end is not the last call")
	}
}
