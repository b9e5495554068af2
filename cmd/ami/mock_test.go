package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// addrWriter captures stderr and reports the first "listening on ADDR".
type addrWriter struct {
	syncBuffer
	addr chan string
}

var listeningRE = regexp.MustCompile(`listening on (\S+)`)

func (w *addrWriter) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if m := listeningRE.FindStringSubmatch(w.String()); m != nil {
		select {
		case w.addr <- m[1]:
		default:
		}
	}
	return n, err
}

func TestMockCommand(t *testing.T) {
	replay := filepath.Join(t.TempDir(), "capture.ami")
	capture := "Asterisk Call Manager/11.0.0\r\n" +
		"Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: Replayed\r\nSeq: 1\r\n\r\n" +
		"Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: Replayed\r\nSeq: 2\r\n\r\n"
	if err := os.WriteFile(replay, []byte(capture), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	errOut := &addrWriter{addr: make(chan string, 1)}
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"ami", "mock", "--listen", "127.0.0.1:0", "--user", "ops:s3,cret", "--replay", replay},
			strings.NewReader(""), io.Discard, errOut)
	}()
	var addr string
	select {
	case addr = <-errOut.addr:
	case code := <-done:
		t.Fatalf("mock exited %d: %s", code, errOut.String())
	case <-time.After(testTimeout):
		t.Fatal("mock did not say where it listens")
	}
	if strings.Contains(errOut.String(), "s3,cret") {
		t.Error("the secret was printed")
	}
	// The user with a comma in the secret logs in and gets the replay.
	cl, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: addr, Username: "ops", Secret: "s3,cret", Events: "user"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 2 {
		evs, err := cl.NextEvents(testCtx(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Get("UserEvent") == "Replayed" {
				got = append(got, e.Get("Seq"))
			}
		}
	}
	if strings.Join(got, ",") != "1,2" {
		t.Errorf("replayed %v", got)
	}
	if _, err := cl.Do(testCtx(t), amiwire.NewAction("CoreStatus")); err != nil {
		t.Errorf("CoreStatus: %v", err)
	}
	cl.Close()
	// The default user is gone when --user is given.
	if _, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: addr, Username: "admin", Secret: "admin", Events: "off"}); err == nil {
		t.Error("admin/admin accepted although --user replaced it")
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after cancel: %s", code, errOut.String())
		}
	case <-time.After(testTimeout):
		t.Fatal("mock did not stop")
	}
}

func TestMockUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--listen", "0.0.0.0:0"},
		{"--listen", "192.0.2.1:5038"},
		{"--listen", "nonsense"},
		{"--user", "nocolon"},
		{"--user", "name:"},
		{"--rate", "-1"},
		{"--flood", "-5"},
		{"--flood-calls", "-1"},
		{"--flood-end", "maybe"},
		{"--replay", "/nonexistent/capture"},
		{"extra"},
	} {
		code, out, errOut := runAMI(t, testCtx(t), "", append([]string{"mock"}, args...)...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, "ami: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	_, _, errOut := runAMI(t, testCtx(t), "", "mock", "--user", "ops")
	if !strings.Contains(errOut, "NAME:SECRET") {
		t.Errorf("stderr %q", errOut)
	}
}

// TestBinaryListen builds ami and runs it as a user would: --mock listen, and
// listen into a pipe closed after one line (`| head -n 1`).
func TestBinaryListen(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "ami")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx := testCtx(t)

	cmd := exec.CommandContext(ctx, bin, "--mock", "listen", "--count", "3", "-o", "json")
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("--mock listen: %v", err)
	}
	if n := len(jsonEvents(t, string(out))); n != 3 {
		t.Errorf("%d JSON lines, want 3: %s", n, out)
	}

	// | head -n 1: read one line, close the pipe; ami must exit 0, quietly.
	cmd = exec.CommandContext(ctx, bin, "--mock", "listen", "-o", "json")
	cmd.Env = cleanEnv()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(pipe).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "{") {
		t.Fatalf("first line %q: %v", line, err)
	}
	pipe.Close()
	start := time.Now()
	err = cmd.Wait()
	if err != nil {
		t.Errorf("exit after the pipe closed: %v; stderr %q", err, stderr.String())
	}
	if stderr.String() != "" {
		t.Errorf("stderr %q, want nothing", stderr.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to notice the closed pipe", d)
	}
}

// cleanEnv is the environment without AMI_* settings of the caller.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AMI_") {
			env = append(env, kv)
		}
	}
	return env
}

