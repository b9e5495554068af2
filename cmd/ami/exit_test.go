package main

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// helpExitCodes returns the codes listed under EXIT CODES in the output of
// ami args... --help.
func helpExitCodes(t *testing.T, args ...string) []int {
	t.Helper()
	r := amiRun(t, "", append(args, "--help")...)
	r.want(t, 0)
	_, section, ok := strings.Cut(r.stdout, "\nEXIT CODES:\n")
	if !ok {
		t.Fatalf("ami %s --help has no EXIT CODES:\n%s", strings.Join(args, " "), r.stdout)
	}
	var codes []int
	for _, m := range regexp.MustCompile(`(?m)^   (\d+) +\S`).FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		if !slices.Contains(codes, n) {
			codes = append(codes, n)
		}
	}
	sort.Ints(codes)
	return codes
}

// TestExitCodes runs every command into each exit status its --help
// lists, and fails when a run ends with a code that its --help does not
// list, when a listed code has no run here, or when a command has no
// EXIT CODES at all: the table (exitTable) is tested against the code.
func TestExitCodes(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	// Actions that never complete: the run is cancelled (as SIGINT does)
	// once the server has the action.
	srv.HandlePerm("Hang", "", blocking(t))
	srv.HandlePerm("Slow", "", func(s *amitest.Session, a amiwire.Packet) {
		writeList(s, a, threeItems(a), nil)
	})
	notAMI := amitest.NewServer(t, amitest.Options{Banner: "SSH-2.0-OpenSSH_9.2p1"})
	denied := newServer(t, amitest.Options{})
	denied.HandlePerm("Command", "", func(s *amitest.Session, a amiwire.Packet) { s.Error(a, "Permission denied") })
	denied.HandlePerm("CoreShowChannels", "", func(s *amitest.Session, a amiwire.Packet) { s.Error(a, "Permission denied") })
	badSecret := func(srv *amitest.Server) []string {
		args := srvArgs(t, srv)
		args[len(args)-3] = secretFile(t, "wrong")
		return args
	}
	hole := blackHole(t, "Command")
	origHole := blackHole(t, "Originate")
	to := func(srv *amitest.Server, args ...string) []string { return with(t, srv, args...) }

	type run struct {
		args []string
		// cancelOn cancels the run once srv has received this action;
		// "-" runs with a context cancelled from the start.
		cancelOn string
		srv      *amitest.Server
	}
	runs := map[string][]run{
		"send": {
			{args: to(srv, "send", "Ping")},
			{args: to(srv, "send", "Fail")},
			{args: to(srv, "send", "--bogus", "Ping")},
			{args: to(notAMI, "send", "Ping")},
			{args: append(badSecret(srv), "send", "Ping")},
			{args: to(srv, "send", "Hang"), cancelOn: "Hang", srv: srv},
		},
		"list": {
			{args: to(srv, "list", "Three")},
			{args: to(srv, "list", "Fail")},
			{args: to(srv, "list")},
			{args: to(notAMI, "list", "Three")},
			{args: append(badSecret(srv), "list", "Three")},
			{args: to(srv, "list", "Slow"), cancelOn: "Slow", srv: srv},
		},
		"command": {
			{args: to(srv, "command", "core show version")},
			{args: to(denied, "command", "core show version")},
			{args: to(srv, "command")},
			{args: to(notAMI, "command", "core show version")},
			{args: append(badSecret(srv), "command", "core show version")},
			{args: to(hole, "command", "core show version"), cancelOn: "Command", srv: hole},
		},
		"listen": {
			{args: to(srv, "listen", "extra")},
			{args: to(notAMI, "listen")},
			{args: append(badSecret(srv), "listen")},
		},
		"originate": {
			{args: to(srv, "originate", "Local/talk@default", "--app", "Wait", "--data", "0", "--wait")},
			{args: to(srv, "originate", "SIP/nowhere", "--app", "Wait", "--wait")},
			{args: to(srv, "originate", "Local/talk@default")},
			{args: to(notAMI, "originate", "Local/talk@default", "--app", "Wait")},
			{args: append(badSecret(srv), "originate", "Local/talk@default", "--app", "Wait")},
			{args: to(origHole, "originate", "Local/talk@default", "--app", "Wait", "--wait"), cancelOn: "Originate", srv: origHole},
		},
		"calls": {
			{args: to(srv, "calls", "--once")},
			{args: to(denied, "calls", "--once")},
			{args: to(srv, "calls", "extra")},
			{args: to(notAMI, "calls", "--once")},
			{args: append(badSecret(srv), "calls", "--once")},
		},
		"trace": {
			{args: to(srv, "trace", "--from", "-")},
			{args: to(srv, "trace", "no.such")},
			{args: to(srv, "trace")},
			{args: to(notAMI, "trace", "1.1")},
			{args: append(badSecret(srv), "trace", "1.1")},
		},
		"login-check": {
			{args: to(srv, "login-check")},
			{args: to(srv, "login-check", "--warning", "1ns")},
			{args: to(notAMI, "login-check")},
			{args: to(srv, "login-check", "-o", "raw")},
		},
		"check": {
			{args: to(srv, "check", "Three")},
			{args: to(srv, "check", "Three", "-w", "1")},
			{args: to(notAMI, "check", "Three")},
			{args: to(srv, "check", "Three", "--max", "Duration")},
		},
		"doctor": {
			{args: to(srv, "doctor")},
			{args: append(badSecret(srv), "doctor")},
			{args: to(srv, "doctor", "--need", "everything")},
			{args: to(notAMI, "doctor")},
		},
		"mock": {
			{args: []string{"mock", "--listen", "127.0.0.1:0"}, cancelOn: "-"},
			{args: []string{"mock", "extra"}},
			{args: []string{"mock", "--listen", srv.Addr()}},
		},
		"completion": {
			{args: []string{"completion", "bash"}},
			{args: []string{"completion", "tcsh"}},
		},
	}
	// listen ends normally (exit 0) when stopped; a fresh server tells
	// when it has logged in.
	listenSrv := newServer(t, amitest.Options{})
	runs["listen"] = append(runs["listen"], run{args: to(listenSrv, "listen"), cancelOn: "Login", srv: listenSrv})

	app := buildApp(strings.NewReader(""), nil, nil)
	for _, c := range app.VisibleCommands() {
		t.Run(c.Name, func(t *testing.T) {
			documented := helpExitCodes(t, c.Name)
			var got []int
			for _, r := range runs[c.Name] {
				ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
				switch {
				case r.cancelOn == "-":
					cancel()
				case r.cancelOn != "":
					go func() {
						if _, err := r.srv.WaitAction(ctx, r.cancelOn); err == nil {
							cancel()
						}
					}()
				}
				code, out, errOut := runAMI(t, ctx, "", r.args...)
				cancel()
				if !slices.Contains(documented, code) {
					t.Errorf("ami %s: exit %d, which ami %s --help does not list (%v)\nstdout:\n%s\nstderr:\n%s",
						strings.Join(r.args, " "), code, c.Name, documented, out, errOut)
				}
				if !slices.Contains(got, code) {
					got = append(got, code)
				}
			}
			sort.Ints(got)
			for _, code := range documented {
				if !slices.Contains(got, code) {
					t.Errorf("ami %s --help lists exit %d, and no run here ends with it (runs end with %v)", c.Name, code, got)
				}
			}
		})
	}
	// The app's --help lists every row of every command.
	all := helpExitCodes(t)
	for _, r := range exitTable() {
		if !slices.Contains(all, r.code) {
			t.Errorf("ami --help lacks exit %d", r.code)
		}
	}
}

// blackHole returns a server that never answers action.
func blackHole(t *testing.T, action string) *amitest.Server {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm(action, "", blocking(t))
	return srv
}

// blocking is a handler that answers nothing and holds its session (so
// that a Logoff pipelined behind the action is not answered either) until
// the test ends.
func blocking(t *testing.T) amitest.Handler {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func(s *amitest.Session, a amiwire.Packet) { <-release }
}
