package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// checkServer is a server with the lists ami check is tried on: Three
// (three channels, Durations 00:01:02, 00:00:03, 01:00:00), an empty
// list's Error answer, and an action that is not a list.
func checkServer(t *testing.T) *amitest.Server {
	t.Helper()
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("ConfBridgeList", "", func(s *amitest.Session, a amiwire.Packet) { s.Error(a, "No active conferences.") })
	srv.HandlePerm("Regs", "", func(s *amitest.Session, a amiwire.Packet) {
		var items []amiwire.Packet
		for i, st := range []string{"Registered", "Rejected", "Registered", "Unregistered", "Rejected", "Rejected", "Rejected", "Rejected"} {
			items = append(items, ev("Event", "OutboundRegistrationDetail", "ActionID", a.Get("ActionID"),
				"ObjectName", "trunk"+string(rune('1'+i)), "Status", st))
		}
		s.SendList(a, "Following are Events for each Outbound registration", items, "OutboundRegistrationDetailComplete")
	})
	return srv
}

// TestCheck runs ami check into each state, through every range form,
// --where, --expect, --max, --label, -q, an empty list's Error answer and
// a reply that is not a list.
func TestCheck(t *testing.T) {
	srv := checkServer(t)
	tests := []struct {
		name string
		args []string
		code int
		out  string // the whole stdout
	}{
		{"count only", []string{"Three"}, 0, "Three OK - 3 items | items=3\n"},
		{"warning", []string{"Three", "-w", "2", "-c", "5"}, 1, "Three WARNING - 3 items (warning range 2) | items=3;2;5\n"},
		{"critical", []string{"Three", "-w", "1", "-c", "2"}, 2, "Three CRITICAL - 3 items (critical range 2) | items=3;1;2\n"},
		{"at least", []string{"Three", "-c", "10:"}, 2, "Three CRITICAL - 3 items (critical range 10:) | items=3;;10:\n"},
		{"at most", []string{"Three", "--critical", "~:2"}, 2, "Three CRITICAL - 3 items (critical range ~:2) | items=3;;~:2\n"},
		{"between", []string{"Three", "-c", "1:3"}, 0, "Three OK - 3 items | items=3;;1:3\n"},
		{"outside", []string{"Three", "-c", "4:9"}, 2, "Three CRITICAL - 3 items (critical range 4:9) | items=3;;4:9\n"},
		{"inside", []string{"Three", "-w", "@3:4"}, 1, "Three WARNING - 3 items (warning range @3:4) | items=3;@3:4\n"},
		{"inside not", []string{"Three", "-w", "@4:5"}, 0, "Three OK - 3 items | items=3;@4:5\n"},
		{"where", []string{"Three", "--where", "State=Up", "-c", "1"}, 2,
			"Three CRITICAL - 2 of 3 items match --where (critical range 1) | items=2;;1\n"},
		{"where glob", []string{"Three", "--where", "Channel=PJSIP/*", "--where", "State=Ring*"}, 0,
			"Three OK - 1 of 3 items match --where | items=1\n"},
		{"expect", []string{"Three", "--expect", "State=Up"}, 2,
			"Three CRITICAL - 3 items, 1 of 3 not State=Up: PJSIP/200-00000002 (State Ringing) | items=3\n"},
		{"expect names five", []string{"Regs", "--expect", "Status=Registered", "--label", "trunks"}, 2,
			"trunks CRITICAL - 8 items, 6 of 8 not Status=Registered: trunk2 (Status Rejected), trunk4 (Status Unregistered), " +
				"trunk5 (Status Rejected), trunk6 (Status Rejected), trunk7 (Status Rejected) and 1 more | items=8\n"},
		{"max warning", []string{"Three", "--max", "Duration=30m:2h"}, 1,
			"Three WARNING - 3 items, longest Duration 01:00:00 on Local/hold@default-00000003;1 (warning 1800s) | items=3 longest_Duration=3600s;1800;7200\n"},
		{"max critical", []string{"Three", "--max", "Duration=1:60"}, 2,
			"Three CRITICAL - 3 items, longest Duration 01:00:00 on Local/hold@default-00000003;1 (critical 60s) | items=3 longest_Duration=3600s;1;60\n"},
		{"max of kept", []string{"Three", "--where", "Channel=PJSIP/*", "--max", "Duration=1h:2h"}, 0,
			"Three OK - 2 of 3 items match --where, longest Duration 00:01:02 on PJSIP/100-00000001 | items=2 longest_Duration=62s;3600;7200\n"},
		{"max misspelt", []string{"Three", "--max", "Durration=1h:2h"}, 3,
			"Three UNKNOWN - 3 items, no item has a field Durration (--max) | items=3 longest_Durration=U;3600;7200\n"},
		{"label", []string{"Three", "--label", "channels", "-c", "5"}, 0, "channels OK - 3 items | items=3;;5\n"},
		{"quiet ok", []string{"Three", "-q"}, 0, ""},
		{"quiet warning", []string{"Three", "-q", "-w", "1"}, 1, "Three WARNING - 3 items (warning range 1) | items=3;1\n"},
		{"empty list error", []string{"ConfBridgeList", "-c", "5"}, 0, "ConfBridgeList OK - 0 items | items=0;;5\n"},
		{"empty list too few", []string{"ConfBridgeList", "-c", "1:"}, 2, "ConfBridgeList CRITICAL - 0 items (critical range 1:) | items=0;;1:\n"},
		{"empty list", []string{"Empty", "-c", "1:"}, 2, "Empty CRITICAL - 0 items (critical range 1:) | items=0;;1:\n"},
		{"not a list", []string{"Fixed", "--expect", "Message=Fixed*"}, 0, "Fixed OK - 1 item | items=1\n"},
		{"error", []string{"Fail", "-c", "5"}, 2, "Fail CRITICAL - " + srv.Addr() + " Fail answered Error: No such thing\n"},
		{"action args", []string{"Three", "Queue=x"}, 0, "Three OK - 3 items | items=3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := amiRun(t, "", with(t, srv, append([]string{"check"}, tt.args...)...)...)
			if r.code != tt.code || r.stdout != tt.out {
				t.Errorf("exit %d, stdout:\n%s\nwant exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, tt.code, tt.out, r.stderr)
			}
			noSecret(t, r)
		})
	}
	// The action went out with its arguments, once per run.
	for _, req := range srv.Requests() {
		if req.Action.Get("Action") == "Three" && req.Action.Get("Queue") != "" && req.Action.Get("Queue") != "x" {
			t.Errorf("Three sent with Queue %q", req.Action.Get("Queue"))
		}
	}
}

