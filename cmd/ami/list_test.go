package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

func TestListGolden(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	tests := []struct {
		golden string
		args   []string
	}{
		{"list.text", []string{"list", "Three", "ActionID=l1"}},
		{"list.json", []string{"list", "Three", "ActionID=l1", "-o", "json"}},
		{"list.raw", []string{"list", "Three", "ActionID=l1", "-o", "raw"}},
		{"list.table", []string{"list", "Three", "ActionID=l1", "-o", "table"}},
		{"list-default.table", []string{"list", "Three", "-o", "table"}},
		{"list-fields.table", []string{"list", "-o", "table", "--fields", "Channel,Duration", "Three", "ActionID=l1"}},
		{"list-fields.json", []string{"list", "Three", "ActionID=l1", "-o", "json", "--fields", "Duration", "--fields", "Channel"}},
		{"list-fields.text", []string{"list", "Three", "ActionID=l1", "-f", "State,Channel"}},
		{"list-all.text", []string{"list", "--all", "Three", "ActionID=l1"}},
		{"list-all.json", []string{"list", "-a", "-o", "json", "Three", "ActionID=l1"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := amiRun(t, "", with(t, srv, tt.args...)...)
			r.want(t, 0)
			if r.stderr != "" {
				t.Errorf("stderr: %q", r.stderr)
			}
			goldenCheck(t, tt.golden, r.stdout)
		})
	}
}

func TestListEmpty(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	for _, f := range []string{"text", "json", "raw", "table"} {
		r := amiRun(t, "", with(t, srv, "list", "-o", f, "Empty")...)
		r.want(t, 0)
		if r.stdout != "" || r.stderr != "" {
			t.Errorf("-o %s: stdout %q stderr %q", f, r.stdout, r.stderr)
		}
	}
	// The simulator's CoreShowChannels with no calls.
	r := amiRun(t, "", with(t, srv, "list", "CoreShowChannels")...)
	r.want(t, 0)
	if r.stdout != "" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestListIncomplete(t *testing.T) {
	tests := []struct {
		name   string
		faults []amitest.Fault
		action string
		items  int
		stderr string
	}{
		{name: "connection lost", faults: []amitest.Fault{{Kind: amitest.FaultCloseMidList, Action: "Three", Size: 2}}, action: "Three", items: 2,
			stderr: "ami: list Three incomplete: 2 of an unknown number of items arrived (connection lost)\n"},
		{name: "cancelled", action: "Cancel", items: 2,
			stderr: "ami: list Cancel incomplete: 2 of 6 items arrived (cancelled by the server)\n"},
	}
	for _, tt := range tests {
		for _, f := range []string{"text", "json", "table"} {
			t.Run(tt.name+"/"+f, func(t *testing.T) {
				srv := newServer(t, amitest.Options{Faults: tt.faults})
				r := amiRun(t, "", with(t, srv, "list", "-o", f, tt.action)...)
				r.want(t, exitConn)
				if r.stderr != tt.stderr {
					t.Errorf("stderr %q, want %q", r.stderr, tt.stderr)
				}
				if got := strings.Count(r.stdout, "PJSIP/"); got != tt.items {
					t.Errorf("%d items printed, want %d:\n%s", got, tt.items, r.stdout)
				}
			})
		}
	}
}

func TestListErrorResponse(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	r := amiRun(t, "", with(t, srv, "list", "Fail")...)
	r.want(t, exitActionError, "ami: Fail: No such thing")
	if r.stdout != "" {
		t.Errorf("stdout %q", r.stdout)
	}
	r = amiRun(t, "", with(t, srv, "list", "--all", "Fail")...)
	r.want(t, exitActionError)
	if !strings.Contains(r.stdout, "Response: Error") {
		t.Errorf("--all does not print the error response:\n%s", r.stdout)
	}
}

func TestListUsage(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	amiRun(t, "", with(t, srv, "list")...).want(t, exitUsage, "no ACTION")
	amiRun(t, "", with(t, srv, "list", "Status", "bad")...).want(t, exitUsage, "argument 2")
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("server received %d actions", n)
	}
}

// TestListSimulator lists the simulator's held calls in each format.
func TestListSimulator(t *testing.T) {
	srv := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret}}})
	if _, err := amisim.New(srv, amisim.Options{Calls: 3}); err != nil {
		t.Fatal(err)
	}
	r := amiRun(t, "", with(t, srv, "list", "CoreShowChannels", "-o", "json")...)
	r.want(t, 0)
	if n := strings.Count(r.stdout, "\n"); n != 6 {
		t.Fatalf("%d json lines, want 6 channels:\n%s", n, r.stdout)
	}
	r = amiRun(t, "", with(t, srv, "list", "Status", "-o", "table", "--fields", "Channel,ChannelStateDesc")...)
	r.want(t, 0)
	if n := strings.Count(r.stdout, "\n"); n != 7 {
		t.Fatalf("%d table lines, want header + 6:\n%s", n, r.stdout)
	}
}

