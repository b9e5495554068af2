package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// fleetConfig writes a config file with a profile per name in addrs, each
// admin with the test secret, and returns the secret-free environment.
func fleetConfig(t *testing.T, addrs map[string]string) {
	t.Helper()
	clearEnv(t)
	var b strings.Builder
	for name, addr := range addrs {
		h, p := hostPort(t, addr)
		b.WriteString("[" + name + "]\nhost = " + h + "\nport = " + p + "\nusername = admin\nsecret = " + testSecret + "\n")
	}
	writeConfig(t, b.String())
}

// userEvents sends n UserEvents Seq=from... on s.
func userEvents(s *amitest.Session, from, n int) {
	for i := from; i < from+n; i++ {
		s.SendEvent(ev("Event", "UserEvent", "Privilege", "user,all", "UserEvent", "Seq", "Seq", strconv.Itoa(i)))
	}
}

// seqsByHost parses listen's JSON lines into each host's Seq values, in
// the order printed, failing on a line that is not whole JSON with
// "@host" first.
func seqsByHost(t *testing.T, out string) map[string][]int {
	t.Helper()
	got := map[string][]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, `{"@host":"`) {
			t.Fatalf("line without @host first: %q", line)
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		n, _ := strconv.Atoi(m["Seq"])
		got[m["@host"]] = append(got[m["@host"]], n)
	}
	return got
}

// TestFleetListen: listen on four hosts, one with a wrong secret and one
// down: the two good hosts' events are all printed, interleaved whole,
// each tagged with its host and in its own order; --count counts them
// all; the two failures are named and the exit code is the worst (3).
func TestFleetListen(t *testing.T) {
	const perHost = 300
	ctx := testCtx(t)
	// The good hosts send their events once both failures are reported:
	// --count then cannot end the run while a failing host is still
	// logging in (which would be a normal end for it).
	failed := make(chan struct{})
	stderr := &failureWatch{want: []string{"ami: bad: ", "ami: down: "}, seen: failed}
	opts := amitest.Options{
		Users: []amitest.User{{Name: "admin", Secret: testSecret}},
		OnLogin: func(s *amitest.Session) {
			select {
			case <-failed:
				userEvents(s, 0, perHost)
			case <-ctx.Done():
			}
		},
	}
	a := amitest.NewServer(t, opts)
	b := amitest.NewServer(t, opts)
	bad := amitest.NewServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "other"}}})
	fleetConfig(t, map[string]string{"a": a.Addr(), "b": b.Addr(), "bad": bad.Addr(), "down": closedAddr(t)})

	var out bytes.Buffer
	code := run(ctx, []string{"ami", "--profile", "a,bad,down,b", "--timeout", "5s", "listen", "--event", "UserEvent",
		"-o", "json", "--count", strconv.Itoa(2 * perHost)}, strings.NewReader(""), &out, stderr)
	r := result{code: code, stdout: out.String(), stderr: stderr.String()}
	noSecret(t, r)
	r.want(t, exitConn, "ami: bad: ", "authentication failed", "ami: down: ", "connection refused")
	if !strings.HasSuffix(r.stderr, "ami: 2 of 4 hosts failed: bad, down\n") {
		t.Fatalf("last stderr line:\n%s", r.stderr)
	}
	got := seqsByHost(t, r.stdout)
	for _, h := range []string{"a", "b"} {
		if len(got[h]) != perHost {
			t.Fatalf("host %s: %d events, want %d", h, len(got[h]), perHost)
		}
		for i, n := range got[h] {
			if n != i {
				t.Fatalf("host %s: event %d has Seq %d", h, i, n)
			}
		}
	}
	if len(got) != 2 {
		t.Fatalf("events of hosts %v", got)
	}
}

// failureWatch is a syncBuffer that closes seen once it holds every
// string of want (at once for none, after a first Write).
type failureWatch struct {
	syncBuffer
	want []string
	seen chan struct{}
	once sync.Once
}

func (w *failureWatch) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	all := w.String()
	for _, s := range w.want {
		if !strings.Contains(all, s) {
			return n, err
		}
	}
	w.once.Do(func() { close(w.seen) })
	return n, err
}

