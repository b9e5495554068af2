package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// recordedPackets returns the packets of a recorded server transcript
// (banner left out), in order.
func recordedPackets(t *testing.T, name string) []amiwire.Packet {
	t.Helper()
	raw, err := amitest.Fixture(name)
	if err != nil {
		t.Fatal(err)
	}
	r := amiwire.NewReader(bytes.NewReader(raw))
	if _, err := r.ReadBanner(); err != nil {
		t.Fatal(err)
	}
	var out []amiwire.Packet
	for {
		p, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, p.Clone())
	}
}

// originateSegments splits the events of the originate-outcomes
// recording by the extension each Originate dialled (talk, busy, congest,
// noanswer, nosuchexten): the events of the call it made (by Linkedid)
// and its OriginateResponse, in recorded order.
func originateSegments(t *testing.T) map[string][]amiwire.Packet {
	t.Helper()
	packets := recordedPackets(t, "originate-outcomes.server.ami")
	extenOf := map[string]string{} // Linkedid -> exten
	for _, p := range packets {
		if p.Get("Event") == "Newchannel" && p.Get("Uniqueid") == p.Get("Linkedid") {
			extenOf[p.Get("Linkedid")] = p.Get("Exten")
		}
	}
	segs := map[string][]amiwire.Packet{}
	for _, p := range packets {
		exten := extenOf[p.Get("Linkedid")]
		if id := p.Get("ActionID"); p.Get("Event") == "OriginateResponse" && strings.HasPrefix(id, "orig-") {
			exten = strings.Split(id, "-")[1]
		}
		if exten != "" && p.Has("Event") {
			segs[exten] = append(segs[exten], p)
		}
	}
	return segs
}

// asOriginated rewrites recorded events as if they answered action: the
// OriginateResponse carries its ActionID, and the call's first Uniqueid
// (its Linkedid) becomes the action's ChannelId, as Asterisk makes it.
func asOriginated(events []amiwire.Packet, action amiwire.Packet) []amiwire.Packet {
	first := ""
	for _, p := range events {
		if p.Get("Event") == "Newchannel" {
			first = p.Get("Uniqueid")
			break
		}
	}
	id := action.Get("ChannelId")
	out := make([]amiwire.Packet, 0, len(events))
	for _, p := range events {
		q := amiwire.Packet{Fields: append([]amiwire.Field(nil), p.Fields...)}
		for i, f := range q.Fields {
			switch {
			case first != "" && f.Value == first:
				q.Fields[i].Value = id
			case f.Key == "ActionID" && p.Get("Event") == "OriginateResponse":
				q.Fields[i].Value = action.Get("ActionID")
			}
		}
		out = append(out, q)
	}
	return out
}

// replayOriginate answers Originate with "successfully queued" and then
// sends the recorded events that events returns for it (through the
// session's filters, as Asterisk does).
func replayOriginate(events func(a amiwire.Packet) []amiwire.Packet) amitest.Handler {
	return func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Message", "Originate successfully queued")
		for _, ev := range asOriginated(events(a), a) {
			if s.SendEvent(ev) != nil {
				return
			}
		}
	}
}

// dialledExten returns "busy" for an Originate of Local/busy@default.
func dialledExten(a amiwire.Packet) string {
	exten, _, _ := strings.Cut(strings.TrimPrefix(a.Get("Channel"), "Local/"), "@")
	return exten
}