// TestCheckUsage checks that every usage error is UNKNOWN (exit 3) with a
// line naming what was wrong, and that nothing is sent.
func TestCheckUsage(t *testing.T) {
	srv := checkServer(t)
	tests := []struct {
		args []string
		has  string
	}{
		{nil, "no ACTION"},
		{[]string{"Three", "-w", "x"}, "--warning"},
		{[]string{"Three", "-c", "5:1"}, "--critical"},
		{[]string{"Three", "--max", "Duration=2h:1h"}, "above critical"},
		{[]string{"Three", "--max", "Duration"}, "want FIELD=WARN:CRIT"},
		{[]string{"Three", "--where", "State"}, "--where"},
		{[]string{"Three", "--expect", "State=[a"}, "--expect"},
		{[]string{"Three", "-o", "raw"}, "-o"},
		{[]string{"Three", "--bogus"}, "bogus"},
		{[]string{"Three", "Bad"}, "Bad"},
	}
	for _, tt := range tests {
		r := amiRun(t, "", with(t, srv, append([]string{"check"}, tt.args...)...)...)
		if r.code != 3 || !strings.HasPrefix(r.stdout, "AMI UNKNOWN - ") || !strings.Contains(r.stdout, tt.has) || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("check %v: exit %d, stdout %q, want UNKNOWN naming %q", tt.args, r.code, r.stdout, tt.has)
		}
	}
	if got := sentActions(srv); len(got) != 0 {
		t.Errorf("usage errors sent %v", got)
	}
}

// onHosts returns srvArgs (the account of srv) with -H list.
func onHosts(t *testing.T, srv *amitest.Server, list string) []string {
	args := srvArgs(t, srv)
	args[1] = list
	return args
}