// startMockCmd runs `ami mock --listen 127.0.0.1:0 args...` in-process
// and returns its address and stderr; the mock stops at the test's end.
func startMockCmd(t *testing.T, args ...string) (string, *addrWriter) {
	t.Helper()
	ctx, cancel := context.WithCancel(testCtx(t))
	errOut := &addrWriter{addr: make(chan string, 1)}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"ami", "mock", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, errOut)
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case addr := <-errOut.addr:
		return addr, errOut
	case code := <-done:
		t.Fatalf("mock exited %d: %s", code, errOut.String())
	case <-ctx.Done():
		t.Fatal("mock did not say where it listens")
	}
	return "", nil
}

// TestMockReplayTimestamps: a capture made with `listen --timestamps -o
// raw`, replayed by `ami mock --replay` and listened to with --timestamps,
// has one ReceivedAt per event (the replay drops the captured one), and
// the mock says so.
func TestMockReplayTimestamps(t *testing.T) {
	srv := newServer(t, amitest.Options{OnLogin: func(s *amitest.Session) {
		for _, n := range []string{"one", "two"} {
			s.SendEvent(amiwire.Packet{Fields: fields("Event", "UserEvent", "Privilege", "user,all", "UserEvent", n)})
		}
	}})
	capture := amiRun(t, "", with(t, srv, "listen", "--timestamps", "-o", "raw", "--match", "UserEvent=*", "--count", "2")...)
	capture.want(t, 0)
	if n := strings.Count(capture.stdout, "ReceivedAt: "); n != 2 {
		t.Fatalf("capture has %d stamps:\n%s", n, capture.stdout)
	}
	file := filepath.Join(t.TempDir(), "capture.ami")
	if err := os.WriteFile(file, []byte(capture.stdout), 0o600); err != nil {
		t.Fatal(err)
	}

	addr, errOut := startMockCmd(t, "--user", "ops:pw", "--replay", file)
	host, port, _ := net.SplitHostPort(addr)
	r := amiRun(t, "", "-H", host, "-p", port, "-u", "ops", "--secret-file", secretFile(t, "pw"),
		"listen", "--timestamps", "-o", "json", "--match", "UserEvent=*", "--count", "2")
	r.want(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	for i, line := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		stamp, ok := ev["ReceivedAt"].(string)
		if !ok || stamp == "" {
			t.Errorf("event %d: ReceivedAt %#v, want one time", i, ev["ReceivedAt"])
		}
		if want := []string{"one", "two"}[i]; ev["UserEvent"] != want {
			t.Errorf("event %d is %v, want %s", i, ev["UserEvent"], want)
		}
	}
	if !strings.Contains(errOut.String(), "replaying 2 events of "+file) || !strings.Contains(errOut.String(), "without the ReceivedAt line of 2") {
		t.Errorf("stderr:\n%s", errOut.String())
	}
}

// TestMockReplayReport: what a replay leaves out is said on stderr (a
// 5 MB event, responses); a file with no events at all is refused.
func TestMockReplayReport(t *testing.T) {
	dir := t.TempDir()
	ev := func(name, extra string) string {
		return "Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: " + name + "\r\n" + extra + "\r\n"
	}
	capture := "Asterisk Call Manager/11.0.0\r\n" + ev("a", "") + "Response: Success\r\nActionID: 1\r\n\r\n" +
		ev("huge", "Body: "+strings.Repeat("x", 5<<20)+"\r\n") + ev("b", "")
	file := filepath.Join(dir, "capture.ami")
	if err := os.WriteFile(file, []byte(capture), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut := startMockCmd(t, "--replay", file)
	for _, want := range []string{
		"ami mock: replaying 2 events of " + file,
		"ami mock: --replay " + file + ": left out 1 response (line 6: Response: Success), 1 packet over a limit (line 9: line length over 1 MiB)",
	} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}

	tests := []struct{ name, content, msg string }{
		{"passwd", "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/usr/sbin/nologin\n", "no events to replay: 1 packet cut short (line 1"},
		{"empty", "", "no events to replay: the file is empty"},
		{"responses only", "Response: Success\r\n\r\nResponse: Error\r\n\r\n", "no events to replay: 2 responses (lines 1, 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runAMI(t, testCtx(t), "", "mock", "--listen", "127.0.0.1:0", "--replay", path)
			if code != exitUsage || out != "" || !strings.Contains(stderr, tt.msg) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.msg)
			}
		})
	}
}

// callExten finds the extension of the Local channel an event is about.
var callExten = regexp.MustCompile(`Local/([a-z]+)@default`)