// TestOriginateOutcomesFromRecording runs originate --wait against each
// outcome Asterisk 22 gave in the originate-outcomes recording.
func TestOriginateOutcomesFromRecording(t *testing.T) {
	segs := originateSegments(t)
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Originate", "originate", replayOriginate(func(a amiwire.Packet) []amiwire.Packet {
		return segs[dialledExten(a)]
	}))
	for _, tc := range []struct {
		exten, outcome, reason string
		code                   int
	}{
		{"talk", "answered", "4", 0},
		{"busy", "busy", "5", 1},
		{"congest", "congestion", "8", 1},
		{"noanswer", "no-answer", "3", 1},
		{"nosuchexten", "failed", "0", 1},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			if len(segs[tc.exten]) == 0 {
				t.Fatalf("no recorded events for %s", tc.exten)
			}
			r := amiRun(t, "", with(t, srv, "originate", "Local/"+tc.exten+"@default", "--app", "Wait", "--data", "10", "--wait", "-o", "json")...)
			r.want(t, tc.code)
			noSecret(t, r)
			var got map[string]string
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
			}
			if got["Outcome"] != tc.outcome || got["Reason"] != tc.reason {
				t.Errorf("Outcome %q Reason %q, want %q %q", got["Outcome"], got["Reason"], tc.outcome, tc.reason)
			}
			if tc.code != 0 && !strings.Contains(r.stderr, tc.outcome) {
				t.Errorf("stderr does not name the outcome %q:\n%s", tc.outcome, r.stderr)
			}
			if tc.code == 0 && r.stderr != "" {
				t.Errorf("stderr not empty: %s", r.stderr)
			}
		})
	}
}

// TestOriginateUntilHangupBridged follows the four-channel bridged call
// of the call-bridged recording to its last hangup.
func TestOriginateUntilHangupBridged(t *testing.T) {
	var events []amiwire.Packet
	for _, p := range recordedPackets(t, "call-bridged.listener.server.ami") {
		if p.Has("Event") && p.Get("Linkedid")+p.Get("ActionID")+p.Get("BridgeUniqueid") != "" {
			events = append(events, p)
		}
	}
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Originate", "originate", replayOriginate(func(amiwire.Packet) []amiwire.Packet { return events }))
	r := amiRun(t, "", with(t, srv, "originate", "Local/dialtalk@default", "--app", "Wait", "--data", "10", "--until", "hangup")...)
	r.want(t, 0)
	req, err := srv.WaitAction(context.Background(), "Originate")
	if err != nil {
		t.Fatal(err)
	}
	id := req.Action.Get("ChannelId")
	for _, want := range []string{"Outcome: answered\n", "Reason: 4\n", "Linkedid: " + id + "\n", "Cause: 16\n", "Cause-txt: Normal Clearing\n", "AnsweredDuration: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestOriginateAction checks the action originate sends and what it
// prints without --wait.
func TestOriginateAction(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Originate", "originate", func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Message", "Originate successfully queued")
	})
	r := amiRun(t, "", with(t, srv, "originate", "PJSIP/100", "200@internal:3", "--caller-id", `"Ops" <100>`,
		"--var", "A=1", "--var", "B=x=y", "--ring-timeout", "45s", "--account", "ops", "-o", "json")...)
	r.want(t, 0)
	req, err := srv.WaitAction(context.Background(), "Originate")
	if err != nil {
		t.Fatal(err)
	}
	a := req.Action
	for _, kv := range [][2]string{{"Channel", "PJSIP/100"}, {"Exten", "200"}, {"Context", "internal"}, {"Priority", "3"},
		{"CallerID", `"Ops" <100>`}, {"Timeout", "45000"}, {"Account", "ops"}, {"Async", "true"}} {
		if got := a.Get(kv[0]); got != kv[1] {
			t.Errorf("%s: %q, want %q", kv[0], got, kv[1])
		}
	}
	if got := strings.Join(a.Values("Variable"), "|"); got != "A=1|B=x=y" {
		t.Errorf("Variable: %q", got)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if got[originateIDKey] != a.Get("ChannelId") || a.Get("ChannelId") == "" {
		t.Errorf("printed %s %v, sent ChannelId %q", originateIDKey, got[originateIDKey], a.Get("ChannelId"))
	}
	if got["Message"] != "Originate successfully queued" {
		t.Errorf("not the response: %s", r.stdout)
	}
	if acts := sentActions(srv); len(acts) != 1 {
		t.Errorf("sent %v, want only the Originate (no filters without --wait)", acts)
	}
}