// TestFleetListenReconnect: in a merged listen with --reconnect, a host
// whose session drops (the amitest server closes it) is reconnected on
// its own, with its notices on stderr naming it, while the other goes
// on; nothing is lost or repeated.
func TestFleetListenReconnect(t *testing.T) {
	const per = 40
	logins := make(chan *amitest.Session, 4)
	flaky := amitest.NewServer(t, amitest.Options{
		Users:   []amitest.User{{Name: "admin", Secret: testSecret}},
		OnLogin: func(s *amitest.Session) { logins <- s },
	})
	steady := amitest.NewServer(t, amitest.Options{
		Users:   []amitest.User{{Name: "admin", Secret: testSecret}},
		OnLogin: func(s *amitest.Session) { userEvents(s, 0, 2*per) },
	})
	fleetConfig(t, map[string]string{"flaky": flaky.Addr(), "steady": steady.Addr()})

	ctx := testCtx(t)
	var out syncBuffer
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"ami", "--profile", "flaky,steady", "--timeout", "5s", "listen", "--event", "UserEvent",
			"-o", "json", "--reconnect", "--reconnect-min", "5ms", "--count", strconv.Itoa(4 * per)}, strings.NewReader(""), &out, &errOut)
	}()
	var s *amitest.Session
	select {
	case s = <-logins:
	case <-ctx.Done():
		t.Fatal("no login")
	}
	userEvents(s, 0, per)
	s.Close() // after its events: they are written, then the session is gone
	select {
	case s = <-logins:
	case <-ctx.Done():
		t.Fatal("no second login")
	}
	userEvents(s, per, per)
	var code int
	select {
	case code = <-done:
	case <-ctx.Done():
		t.Fatal("listen did not end")
	}
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	got := seqsByHost(t, out.String())
	for _, h := range []string{"flaky", "steady"} {
		if len(got[h]) != 2*per {
			t.Fatalf("host %s: %d events, want %d\n%s", h, len(got[h]), 2*per, errOut.String())
		}
		for i, n := range got[h] {
			if n != i {
				t.Fatalf("host %s: event %d has Seq %d (lost or repeated)", h, i, n)
			}
		}
	}
	e := errOut.String()
	if !strings.Contains(e, "ami: flaky: connection lost (") || !strings.Contains(e, "; reconnecting in ") ||
		!strings.Contains(e, "ami: flaky: reconnected to admin@"+flaky.Addr()) {
		t.Fatalf("notices:\n%s", e)
	}
	if strings.Contains(e, "steady") {
		t.Fatalf("a notice about the steady host:\n%s", e)
	}
}

// TestFleetListenRawRefused: -o raw with several hosts is a usage error.
func TestFleetListenRawRefused(t *testing.T) {
	r := amiRun(t, "", "-H", "127.0.0.1:1,127.0.0.1:2", "-u", "admin", "--secret-file", secretFile(t, testSecret), "listen", "-o", "raw")
	r.want(t, exitUsage, "-o raw is the bytes of one connection")
}

// TestFleetInterrupted: a signal (the run's context cancelled) while one
// host's list is still coming ends every host: what arrived is printed,
// each host's block whole and in order, and the exit code is 130, the
// worst there is.
func TestFleetInterrupted(t *testing.T) {
	quick := newServer(t, amitest.Options{})
	slow := newServer(t, amitest.Options{})
	slow.HandlePerm("Three", "", func(s *amitest.Session, a amiwire.Packet) {
		writeList(s, a, threeItems(a), nil) // never completes
	})
	fleetConfig(t, map[string]string{"quick": quick.Addr(), "slow": slow.Addr()})
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go func() {
		if _, err := slow.WaitAction(ctx, "Three"); err == nil {
			cancel()
		}
	}()
	code, out, errOut := runAMI(t, ctx, "", "--profile", "slow,quick", "--timeout", "5s", "list", "-o", "json", "--fields", "Channel", "Three")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitInterrupted, out, errOut)
	}
	if !strings.HasSuffix(errOut, "hosts failed: slow\n") && !strings.HasSuffix(errOut, "hosts failed: slow, quick\n") {
		t.Fatalf("stderr:\n%s", errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line != "" && !strings.HasPrefix(line, `{"@host":"slow","Channel":`) && !strings.HasPrefix(line, `{"@host":"quick","Channel":`) {
			t.Fatalf("line %q", line)
		}
	}
	if i, j := strings.Index(out, `"quick"`), strings.LastIndex(out, `"slow"`); i >= 0 && j > i {
		t.Fatalf("quick's block before slow's end:\n%s", out)
	}
}
