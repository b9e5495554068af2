package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// stallWriter is a stdout whose reader takes nothing until release is
// closed (a stalled pipe): every Write waits for it. started is closed when
// the first Write begins.
type stallWriter struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
	relOnce sync.Once
	mu      sync.Mutex
	buf     bytes.Buffer
}

func newStallWriter(t *testing.T) *stallWriter {
	w := &stallWriter{started: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(w.open) // a goroutine left stuck in Write ends with the test
	return w
}

func (w *stallWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.started) })
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// open lets every Write through from now on: the reader catches up.
func (w *stallWriter) open() { w.relOnce.Do(func() { close(w.release) }) }

func (w *stallWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitStarted waits for the first Write, failing the test at ctx's end.
func (w *stallWriter) waitStarted(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-w.started:
	case <-ctx.Done():
		t.Fatal("nothing was written")
	}
}

// floodServer starts a fake server (admin/testSecret) whose simulator
// floods every listener with events as fast as it reads.
func newFloodServer(t *testing.T) *amitest.Server {
	t.Helper()
	srv := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: testSecret}}})
	if _, err := amisim.New(srv, amisim.Options{Flood: 100_000_000}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// waitExit waits for the run's exit code, failing the test at ctx's end.
func waitExit(t *testing.T, ctx context.Context, done <-chan int, what string) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
		t.Fatalf("%s: ami did not stop", what)
	}
	return -1
}

// wholeJSONLines checks that out is complete JSON objects, one a line, and
// returns how many.
func wholeJSONLines(t *testing.T, out string) int {
	t.Helper()
	if out == "" {
		return 0
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end with a whole line: ...%q", out[max(0, len(out)-80):])
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("line %d is not a whole JSON object: %q", n, line)
		}
		n++
	}
	return n
}

// TestListenStopsWhileStdoutIsSlow: a signal (the cancelled context is what
// SIGINT and SIGTERM do) stops listen within a batch even though the
// events keep coming faster than stdout takes them: it used to print the
// whole queue, and the queue never emptied.
func TestListenStopsWhileStdoutIsSlow(t *testing.T) {
	srv := newFloodServer(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	out := newStallWriter(t)
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"ami"}, with(t, srv, "listen", "-o", "json")...), strings.NewReader(""), out, &errOut)
	}()
	out.waitStarted(t, testCtx(t)) // stdout is stalled, events pile up
	cancel()                       // SIGINT
	out.open()                     // and now the reader takes everything at once
	code := waitExit(t, testCtx(t), done, "listen after the signal")
	if code != exitOK || errOut.String() != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	got := out.String()
	n := wholeJSONLines(t, got)
	// The write that was stuck, the rest of that batch up to the next look
	// (stopEvery events) and the buffer's flush: a few hundred KB at most.
	if len(got) > 256<<10 {
		t.Errorf("%d events (%d bytes) printed after the signal came", n, len(got))
	}
	if _, err := srv.WaitAction(testCtx(t), "Logoff"); err != nil {
		t.Errorf("no Logoff: %v", err)
	}
}

// TestListenStuckStdoutGivesUp: a stdout that takes nothing at all after
// the stop (SIGTERM, or --duration) gets stopGrace, then listen logs off
// and exits 0 anyway, saying that the output may be cut.
func TestListenStuckStdoutGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"signal", nil},
		// Long enough for the first write to come before it even on a
		// loaded machine running -race (1s was not, once).
		{"duration", []string{"--duration", "3s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFloodServer(t)
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			out := newStallWriter(t) // never opened while ami runs
			var errOut syncBuffer
			done := make(chan int, 1)
			go func() {
				args := append(with(t, srv, "listen", "-o", "json"), tc.args...)
				done <- run(ctx, append([]string{"ami"}, args...), strings.NewReader(""), out, &errOut)
			}()
			select {
			case <-out.started:
			case code := <-done:
				t.Fatalf("listen exited %d before its first write; stderr %q", code, errOut.String())
			case <-testCtx(t).Done():
				t.Fatal("nothing was written")
			}
			if tc.args == nil {
				cancel()
			}
			stopped := time.Now()
			code := waitExit(t, testCtx(t), done, "listen with a stalled stdout")
			if code != exitOK || !strings.Contains(errOut.String(), "stdout took nothing for 1s after the stop") {
				t.Fatalf("exit %d, stderr %q", code, errOut.String())
			}
			if waited := time.Since(stopped); waited < stopGrace-100*time.Millisecond {
				t.Errorf("gave up after %v, before the grace of %v", waited, stopGrace)
			}
			if _, err := srv.WaitAction(testCtx(t), "Logoff"); err != nil {
				t.Errorf("no Logoff: %v", err)
			}
		})
	}
}

