package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
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