// TestListFieldsMissing: a --fields key that no item has (a typo) is
// named on stderr with the closest key the items have; the list itself is
// printed as asked and exits 0.
func TestListFieldsMissing(t *testing.T) {
	srv := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret}}})
	if _, err := amisim.New(srv, amisim.Options{Calls: 3}); err != nil {
		t.Fatal(err)
	}
	installGoldenHandlers(srv)
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"list", "Three", "-o", "table", "--fields", "Chanel"},
			"ami: --fields: no item has a field \"Chanel\" (did you mean Channel?)\n"},
		{[]string{"list", "Three", "-o", "json", "--fields", "Channel,Stat,Nothing"},
			"ami: --fields: no item has a field \"Stat\" (did you mean State?)\n" +
				"ami: --fields: no item has a field \"Nothing\"\n"},
		// Status items say ChannelState, not State (Asterisk 22).
		{[]string{"list", "Status", "--fields", "Channel,State"},
			"ami: --fields: no item has a field \"State\" (did you mean ChannelState?)\n"},
		{[]string{"list", "Three", "-o", "table", "--fields", "channel,STATE"}, ""},
		// An empty list has no fields at all: no typo to report.
		{[]string{"list", "Empty", "-o", "table", "--fields", "Chanel"}, ""},
	} {
		r := amiRun(t, "", with(t, srv, tt.args...)...)
		r.want(t, 0)
		if r.stderr != tt.stderr {
			t.Errorf("%q: stderr %q, want %q", tt.args, r.stderr, tt.stderr)
		}
		if tt.args[1] != "Empty" && r.stdout == "" {
			t.Errorf("%q: nothing printed", tt.args)
		}
	}
}

// TestListLarge streams 100,000 items through -o json.
func TestListLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large list")
	}
	const n = 100_000
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Big", "", bigList(n))
	var out countWriter
	ctx := testCtx(t)
	var errOut bytes.Buffer
	code := run(ctx, append([]string{"ami"}, with(t, srv, "list", "-o", "json", "Big")...), strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.lines != n {
		t.Fatalf("%d lines, want %d", out.lines, n)
	}
}

// countWriter counts lines without keeping them.
type countWriter struct{ lines, bytes int }

func (w *countWriter) Write(b []byte) (int, error) {
	w.lines += bytes.Count(b, []byte("\n"))
	w.bytes += len(b)
	return len(b), nil
}

// TestListInterrupted cancels the run (as SIGINT does) while a list is
// streaming: the output holds complete packets only, Logoff is sent, and
// the exit code is 130.
func TestListInterrupted(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Slow", "", func(s *amitest.Session, a amiwire.Packet) {
		// The list never completes; the handler returns so the session
		// goes on reading (and sees the Logoff).
		writeList(s, a, threeItems(a), nil) // hold the list open until the test ends
	})

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	out := &cancelWriter{cancel: cancel, after: 3}
	var errOut bytes.Buffer
	code := run(ctx, append([]string{"ami"}, with(t, srv, "list", "-o", "json", "Slow")...), strings.NewReader(""), out, &errOut)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitInterrupted, errOut.String())
	}
	got := out.String()
	if !strings.HasSuffix(got, "}\n") || strings.Count(got, "\n") != 3 {
		t.Fatalf("output is not 3 complete JSON lines:\n%q", got)
	}
	if !strings.Contains(errOut.String(), "interrupted") {
		t.Errorf("stderr %q", errOut.String())
	}
	wctx := testCtx(t)
	if _, err := srv.WaitAction(wctx, "Logoff"); err != nil {
		t.Fatalf("no Logoff after the interrupt: %v", err)
	}
}

// cancelWriter cancels after it has seen `after` lines.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel func()
	after  int
}

func (w *cancelWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if strings.Count(w.buf.String(), "\n") >= w.after {
		w.cancel()
	}
	return len(b), nil
}

func (w *cancelWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestListBrokenPipe: a closed stdout ends the run quietly with exit 0 and
// the session is logged off.
func TestListBrokenPipe(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	ctx := testCtx(t)
	var errOut bytes.Buffer
	code := run(ctx, append([]string{"ami"}, with(t, srv, "list", "Three")...), strings.NewReader(""), brokenPipeWriter{}, &errOut)
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut.String())
	}
	code = run(ctx, append([]string{"ami"}, with(t, srv, "send", "Three")...), strings.NewReader(""), brokenPipeWriter{}, &errOut)
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("send: exit %d, stderr %q; want 0 and nothing", code, errOut.String())
	}
}

type brokenPipeWriter struct{}

func (brokenPipeWriter) Write([]byte) (int, error) {
	return 0, &errnoWrap{syscall.EPIPE}
}

type errnoWrap struct{ err error }

func (e *errnoWrap) Error() string { return "write /dev/stdout: " + e.err.Error() }
func (e *errnoWrap) Unwrap() error { return e.err }
