package main

import (
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestFleetCalls: calls --once on several hosts prints each host's calls
// in the order given, "@host" first (a HOST column in the table); a host
// down is named and makes the exit 3; -o raw and the live table are
// refused with several hosts.
func TestFleetCalls(t *testing.T) {
	items := recordedChannels(t)
	a := newServer(t, amitest.Options{})
	a.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items }))
	b := newServer(t, amitest.Options{})
	b.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items[:2] }))
	bad := newServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "other"}}})
	fleetConfig(t, map[string]string{"a": a.Addr(), "b": b.Addr(), "bad": bad.Addr(), "down": closedAddr(t)})
	run := func(args ...string) result {
		r := amiRun(t, "", append([]string{"--profile", "b,down,bad,a", "--timeout", "5s", "calls"}, args...)...)
		noSecret(t, r)
		return r
	}

	r := run("--once", "-o", "json")
	r.want(t, exitConn, "ami: down: connect ", "ami: bad: ", "authentication failed")
	if !strings.HasSuffix(r.stderr, "ami: 2 of 4 hosts failed: down, bad\n") {
		t.Fatalf("stderr:\n%s", r.stderr)
	}
	var hosts []string
	for _, rec := range callRecords(t, r.stdout) {
		hosts = append(hosts, rec["@host"].(string))
	}
	if strings.Join(hosts, ",") != "b,a,a,a" {
		t.Fatalf("calls of hosts %v, want b,a,a,a:\n%s", hosts, r.stdout)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasPrefix(line, `{"@host":`) {
			t.Fatalf("@host not first: %s", line)
		}
	}

	r = run("--once", "-o", "table")
	r.want(t, exitConn)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "HOST ") || !strings.HasPrefix(lines[1], "b ") || !strings.HasPrefix(lines[4], "a ") {
		t.Fatalf("table:\n%s", r.stdout)
	}

	// Live and piped: the two good hosts' snapshots come; the exit code
	// is the worst of the two that failed (3, down, over 4, bad).
	r = runUntilBoth(t, `"@reason":"snapshot"`, 4, []string{"ami: down: connect ", "ami: bad: "}, "--profile", "b,down,bad,a", "--timeout", "5s", "calls")
	r.want(t, exitConn, "ami: 2 of 4 hosts failed: down, bad")
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasPrefix(line, `{"@host":"a",`) && !strings.HasPrefix(line, `{"@host":"b",`) {
			t.Fatalf("line %s", line)
		}
	}

	r = run("--once", "-o", "raw")
	r.want(t, exitUsage, "-o raw is the bytes of one connection")
	r = run("-o", "table")
	r.want(t, exitUsage, "the live table draws one host")
}

// TestFleetCallsLive: live and piped, each host's snapshot changes come
// led by its host, as JSON whether -o json is given or left to its
// default (json when piped); Ctrl-C ends them all with exit 0.
func TestFleetCallsLive(t *testing.T) {
	items := recordedChannels(t)
	a := newServer(t, amitest.Options{})
	a.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items }))
	b := newServer(t, amitest.Options{})
	b.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items[:2] }))
	fleetConfig(t, map[string]string{"a": a.Addr(), "b": b.Addr()})
	for _, output := range [][]string{{"-o", "json"}, nil} {
		t.Run(strings.Join(append([]string{"calls"}, output...), " "), func(t *testing.T) {
			args := append([]string{"--profile", "a,b", "--timeout", "5s", "calls"}, output...)
			fleetCallsLive(t, runUntil(t, `"@reason":"snapshot"`, 4, args...))
		})
	}
}

func fleetCallsLive(t *testing.T, r result) {
	t.Helper()
	r.want(t, exitOK)
	n := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		switch {
		case strings.HasPrefix(line, `{"@host":"a","@change":"start"`):
			n["a"]++
		case strings.HasPrefix(line, `{"@host":"b","@change":"start"`):
			n["b"]++
		default:
			t.Fatalf("line %s", line)
		}
	}
	if n["a"] != 3 || n["b"] != 1 {
		t.Fatalf("starts per host %v, want a:3 b:1\n%s", n, r.stdout)
	}
}