// TestListStopsWhileStdoutIsSlow: Ctrl-C during a long list whose items
// come faster than stdout takes them stops within a batch, with whole
// packets only, exit 130 and a Logoff; it used to print the whole list and
// exit 0.
func TestListStopsWhileStdoutIsSlow(t *testing.T) {
	const n = 100_000
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Big", "", bigList(n))
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	out := newStallWriter(t)
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"ami"}, with(t, srv, "list", "-o", "json", "Big")...), strings.NewReader(""), out, &errOut)
	}()
	out.waitStarted(t, testCtx(t))
	cancel()
	out.open()
	code := waitExit(t, testCtx(t), done, "list after the signal")
	if code != exitInterrupted || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	if got := wholeJSONLines(t, out.String()); got > n/10 {
		t.Errorf("%d of %d items printed after the signal came", got, n)
	}
	if _, err := srv.WaitAction(testCtx(t), "Logoff"); err != nil {
		t.Errorf("no Logoff: %v", err)
	}
}

// TestListStalledStdoutFailsAtTheBound: with stdout stalled, list reads on
// until the items waiting hold --buffer, then fails with exit 3 and says
// so, rather than hold the whole list.
func TestListStalledStdoutFailsAtTheBound(t *testing.T) {
	const n = 100_000
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Big", "", bigList(n))
	out := newStallWriter(t)
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(testCtx(t), append([]string{"ami"}, with(t, srv, "list", "-o", "json", "--buffer", "256KiB", "Big")...), strings.NewReader(""), out, &errOut)
	}()
	out.waitStarted(t, testCtx(t))
	code := waitExit(t, testCtx(t), done, "list with a stalled stdout")
	m := regexp.MustCompile(`^ami: list Big: .*after (\d+) items those waiting passed --buffer 256KiB; .*raise --buffer`).FindStringSubmatch(errOut.String())
	if code != exitConn || m == nil {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	if m[1] == "100000" {
		t.Errorf("the whole list arrived: %s", errOut.String())
	}
}

// TestListHeldRowsBound: -o table and --all hold every item until the list
// is complete; past --buffer they fail with a hint, and print nothing.
func TestListHeldRowsBound(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Big", "", bigList(20_000))
	for _, tc := range []struct {
		args []string
		hint string
	}{
		{[]string{"-o", "table"}, "use -o json or -o text, which stream"},
		{[]string{"--all", "-o", "json"}, "leave out --all"},
	} {
		r := amiRun(t, "", with(t, srv, append(append([]string{"list", "--buffer", "64KiB"}, tc.args...), "Big")...)...)
		r.want(t, exitConn, "passed --buffer 64KiB", tc.hint)
		if r.stdout != "" {
			t.Errorf("%v: printed %d bytes of a list that failed", tc.args, len(r.stdout))
		}
		// Under the bound the same list works.
		r = amiRun(t, "", with(t, srv, append(append([]string{"list"}, tc.args...), "Three")...)...)
		r.want(t, exitOK)
	}
}

// TestSendListBound: send holds a list until it is complete: one bigger
// than --buffer fails with exit 3 and points at ami list.
func TestSendListBound(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Big", "", bigList(20_000))
	r := amiRun(t, "", with(t, srv, "send", "--buffer", "64KiB", "Big")...)
	r.want(t, exitConn, "held more than --buffer 64KiB", "use 'ami list Big'")
	amiRun(t, "", with(t, srv, "send", "--buffer", "64KiB", "Three")...).want(t, exitOK)
}

// TestSendWaitsForTheActionsTimeout: an action whose Timeout header lets
// the server take longer than --timeout (a synchronous Originate ringing)
// is waited for that long plus --timeout.
func TestSendWaitsForTheActionsTimeout(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Ring", "", func(s *amitest.Session, a amiwire.Packet) {
		// Rings for 600 ms, as Asterisk holds a synchronous Originate
		// until the call is answered or its Timeout passes.
		ring := time.NewTimer(600 * time.Millisecond)
		defer ring.Stop()
		select {
		case <-ring.C:
		case <-s.Done():
			return
		}
		s.Success(a, "Message", "Answered")
	})
	args := append(srvArgs(t, srv), "--timeout", "200ms") // the later --timeout wins
	r := amiRun(t, "", append(args, "send", "Ring", "Timeout=5000")...)
	r.want(t, exitOK)
	if !strings.Contains(r.stdout, "Answered") {
		t.Errorf("stdout %q", r.stdout)
	}
	// Without a Timeout header the answer is late.
	r = amiRun(t, "", append(args, "send", "Ring")...)
	r.want(t, exitConn, "no response within 200ms")
}