// callsOf reads raw AMI (a banner line skipped) and groups its events by
// the extension of the Local channels they name, each event as its name
// and header names.
func callsOf(t *testing.T, raw []byte) map[string][]string {
	t.Helper()
	if i := bytes.IndexByte(raw, '\n'); i >= 0 && !bytes.Contains(raw[:i], []byte(": ")) {
		raw = raw[i+1:]
	}
	rd := amiwire.NewReader(bytes.NewReader(raw))
	out := map[string][]string{}
	for {
		p, err := rd.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		m := callExten.FindStringSubmatch(p.String())
		if !p.Has("Event") || m == nil {
			continue
		}
		keys := make([]string, len(p.Fields))
		for i, f := range p.Fields {
			keys[i] = f.Key
		}
		shape := p.Get("Event") + "{" + strings.Join(keys, ",") + "}"
		if p.Get("Event") == "OriginateResponse" {
			shape += " ActionID=" + p.Get("ActionID") + " Response=" + p.Get("Response") + " Reason=" + p.Get("Reason")
		}
		out[m[1]] = append(out[m[1]], shape)
	}
}

// TestMockOriginateOutcomes: `ami send Originate` of each extension of
// the recorded dialplan against the simulator, watched by `ami listen -o
// raw`: each call's events have the names, order and header names of the
// recording's (originate-outcomes), and its OriginateResponse the
// Originate's ActionID, the Response and the Reason.
func TestMockOriginateOutcomes(t *testing.T) {
	loggedIn := make(chan struct{}, 1)
	srv := newServer(t, amitest.Options{OnLogin: func(*amitest.Session) {
		select {
		case loggedIn <- struct{}{}:
		default:
		}
	}})
	raw, err := amitest.Fixture("originate-outcomes.server.ami")
	if err != nil {
		t.Fatal(err)
	}
	want := callsOf(t, raw)
	want["nosuch"] = want["nosuchexten"]
	for i, s := range want["nosuch"] {
		want["nosuch"][i] = strings.ReplaceAll(s, "orig-nosuchexten-6", "orig-nosuch-6")
	}
	exts := []string{"talk", "busy", "congest", "noanswer", "nosuch"}
	count := 0
	for _, e := range exts {
		count += len(want[e])
	}
	listened := make(chan result, 1)
	go func() {
		listened <- amiRun(t, "", with(t, srv, "listen", "-o", "raw", "--classes", "call,dialplan", "--count", strconv.Itoa(count))...)
	}()
	select {
	case <-loggedIn:
	case r := <-listened:
		t.Fatalf("listen ended first: %+v", r)
	}
	for i, e := range exts {
		args := []string{"send", "Originate", "ActionID=orig-" + e + "-" + strconv.Itoa(i+2), "Channel=Local/" + e + "@default",
			"Application=Wait", "Data=10", "Async=true"}
		switch e {
		case "talk":
			args = append(args, "Variable=LEN=0") // hangs up at once: no waiting in the test
		case "noanswer":
			args = append(args, "Timeout=1")
		}
		amiRun(t, "", with(t, srv, args...)...).want(t, 0)
	}
	r := <-listened
	r.want(t, 0)
	got := callsOf(t, []byte(r.stdout))
	for _, e := range exts {
		if strings.Join(got[e], "\n") != strings.Join(want[e], "\n") {
			t.Errorf("%s: events\n%s\nwant\n%s", e, strings.Join(got[e], "\n"), strings.Join(want[e], "\n"))
		}
	}
}

// TestMockFloodCalls: `ami mock --flood-calls N` sends each listener the
// events of N calls, Newchannel to Hangup, each call with a Linkedid of
// its own.
func TestMockFloodCalls(t *testing.T) {
	const calls, perCall = 200, 19
	addr, _ := startMockCmd(t, "--flood-calls", strconv.Itoa(calls))
	host, port, _ := net.SplitHostPort(addr)
	r := amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "--secret-file", secretFile(t, "admin"),
		"listen", "-o", "json", "--classes", "call,dialplan", "--count", strconv.Itoa(calls*perCall))
	r.want(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != calls*perCall {
		t.Fatalf("%d events, want %d", len(lines), calls*perCall)
	}
	events := map[string]int{}
	linked := map[string]int{}
	for i, line := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		events[ev["Event"].(string)]++
		if l, ok := ev["Linkedid"].(string); ok {
			linked[l]++
		}
	}
	if events["Newchannel"] != 2*calls || events["Hangup"] != 2*calls || events["OriginateResponse"] != 0 {
		t.Errorf("events by name: %v", events)
	}
	if len(linked) != calls {
		t.Errorf("%d Linkedids, want %d", len(linked), calls)
	}
}