// TestCheckSeveralHosts runs one check on three hosts, one of them
// stopped and one refusing the secret: both are CRITICAL, the summary
// comes first, and the others' results follow in the order given.
func TestCheckSeveralHosts(t *testing.T) {
	a, b := checkServer(t), checkServer(t)
	wrong := newServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "other"}}})
	stopped := closedAddr(t)
	hosts := strings.Join([]string{a.Addr(), stopped, wrong.Addr(), b.Addr()}, ",")
	args := append(onHosts(t, a, hosts), "check", "Three", "-w", "5", "--max", "Duration=2h:3h")
	r := amiRun(t, "", args...)
	want := "Three CRITICAL - 2 of 4 hosts not OK: " + stopped + " connection refused; " + wrong.Addr() + " authentication failed for user \"admin\"\n" +
		"[OK] " + a.Addr() + " - 3 items, longest Duration 01:00:00 on Local/hold@default-00000003;1\n" +
		"[CRITICAL] " + stopped + " - connection refused\n" +
		"[CRITICAL] " + wrong.Addr() + " - authentication failed for user \"admin\"\n" +
		"[OK] " + b.Addr() + " - 3 items, longest Duration 01:00:00 on Local/hold@default-00000003;1 | " +
		"'" + a.Addr() + " items'=3;5 '" + a.Addr() + " longest_Duration'=3600s;7200;10800 " +
		"'" + b.Addr() + " items'=3;5 '" + b.Addr() + " longest_Duration'=3600s;7200;10800\n"
	if r.code != 2 || r.stdout != want {
		t.Errorf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
	}
	noSecret(t, r)

	// -q: nothing when every host is OK; only the hosts not OK otherwise.
	r = amiRun(t, "", append(onHosts(t, a, a.Addr()+","+b.Addr()), "check", "Three", "-q")...)
	if r.code != 0 || r.stdout != "" {
		t.Errorf("-q all OK: exit %d, %q", r.code, r.stdout)
	}
	r = amiRun(t, "", append(onHosts(t, a, a.Addr()+","+stopped), "check", "Three", "-q")...)
	if r.code != 2 || strings.Contains(r.stdout, "[OK]") || !strings.Contains(r.stdout, "[CRITICAL] "+stopped) {
		t.Errorf("-q one down: exit %d, %q", r.code, r.stdout)
	}
}

func TestCheckJSON(t *testing.T) {
	a := checkServer(t)
	stopped := closedAddr(t)
	r := amiRun(t, "", append(onHosts(t, a, a.Addr()+","+stopped), "check", "Three", "-o", "json",
		"--expect", "State=Up", "--max", "Duration=1h:2h")...)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 2 || len(lines) != 2 {
		t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		got = append(got, m)
	}
	if got[0]["host"] != a.Addr() || got[0]["status"] != "CRITICAL" || got[0]["items"] != 3.0 || got[0]["failed"] != 1.0 {
		t.Errorf("first host: %v", got[0])
	}
	longest := got[0]["longest"].([]any)[0].(map[string]any)
	if longest["field"] != "Duration" || longest["seconds"] != 3600.0 || longest["critical_seconds"] != 7200.0 || longest["status"] != "OK" {
		t.Errorf("longest: %v", longest)
	}
	if got[1]["host"] != stopped || got[1]["status"] != "CRITICAL" || got[1]["stage"] != "refused" {
		t.Errorf("stopped host: %v", got[1])
	}
}

// TestMockCheck runs ami check against the built-in simulator.
func TestMockCheck(t *testing.T) {
	r := amiRun(t, "", "--mock", "check", "CoreStatus", "--max", "CoreCurrentCalls=100:200")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "CoreStatus OK - 1 item, longest CoreCurrentCalls ") {
		t.Errorf("exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
}

// TestCheckExamplesMatchRecordings checks the keys that the check
// examples of --help and the README name in --where, --expect and --max
// against the items Asterisk 22 really sends for that list (the
// recordings), where one is recorded.
func TestCheckExamplesMatchRecordings(t *testing.T) {
	example := regexp.MustCompile(`\bcheck (\w+)((?:[^\n]*\\\n)*[^\n]*)`)
	key := regexp.MustCompile(`--(?:where|expect|max)[ =]([\w-]+)=`)
	recorded := map[string]bool{"coreshowchannels": true, "status": true, "queuestatus": true}
	checked := 0
	for where, text := range exampleTexts(t) {
		for _, m := range example.FindAllStringSubmatch(text, -1) {
			if !recorded[strings.ToLower(m[1])] {
				continue
			}
			items := listItems(t, m[1])
			for _, k := range key.FindAllStringSubmatch(m[2], -1) {
				found := false
				for _, it := range items {
					if _, ok := it.Lookup(k[1]); ok {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: ami check %s%s: the items of %s have no %s (recorded: %s)", where, m[1], m[2], m[1], k[1], keysOf(items))
				}
				checked++
			}
		}
	}
	if checked < 4 {
		t.Errorf("only %d check keys checked: the examples moved?", checked)
	}
}