// TestLoginCheckTimeoutBoundsTheRun: --timeout bounds a login-check's
// whole run, across all hosts, whatever stage each is silent in: a silent
// Ping used to cost the timeout and then the Logoff's own wait.
func TestLoginCheckTimeoutBoundsTheRun(t *testing.T) {
	users := []amitest.User{{Name: "admin", Secret: testSecret}}
	silentBanner := amitest.NewServer(t, amitest.Options{Users: users, Faults: []amitest.Fault{{Kind: amitest.FaultNoBanner}}})
	silentLogin := amitest.NewServer(t, amitest.Options{Users: users, Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer, Action: "Login"}}})
	silentPing := amitest.NewServer(t, amitest.Options{Users: users, Faults: []amitest.Fault{{Kind: amitest.FaultNoAnswer}}})
	const timeout = time.Second
	args := append(srvArgs(t, silentPing), "--timeout", timeout.String(), "login-check")
	for _, srv := range []*amitest.Server{silentBanner, silentLogin, silentPing} {
		args = append(args, srv.Addr())
	}
	start := time.Now()
	r := amiRun(t, "", args...)
	took := time.Since(start)
	r.want(t, nagiosCritical)
	want := []string{"timeout after 1s waiting for the banner", "timeout after 1s waiting for the login reply", "no reply to Ping within 1s"}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}
	// Before, the silent Ping took the timeout and the Logoff's wait (as
	// long again): 2 s. A little slack for a loaded machine.
	if took > timeout+800*time.Millisecond {
		t.Errorf("login-check --timeout %v took %v", timeout, took)
	}
}

// TestBinaryStops runs the built binary with real signals and real pipes:
// listen with a stdout nobody reads ends within the grace after SIGTERM;
// listen read slowly ends at a packet boundary after SIGINT; list with a
// stalled stdout exits 130 after SIGINT.
func TestBinaryStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := newFloodServer(t)
	srv.HandlePerm("Big", "", bigList(100_000))

	start := func(t *testing.T, args ...string) (*exec.Cmd, *os.File, *syncBuffer) {
		t.Helper()
		c := exec.CommandContext(testCtx(t), bin, append(srvArgs(t, srv), args...)...)
		c.Env = append(os.Environ(), "AMI_SECRET=", "AMI_PROFILE=", "NO_COLOR=1")
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		var errOut syncBuffer
		c.Stdout, c.Stderr = pw, &errOut
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		t.Cleanup(func() { pr.Close() })
		return c, pr, &errOut
	}
	exitOf := func(t *testing.T, err error) int {
		t.Helper()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	firstLine := func(t *testing.T, br *bufio.Reader) {
		t.Helper()
		if line, err := br.ReadString('\n'); err != nil || !json.Valid([]byte(line)) {
			t.Fatalf("first line %q, %v", line, err)
		}
	}

	t.Run("listen SIGTERM, stdout stalled", func(t *testing.T) {
		c, pr, errOut := start(t, "listen", "-o", "json")
		shrinkPipe(pr)                    // so that a write of ami's is surely stuck
		firstLine(t, bufio.NewReader(pr)) // then nobody reads: the pipe fills
		c.Process.Signal(syscall.SIGTERM)
		code := exitOf(t, c.Wait())
		// Mostly stuck in a write, so given up on after the grace; or, if
		// the signal came before the pipe filled, stopped at once.
		if e := errOut.String(); code != 0 || e != "" && !strings.Contains(e, "stdout took nothing for 1s after the stop") {
			t.Fatalf("exit %d, stderr %q", code, e)
		}
	})

	t.Run("listen SIGINT, stdout slow", func(t *testing.T) {
		c, pr, errOut := start(t, "listen", "-o", "json")
		br := bufio.NewReader(pr)
		firstLine(t, br)
		c.Process.Signal(syscall.SIGINT)
		// A slow reader: 4 KiB every 2 ms (2 MB/s, slower than the flood).
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var rest bytes.Buffer
		buf := make([]byte, 4<<10)
		for {
			<-tick.C
			n, err := br.Read(buf)
			rest.Write(buf[:n])
			if err != nil {
				break
			}
		}
		code := exitOf(t, c.Wait())
		if code != 0 || errOut.String() != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
		if n := wholeJSONLines(t, rest.String()); rest.Len() > 1<<20 {
			t.Errorf("%d events (%d bytes) after SIGINT", n, rest.Len())
		}
	})

	t.Run("list SIGINT, stdout stalled", func(t *testing.T) {
		c, pr, errOut := start(t, "list", "-o", "json", "Big")
		firstLine(t, bufio.NewReader(pr))
		c.Process.Signal(syscall.SIGINT)
		code := exitOf(t, c.Wait())
		if code != exitInterrupted || !strings.Contains(errOut.String(), "interrupted") {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
	})
}

// shrinkPipe makes the pipe of f as small as Linux allows (one page), so
// that ami's 64 KiB writes block at once when nobody reads; elsewhere it
// does nothing.
func shrinkPipe(f *os.File) {
	if runtime.GOOS == "linux" {
		const setPipeSize = 1031 // F_SETPIPE_SZ
		syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), setPipeSize, 4096)
	}
}

// buildBinary builds ami into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ami")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
