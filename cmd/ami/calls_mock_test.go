package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// simServer is a fake server running the simulator of ami mock on clock,
// with admin/testSecret.
func simServer(t *testing.T, opts amisim.Options) *amitest.Server {
	t.Helper()
	srv := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret}}})
	if _, err := amisim.New(srv, opts); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestOriginateAgainstMock: every outcome of originate --wait, and
// --until hangup, against the simulator, which answers per extension as
// the recorded dialplan did.
func TestOriginateAgainstMock(t *testing.T) {
	srv := simServer(t, amisim.Options{})
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
			before := len(srv.Requests())
			r := amiRun(t, "", with(t, srv, "originate", "Local/"+tc.exten+"@default", "--app", "Wait", "--data", "10",
				"--var", "LEN=0", "--ring-timeout", "100ms", "--until", "hangup", "-o", "json")...)
			r.want(t, tc.code)
			var got map[string]string
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("%v: %s", err, r.stdout)
			}
			if got["Outcome"] != tc.outcome || got["Reason"] != tc.reason {
				t.Errorf("Outcome %q Reason %q, want %q %q", got["Outcome"], got["Reason"], tc.outcome, tc.reason)
			}
			id := ""
			for _, req := range srv.Requests()[before:] {
				if req.Action.Get("Action") == "Originate" {
					id = req.Action.Get("ChannelId")
				}
			}
			if got["Uniqueid"] != id {
				t.Errorf("Uniqueid %q, want the ChannelId sent, %q", got["Uniqueid"], id)
			}
			if tc.code == 0 && (got["Linkedid"] != id || got["Cause"] != "16" || got["AnsweredDuration"] == "") {
				t.Errorf("--until hangup: %v", got)
			}
		})
	}
}

// TestCallsAndTraceAgainstMock: a bridged call of four channels
// (dialtalk), seen by a piped calls from start to end and traced live to
// its end, the simulator's clock moved on once both are watching.
func TestCallsAndTraceAgainstMock(t *testing.T) {
	clock := amitest.NewManualClock(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	srv := simServer(t, amisim.Options{Clock: clock})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	// calls first: it sees the call start.
	type traced struct {
		r  result
		id string
	}
	done := make(chan traced, 1)
	go func() {
		snapshots := 0
		if _, err := srv.WaitRequest(ctx, func(r amitest.Request) bool {
			if r.Action.Get("Action") == "CoreShowChannels" {
				snapshots++
			}
			return snapshots == 1
		}); err != nil {
			return
		}
		code, out, errOut := runAMI(t, ctx, "", with(t, srv, "originate", "Local/dialtalk@default", "--app", "Wait", "--data", "60", "-o", "json")...)
		var q map[string]string
		if code != 0 || json.Unmarshal([]byte(out), &q) != nil {
			t.Errorf("originate: exit %d %s %s", code, out, errOut)
			return
		}
		// Then trace, from the snapshot; the clock moves once trace has
		// read the snapshot (its wire trace shows the list's end): the
		// hangups come after it on the same connection.
		stderr := newLineWatch("CoreShowChannelsComplete", 1)
		go func() {
			select {
			case <-stderr.hit:
				clock.Advance(time.Minute)
			case <-ctx.Done():
			}
		}()
		var stdout bytes.Buffer
		code = run(ctx, append([]string{"ami"}, with(t, srv, "trace", "--uniqueid", q[originateIDKey], "-o", "timeline", "--trace")...), strings.NewReader(""), &stdout, stderr)
		out, errOut = stdout.String(), stderr.String()
		done <- traced{result{code, out, errOut}, q[originateIDKey]}
	}()
	r := runUntil(t, `"@change":"end"`, 1, with(t, srv, "calls", "-o", "json")...)
	r.want(t, 0)
	var tr traced
	select {
	case tr = <-done:
	case <-ctx.Done():
		t.Fatal("trace did not end")
	}

	var end map[string]any
	for _, rec := range callRecords(t, r.stdout) {
		if rec["@change"] == "end" {
			end = rec
		}
	}
	if end["Linkedid"] != tr.id || end["@reason"] != "hangup" {
		t.Fatalf("end: %v (originated %s)", end, tr.id)
	}
	if chans, _ := end["Channel"].([]any); len(chans) != 4 {
		t.Errorf("channels %v, want four", end["Channel"])
	}
	if !strings.Contains(r.stdout, `"State":"bridged"`) {
		t.Errorf("never bridged:\n%s", r.stdout)
	}

	tr.r.want(t, 0)
	// It starts from the snapshot, so from the hangup on.
	for _, want := range []string{"BridgeLeave", "Hangup", `Cause-txt="Normal Clearing"`, "Local/talk@default-"} {
		if !strings.Contains(tr.r.stdout, want) {
			t.Errorf("trace lacks %q:\n%s", want, tr.r.stdout)
		}
	}
}

// TestCallsOnceAgainstMock: the simulator's held calls, grouped.
func TestCallsOnceAgainstMock(t *testing.T) {
	srv := simServer(t, amisim.Options{Calls: 4})
	r := amiRun(t, "", with(t, srv, "calls", "--once", "-o", "json")...)
	r.want(t, 0)
	recs := callRecords(t, r.stdout)
	if len(recs) != 4 {
		t.Fatalf("%d calls, want 4:\n%s", len(recs), r.stdout)
	}
	for _, rec := range recs {
		if chans, _ := rec["Channel"].([]any); len(chans) != 2 || rec["State"] != "up" {
			t.Errorf("call %v", rec)
		}
	}
}