// TestOriginateDryRun prints the action and sends nothing.
func TestOriginateDryRun(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	r := amiRun(t, "", with(t, srv, "originate", "PJSIP/100", "--app", "Playback", "--data", "hello-world", "--dry-run", "-o", "raw")...)
	r.want(t, 0)
	for _, want := range []string{"Action: Originate\r\n", "Channel: PJSIP/100\r\n", "Application: Playback\r\n", "Data: hello-world\r\n", "Async: true\r\n", "ChannelId: ami-", "Timeout: 30000\r\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if srv.SessionCount() != 0 || len(srv.Requests()) != 0 {
		t.Errorf("--dry-run connected: %v", sentActions(srv))
	}
}

// TestOriginateUsage: bad arguments exit 2 and send nothing.
func TestOriginateUsage(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{}, "no CHANNEL"},
		{[]string{"PJSIP/100"}, "no target"},
		{[]string{"PJSIP/100", "200", "--app", "Wait"}, "not both"},
		{[]string{"PJSIP/100", "200", "300"}, "unexpected argument"},
		{[]string{"PJSIP/100", "200", "--data", "x"}, "--data goes with --app"},
		{[]string{"PJSIP/100", "@internal"}, "EXTEN"},
		{[]string{"PJSIP/100", "200@internal:"}, "PRIORITY"},
		{[]string{"PJSIP/100", "200", "--var", "novalue"}, "NAME=VALUE"},
		{[]string{"PJSIP/100", "200", "--until", "ringing"}, "answer or hangup"},
		{[]string{"PJSIP/100", "200", "--ring-timeout", "0"}, "--ring-timeout"},
		{[]string{"PJSIP/100", "200", "--hangup-on-exit"}, "needs --wait"},
		{[]string{"PJSIP/100", "200", "--caller-id", "a\r\nAction: Hangup"}, "CallerID"},
	} {
		r := amiRun(t, "", with(t, srv, append([]string{"originate"}, tc.args...)...)...)
		r.want(t, exitUsage, tc.says)
	}
	if acts := sentActions(srv); len(acts) != 0 {
		t.Errorf("sent %v", acts)
	}
}

// TestOriginateWaitFailures: a refused Originate exits 1, a lost
// connection 3, and no event at all 3 naming read = call; a user without
// write = system (no Filter) still gets its outcome, quietly.
func TestOriginateWaitFailures(t *testing.T) {
	segs := originateSegments(t)
	t.Run("refused", func(t *testing.T) {
		srv := newServer(t, amitest.Options{})
		srv.HandlePerm("Originate", "originate", func(s *amitest.Session, a amiwire.Packet) { s.Error(a, "Permission denied") })
		r := amiRun(t, "", with(t, srv, "originate", "Local/talk@default", "--app", "Wait", "--wait")...)
		r.want(t, exitActionError, "originate Local/talk@default: Permission denied")
		if r.stdout != "" {
			t.Errorf("stdout: %s", r.stdout)
		}
	})
	t.Run("lost", func(t *testing.T) {
		srv := newServer(t, amitest.Options{})
		srv.HandlePerm("Originate", "originate", func(s *amitest.Session, a amiwire.Packet) {
			s.Success(a, "Message", "Originate successfully queued")
			s.Close()
		})
		r := amiRun(t, "", with(t, srv, "originate", "Local/talk@default", "--app", "Wait", "--wait")...)
		r.want(t, exitConn, "lost while waiting")
	})
	t.Run("nothing", func(t *testing.T) {
		srv := newServer(t, amitest.Options{})
		srv.HandlePerm("Originate", "originate", func(s *amitest.Session, a amiwire.Packet) {
			s.Success(a, "Message", "Originate successfully queued")
		})
		r := amiRun(t, "", with(t, srv, "originate", "Local/talk@default", "--app", "Wait", "--wait", "--ring-timeout", "1ms", "--timeout", "300ms")...)
		r.want(t, exitConn, "no OriginateResponse within", "read = call")
	})
	t.Run("no-filter-permission", func(t *testing.T) {
		srv := newServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret, Read: "all", Write: "originate"}}})
		srv.HandlePerm("Originate", "originate", replayOriginate(func(amiwire.Packet) []amiwire.Packet { return segs["busy"] }))
		r := amiRun(t, "", with(t, srv, "originate", "Local/busy@default", "--app", "Wait", "--wait")...)
		r.want(t, exitActionError, "busy (Reason 5)")
		if !strings.Contains(r.stdout, "Outcome: busy\n") {
			t.Errorf("stdout: %s", r.stdout)
		}
	})
}

