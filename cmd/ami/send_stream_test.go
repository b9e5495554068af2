package main

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// watchWriter is a stdout that a test can wait on.
type watchWriter struct {
	syncBuffer
	changed chan struct{} // a write happened (capacity 1)
}

func newWatchWriter() *watchWriter { return &watchWriter{changed: make(chan struct{}, 1)} }

func (w *watchWriter) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	select {
	case w.changed <- struct{}{}:
	default:
	}
	return n, err
}

// waitFor waits until the output holds s.
func (w *watchWriter) waitFor(t *testing.T, ctx context.Context, s string) {
	t.Helper()
	for !strings.Contains(w.String(), s) {
		select {
		case <-w.changed:
		case <-ctx.Done():
			t.Fatalf("no %q in the output:\n%s", s, w.String())
		}
	}
}

// streamRun is ami running in-process with stdin fed through a pipe by
// the test.
type streamRun struct {
	t      *testing.T
	ctx    context.Context
	stdin  *io.PipeWriter
	stdout *watchWriter
	stderr *syncBuffer
	code   chan int
}

func startStream(t *testing.T, args ...string) *streamRun {
	t.Helper()
	pr, pw := io.Pipe()
	r := &streamRun{t: t, ctx: ctxT(t), stdin: pw, stdout: newWatchWriter(), stderr: &syncBuffer{}, code: make(chan int, 1)}
	t.Cleanup(func() { pw.Close() })
	go func() {
		r.code <- run(r.ctx, append([]string{"ami"}, args...), pr, r.stdout, r.stderr)
	}()
	return r
}

// write feeds s to ami's stdin; it returns once ami has read it.
func (r *streamRun) write(s string) {
	r.t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := r.stdin.Write([]byte(s))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			r.t.Fatalf("writing stdin: %v", err)
		}
	case <-r.ctx.Done():
		r.t.Fatalf("ami did not read %q", s)
	}
}

// exit waits for ami's exit code.
func (r *streamRun) exit() int {
	r.t.Helper()
	select {
	case code := <-r.code:
		return code
	case <-r.ctx.Done():
		r.t.Fatalf("ami did not exit\nstdout:\n%s\nstderr:\n%s", r.stdout.String(), r.stderr.String())
		return 0
	}
}

// TestSendStreamsFromPipe: with stdin a pipe that is still open, each
// action is sent and its result printed before the next is written (`ami
// send` as a coprocess), over one login, in every input form.
func TestSendStreamsFromPipe(t *testing.T) {
	tests := []struct {
		name        string
		parts       []string // each completes one action
		end         string
		wantActions []string
	}{
		{name: "text", parts: []string{"Action: Fixed\nActionID: st1\n\n", "Action: Three\r\nActionID: st2\r\n\r\n", "Action: Ping\nActionID: st3\n\n"}},
		{name: "json lines", parts: []string{`{"Action":"Fixed","ActionID":"st1"}` + "\n", `{"Action":"Three","ActionID":"st2"}` + "\n", `{"Action":"Ping","ActionID":"st3"}`}},
		{name: "json array", parts: []string{`[{"Action":"Fixed","ActionID":"st1"}`, `,{"Action":"Three","ActionID":"st2"}`, ",\n" + `{"Action":"Ping","ActionID":"st3"}`}, end: "]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := startStream(t, with(t, srv, "send", "-o", "json")...)
			for i, part := range tt.parts {
				r.write(part)
				id := []string{"st1", "st2", "st3"}[i]
				r.stdout.waitFor(t, r.ctx, `"ActionID":"`+id+`"`)
				if got := sentActions(srv); len(got) != i+1 {
					t.Fatalf("after action %d the server has %v", i+1, got)
				}
				if n := countLogoffs(srv); n != 0 {
					t.Fatalf("Logoff before the end of stdin")
				}
			}
			r.write(tt.end)
			r.stdin.Close()
			if code := r.exit(); code != 0 {
				t.Fatalf("exit %d: %s", code, r.stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(r.stdout.String()), "\n")
			wantIDs := []string{"st1", "st2", "st2", "st2", "st2", "st2", "st3"}
			if len(lines) != len(wantIDs) {
				t.Fatalf("%d lines:\n%s", len(lines), r.stdout.String())
			}
			for i, l := range lines {
				if !strings.Contains(l, `"ActionID":"`+wantIDs[i]+`"`) {
					t.Errorf("line %d: %s, want ActionID %s", i, l, wantIDs[i])
				}
			}
			if got := sentActions(srv); !reflect.DeepEqual(got, []string{"Fixed", "Three", "Ping"}) {
				t.Errorf("server got %v", got)
			}
			logins := 0
			for _, rq := range srv.Requests() {
				if strings.EqualFold(rq.Action.Get("Action"), "Login") {
					logins++
				}
			}
			if logins != 1 || countLogoffs(srv) != 1 {
				t.Errorf("%d logins, %d logoffs; want 1 and 1", logins, countLogoffs(srv))
			}
			if r.stderr.String() != "" {
				t.Errorf("stderr: %s", r.stderr.String())
			}
		})
	}
}

