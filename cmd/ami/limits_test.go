package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// headerForms returns an action of n fields in all (Action included) in
// each form ami takes it: arguments, AMI text on stdin, JSON on stdin.
func headerForms(n int) map[string]struct {
	args  []string
	stdin string
} {
	args := []string{"UserEvent"}
	text := "Action: UserEvent\n"
	obj := []string{`"Action":"UserEvent"`}
	for i := 1; i < n; i++ {
		args = append(args, fmt.Sprintf("H%d=v", i))
		text += fmt.Sprintf("H%d: v\n", i)
		obj = append(obj, fmt.Sprintf(`"H%d":"v"`, i))
	}
	return map[string]struct {
		args  []string
		stdin string
	}{
		"args":       {args: args},
		"stdin text": {stdin: text + "\n"},
		"stdin json": {stdin: "{" + strings.Join(obj, ",") + "}\n"},
	}
}

// TestHeaderLimitCountsActionID: Asterisk reads at most 128 headers of an
// action, and ami adds an ActionID. An action of 128 headers without one
// is refused before connecting (exit 2, the server sees nothing) in every
// input form; one of 127 goes out whole, as 128 with the ActionID.
func TestHeaderLimitCountsActionID(t *testing.T) {
	for form, in := range headerForms(amiwire.MaxActionHeaders) {
		t.Run("refused/"+form, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := amiRun(t, in.stdin, with(t, srv, append([]string{"send"}, in.args...)...)...)
			r.want(t, exitUsage, "129 headers with the ActionID that is added, Asterisk accepts at most 128", "nothing was sent")
			if reqs := srv.Requests(); len(reqs) != 0 {
				t.Fatalf("the server received %d actions (first %s): ami connected", len(reqs), reqs[0].Action.Get("Action"))
			}
		})
	}
	for form, in := range headerForms(amiwire.MaxActionHeaders - 1) {
		t.Run("fits/"+form, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := amiRun(t, in.stdin, with(t, srv, append([]string{"send", "-o", "json"}, in.args...)...)...)
			r.want(t, exitOK)
			var got []amiwire.Packet
			for _, req := range srv.Requests() {
				if req.Action.Get("Action") == "UserEvent" {
					got = append(got, req.Action)
				}
			}
			if len(got) != 1 {
				t.Fatalf("the server received %d UserEvents, want 1", len(got))
			}
			if n := len(got[0].Fields); n != amiwire.MaxActionHeaders || got[0].Get("ActionID") == "" {
				t.Fatalf("the UserEvent arrived with %d headers (ActionID %q), want %d with an ActionID", n, got[0].Get("ActionID"), amiwire.MaxActionHeaders)
			}
			var resp map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &resp); err != nil || resp["Response"] != "Success" {
				t.Fatalf("response %q: %v", r.stdout, err)
			}
		})
	}
	// An action that brings its own ActionID may use all 128.
	in := headerForms(amiwire.MaxActionHeaders - 1)["args"]
	srv := newServer(t, amitest.Options{})
	amiRun(t, "", with(t, srv, append(append([]string{"send"}, in.args...), "ActionID=mine")...)...).want(t, exitOK)
}

// TestEmptyCommandRefused: an empty or blank CLI command is refused before
// connecting, exit 2.
func TestEmptyCommandRefused(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	for _, args := range [][]string{{""}, {"  "}, {"", ""}} {
		r := amiRun(t, "", with(t, srv, append([]string{"command"}, args...)...)...)
		r.want(t, exitUsage, "command: the CLI command is empty")
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Fatalf("the server received %d actions: ami connected", len(reqs))
	}
}