// TestOriginateFiltersOnServer: the filters ami sets let through the
// call's events and the OriginateResponse, and keep other calls away.
func TestOriginateFiltersOnServer(t *testing.T) {
	segs := originateSegments(t)
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Originate", "originate", func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Message", "Originate successfully queued")
		// Another call's events first: the filters must drop them.
		for _, ev := range segs["congest"] {
			s.SendEvent(ev)
		}
		for _, ev := range asOriginated(segs["talk"], a) {
			s.SendEvent(ev)
		}
	})
	r := amiRun(t, "", with(t, srv, "originate", "Local/talk@default", "--app", "Wait", "--until", "hangup", "--trace")...)
	r.want(t, 0)
	if strings.Contains(r.stderr, "Local/congest") {
		t.Errorf("another call's events reached ami:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "Cause: 16\n") {
		t.Errorf("stdout: %s", r.stdout)
	}
	if acts := sentActions(srv); len(acts) < 3 || acts[0] != "Filter" || acts[1] != "Filter" {
		t.Errorf("actions %v: want the Filters before the Originate", acts)
	}
}

// TestOriginateHangupOnExit: Ctrl-C while it rings hangs the channel up
// and exits 130.
func TestOriginateHangupOnExit(t *testing.T) {
	segs := originateSegments(t)
	var ringing []amiwire.Packet
	for _, p := range segs["noanswer"] {
		if p.Get("Event") == "OriginateResponse" {
			break
		}
		ringing = append(ringing, p)
	}
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Originate", "originate", replayOriginate(func(amiwire.Packet) []amiwire.Packet { return ringing }))
	srv.HandlePerm("Hangup", "call", func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Message", "Channel Hungup")
	})
	for _, hangup := range []bool{true, false} {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		go func() {
			if _, err := srv.WaitAction(ctx, "Originate"); err == nil {
				cancel()
			}
		}()
		args := with(t, srv, "originate", "Local/noanswer@default", "--app", "Wait", "--wait")
		if hangup {
			args = append(args, "--hangup-on-exit")
		}
		before := len(srv.Requests())
		code, out, errOut := runAMI(t, ctx, "", args...)
		cancel()
		if code != exitInterrupted || out != "" {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
		}
		var hung []string
		var id string
		for _, r := range srv.Requests()[before:] {
			switch r.Action.Get("Action") {
			case "Hangup":
				hung = append(hung, r.Action.Get("Channel"))
			case "Originate":
				id = r.Action.Get("ChannelId")
			}
		}
		switch {
		case !hangup && len(hung) != 0:
			t.Errorf("hung up %v without --hangup-on-exit", hung)
		case hangup && (len(hung) != 1 || hung[0] != id && !strings.HasPrefix(hung[0], "Local/noanswer@default-")):
			t.Errorf("hung up %v, want the channel started (%s)", hung, id)
		case hangup && !strings.Contains(errOut, "hung up"):
			t.Errorf("stderr: %s", errOut)
		}
	}
}