// TestSendStreamBadAction: a bad action in the middle of a stream ends the
// batch there, without waiting for the end of stdin: the earlier results
// are printed, Logoff is sent, the error names the action and its line,
// exit 2. A bad first action sends nothing and connects to nothing.
func TestSendStreamBadAction(t *testing.T) {
	tests := []struct {
		name   string
		good   string // "" for none
		bad    string
		stderr []string
	}{
		{name: "text syntax", good: "Action: Fixed\nActionID: b1\n\n", bad: "bogus\n",
			stderr: []string{`send: stdin action 2 (line 4): "bogus" is not 'Key: Value'`, "the action before it was sent"}},
		{name: "text injection", good: "Action: Fixed\nActionID: b1\n\n", bad: "Action: Originate\nChannel: x\rAction: Command\n\n",
			stderr: []string{"send: stdin action 2 (line 4): header \"Channel\" refused", "the action before it was sent"}},
		{name: "json no action", good: `{"Action":"Fixed","ActionID":"b1"}` + "\n", bad: `{"Channel":"x"}`,
			stderr: []string{`send: stdin action 2 (line 2): no "Action" key`, "the action before it was sent"}},
		{name: "json array nested object", good: `[{"Action":"Fixed","ActionID":"b1"},`, bad: "\n" + `{"Action":"X","O":{}}`,
			stderr: []string{`send: stdin action 2 (line 2): key "O": a nested object`, "the action before it was sent"}},
		{name: "first action bad", bad: "Action: Ping\nbogus\n", stderr: []string{`stdin action 1 (line 2)`, "nothing was sent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, amitest.Options{})
			r := startStream(t, with(t, srv, "send", "-o", "json")...)
			if tt.good != "" {
				r.write(tt.good)
				r.stdout.waitFor(t, r.ctx, `"ActionID":"b1"`)
			}
			r.write(tt.bad) // stdin stays open: the bad action alone ends the run
			code := r.exit()
			res := result{code, r.stdout.String(), r.stderr.String()}
			res.want(t, exitUsage, tt.stderr...)
			if n := strings.Count(strings.TrimSpace(res.stderr), "\n"); n != 0 {
				t.Errorf("stderr has %d lines:\n%s", n+1, res.stderr)
			}
			if tt.good == "" {
				if n := len(srv.Requests()); n != 0 {
					t.Fatalf("the server received %d actions", n)
				}
				return
			}
			if got := sentActions(srv); !reflect.DeepEqual(got, []string{"Fixed"}) {
				t.Errorf("server got %v", got)
			}
			if n := countLogoffs(srv); n != 1 {
				t.Errorf("%d Logoffs, want 1", n)
			}
			if n := strings.Count(res.stdout, "\n"); n != 1 {
				t.Errorf("stdout:\n%s", res.stdout)
			}
		})
	}
}

// TestSendStdinWholeLimit: stdin that is read whole (here in memory, as a
// regular file would be) is bounded, and says what to do instead.
func TestSendStdinWholeLimit(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	big := strings.Repeat("Action: Ping\n\n", maxStdinBytes/14+2)
	r := amiRun(t, big, with(t, srv, "send")...)
	r.want(t, exitUsage, "more than 16 MiB", "cat FILE | ami send")
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("the server received %d actions", n)
	}
}
