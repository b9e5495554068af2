package amisim

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
)

func TestInspectReplay(t *testing.T) {
	ev := func(name string, kv ...string) string {
		s := "Event: " + name + "\r\nPrivilege: user,all\r\n"
		for i := 0; i+1 < len(kv); i += 2 {
			s += kv[i] + ": " + kv[i+1] + "\r\n"
		}
		return s + "\r\n"
	}
	stamp := "ReceivedAt: 2026-11-22T21:40:25.000001+01:00\r\n"
	big := strings.Repeat("x", 5<<20)
	tests := []struct {
		name      string
		in        string
		events    int
		unstamped int
		skipped   []ReplaySkip
	}{
		{name: "banner and events", in: "Asterisk Call Manager/11.0.0\r\n" + ev("A") + ev("B"), events: 2},
		{name: "no banner, blank lines between", in: "\r\n" + ev("A") + "\r\n\r\n" + ev("B"), events: 2},
		{name: "timestamped capture", in: "Asterisk Call Manager/11.0.0\r\n" + stamp + ev("A") + stamp + ev("B"), events: 2, unstamped: 2},
		{name: "responses and actions", in: ev("A") + "Response: Success\r\nActionID: 1\r\n\r\n" + "Action: Ping\r\n\r\n" + ev("B"),
			events: 2, skipped: []ReplaySkip{{Line: 4, Reason: SkipResponse, Detail: "Response: Success"}, {Line: 7, Reason: SkipAction, Detail: "Action: Ping"}}},
		{name: "a 5 MB event", in: ev("A") + ev("Huge", "Body", big) + ev("B"),
			events: 2, skipped: []ReplaySkip{{Line: 4, Reason: SkipOverLimit, Detail: "line length over 1 MiB"}}},
		{name: "/etc/passwd", in: "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/usr/sbin/nologin\n",
			skipped: []ReplaySkip{{Line: 1, Reason: SkipBroken, Detail: "the file ends inside it, with no empty line after it"}}},
		{name: "text with a blank line", in: "root:x:0:0:root:/root:/bin/bash\n\n",
			skipped: []ReplaySkip{{Line: 1, Reason: SkipNotAMI, Detail: `it starts "root:x:0:0:root:/root:/bin/bash"`}}},
		{name: "cut short", in: ev("A") + "Event: B\r\nPrivilege: user,all\r\n",
			events: 1, skipped: []ReplaySkip{{Line: 4, Reason: SkipBroken, Detail: "the file ends inside it, with no empty line after it"}}},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := InspectReplay([]byte(tt.in))
			if rep.Events != tt.events || rep.Unstamped != tt.unstamped || !reflect.DeepEqual(rep.Skipped, tt.skipped) {
				t.Fatalf("got %+v\nwant events %d, unstamped %d, skipped %+v", rep, tt.events, tt.unstamped, tt.skipped)
			}
		})
	}
}

// TestReplayDropsStamps: a capture made with `listen --timestamps -o raw`
// replays as Asterisk sent it, without the ReceivedAt line, the rest of
// each event byte for byte.
func TestReplayDropsStamps(t *testing.T) {
	events := []string{
		"Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: One\r\n\r\n",
		"Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: Two\r\n\r\n",
	}
	capture := "Asterisk Call Manager/11.0.0\r\n" +
		"ReceivedAt: 2026-11-22T21:40:25.000001+01:00\r\n" + events[0] +
		"ReceivedAt: 2026-11-22T21:40:26.000001+01:00\r\n" + events[1]
	srv, _, _ := newSim(t, Options{Replay: []byte(capture)})
	c := dial(t, srv.Addr())
	c.login("admin", "s3cret", "Events", "user")
	for _, want := range events {
		p, _ := c.readEvent("UserEvent")
		if !bytes.Equal(p.Raw, []byte(want)) {
			t.Fatalf("replayed %q, want %q", p.Raw, want)
		}
	}
}

// FuzzInspectReplay: any file gives a report, never a panic; the packets
// left out are in file order, on lines of the file.
func FuzzInspectReplay(f *testing.F) {
	for _, s := range []string{
		"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\nResponse: Success\r\n\r\n",
		"ReceivedAt: x\r\nEvent: A\r\n\r\n",
		"root:x:0:0\n\nEvent: B\r\nX",
		"\r\n\r\nAction: Ping\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		evs, rep := parseReplay(in)
		if rep.Events != len(evs) || rep.Unstamped > rep.Events {
			t.Fatalf("report %+v for %d events", rep, len(evs))
		}
		last := 1
		lines := 1 + bytes.Count(in, []byte("\n"))
		for _, s := range rep.Skipped {
			if s.Line < last || s.Line > lines || s.Reason == "" {
				t.Fatalf("skip %+v after line %d of %d", s, last, lines)
			}
			last = s.Line
		}
		for _, ev := range evs {
			p, err := amiwire.NewReader(bytes.NewReader(ev.Bytes())).ReadPacket()
			if err != nil || !p.Has("Event") || strings.EqualFold(p.Fields[0].Key, receivedAtKey) {
				t.Fatalf("replayed %q: %v", ev.Bytes(), err)
			}
		}
	})
}
