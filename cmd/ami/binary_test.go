package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestBinary builds ami and runs it as a user would against a fake server:
// exit codes, a real closed pipe (| head) and a real SIGINT.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "ami")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("Slow", "", func(s *amitest.Session, a amiwire.Packet) {
		// The list never completes; the handler returns so the session
		// goes on reading (and sees the Logoff).
		writeList(s, a, threeItems(a), nil)
	})
	for _, name := range []string{"IAXpeers", "Short"} { // hand-written replies (list_oldshapes_test.go)
		srv.HandlePerm(name, "", amitest.RawReply(strings.ReplaceAll(oldShapes[name], "\n", "\r\n")))
	}
	conn := srvArgs(t, srv)

	cmd := func(ctx context.Context, stdin string, args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, bin, append(append([]string{}, conn...), args...)...)
		c.Stdin = strings.NewReader(stdin)
		c.Env = append(os.Environ(), "AMI_SECRET=", "AMI_PROFILE=", "NO_COLOR=1")
		return c
	}
	exitOf := func(err error) int {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}

	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "send", args: []string{"send", "Fixed"}, stdout: "Message: Fixed reply"},
		{name: "list json", args: []string{"list", "Three", "-o", "json"}, stdout: `"Channel":"PJSIP/100-00000001"`},
		{name: "command", args: []string{"command", "core show version"}, stdout: "Asterisk 22.10.1"},
		{name: "stdin", stdin: "Action: Fixed\n\nAction: Ping\n", args: []string{"send", "-o", "json"}, stdout: `"Ping":"Pong"`},
		{name: "injection", args: []string{"send", "Originate", "Channel=x\r\nAction: Command\r\nCommand: core stop now"}, code: 2, stderr: `header "Channel" refused`},
		{name: "error", args: []string{"send", "Fail"}, code: 1, stderr: "No such thing"},
		{name: "version", args: []string{"--version"}, stdout: "ami version"},
		{name: "list items without ActionID", args: []string{"list", "-o", "json", "IAXpeers"}, stdout: `{"Event":"PeerEntry","Channeltype":"IAX2","ObjectName":"peer-a"`},
		{name: "list ListItems mismatch", args: []string{"list", "Short"}, code: 3, stdout: "Channel: PJSIP/200-00000002", stderr: "ami: list Short: server said 3 items, received 2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cmd(ctxT(t), tt.stdin, tt.args...)
			var out, errOut bytes.Buffer
			c.Stdout, c.Stderr = &out, &errOut
			code := exitOf(c.Run())
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tt.code, out.String(), errOut.String())
			}
			if strings.Contains(out.String()+errOut.String(), testSecret) {
				t.Fatal("secret leaked")
			}
		})
	}

	binaryStdinCases(t, srv, cmd, exitOf)
	t.Run("listen closed pipe while quiet", func(t *testing.T) { binaryListenHangup(t, bin, exitOf) })

	// `ami list ... | head -n 1`: the reader goes away while ami is still
	// writing; ami stops quietly with exit 0.
	srv.HandlePerm("Big", "", bigList(200_000))
	t.Run("closed pipe", func(t *testing.T) {
		c := cmd(ctxT(t), "", "list", "-o", "json", "Big")
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		var errOut bytes.Buffer
		c.Stdout, c.Stderr = pw, &errOut
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		line, err := bufio.NewReader(pr).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "{") {
			t.Fatalf("first line %q, %v", line, err)
		}
		pr.Close()
		if code := exitOf(c.Wait()); code != 0 || errOut.Len() != 0 {
			t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut.String())
		}
	})

	// SIGINT during a long list: complete packets, Logoff, exit 130.
	t.Run("sigint", func(t *testing.T) {
		before := countLogoffs(srv)
		c := cmd(ctxT(t), "", "list", "-o", "json", "Slow")
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		var errOut bytes.Buffer
		c.Stdout, c.Stderr = pw, &errOut
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		br := bufio.NewReader(pr)
		var got []string
		for i := 0; i < 3; i++ {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("line %d: %v", i, err)
			}
			got = append(got, line)
		}
		for i, line := range got {
			if !json.Valid([]byte(line)) {
				t.Fatalf("line %d is not a complete JSON object: %q", i, line)
			}
		}
		c.Process.Signal(syscall.SIGINT)
		rest, _ := bufio.NewReader(br).ReadString(0)
		pr.Close()
		code := exitOf(c.Wait())
		if code != exitInterrupted {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
		if rest != "" {
			t.Fatalf("more output after the items: %q", rest)
		}
		if countLogoffs(srv) != before+1 {
			t.Fatalf("no Logoff after SIGINT")
		}
	})
}

// binaryStdinCases runs `ami send` with stdin a real pipe or file: a pipe
// still being written streams (each result before the next action is
// written; a bad action ends the batch without waiting for the end of
// stdin), a pipe whose writer has finished and a file are checked whole.
func binaryStdinCases(t *testing.T, srv *amitest.Server, cmd func(context.Context, string, ...string) *exec.Cmd, exitOf func(error) int) {
	pipe := func() (*os.File, *os.File) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
		return r, w
	}
	// start runs ami send -o json with stdin in, stdout a pipe.
	start := func(in *os.File) (*exec.Cmd, *bufio.Reader, *bytes.Buffer) {
		c := cmd(ctxT(t), "", "send", "-o", "json")
		outR, outW := pipe()
		var errOut bytes.Buffer
		c.Stdin, c.Stdout, c.Stderr = in, outW, &errOut
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		outW.Close()
		return c, bufio.NewReader(outR), &errOut
	}
	sentWithID := func(id string) int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Action.Get("ActionID") == id {
				n++
			}
		}
		return n
	}

	t.Run("send streams from a pipe", func(t *testing.T) {
		inR, inW := pipe()
		c, out, errOut := start(inR)
		inR.Close()
		for _, id := range []string{"co1", "co2"} {
			fmt.Fprintf(inW, "Action: Fixed\nActionID: %s\n\n", id)
			line, err := out.ReadString('\n') // ends when ami is killed at the deadline
			if err != nil || !strings.Contains(line, `"ActionID":"`+id+`"`) {
				t.Fatalf("result of %s: %q, %v; stderr %q", id, line, err, errOut.String())
			}
		}
		inW.Close()
		if code := exitOf(c.Wait()); code != 0 || errOut.Len() != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
	})

	t.Run("send stops at a bad action in a pipe", func(t *testing.T) {
		before := countLogoffs(srv)
		inR, inW := pipe()
		c, out, errOut := start(inR)
		inR.Close()
		fmt.Fprint(inW, "Action: Fixed\nActionID: bad1\n\n")
		if line, err := out.ReadString('\n'); err != nil || !strings.Contains(line, `"ActionID":"bad1"`) {
			t.Fatalf("first result %q, %v", line, err)
		}
		fmt.Fprint(inW, "Action: Fixed\nChannel: x\rAction: Command\n\n") // stdin stays open
		code := exitOf(c.Wait())
		if code != exitUsage || !strings.Contains(errOut.String(), "stdin action 2 (line 4)") ||
			!strings.Contains(errOut.String(), "the action before it was sent") {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
		if countLogoffs(srv) != before+1 {
			t.Error("no Logoff after the bad action")
		}
	})

	whole := "Action: Fixed\nActionID: whole1\n\nbogus\n"
	t.Run("send checks a finished pipe whole", func(t *testing.T) {
		inR, inW := pipe()
		fmt.Fprint(inW, whole)
		inW.Close() // like a here-doc: all there before ami starts
		c, _, errOut := start(inR)
		inR.Close()
		code := exitOf(c.Wait())
		if code != exitUsage || !strings.Contains(errOut.String(), "stdin action 2 (line 4)") || !strings.Contains(errOut.String(), "nothing was sent") {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
		if n := sentWithID("whole1"); n != 0 {
			t.Fatalf("the first action was sent")
		}
	})

	t.Run("send checks a file whole", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "actions.txt")
		if err := os.WriteFile(path, []byte(whole), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		c, _, errOut := start(f)
		code := exitOf(c.Wait())
		if code != exitUsage || !strings.Contains(errOut.String(), "nothing was sent") {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
		if n := sentWithID("whole1"); n != 0 {
			t.Fatalf("the first action was sent")
		}
	})
}

// binaryListenHangup: `ami listen --event Rare | head -1` on a quiet PBX
// ends as soon as head has gone, not at the next event (none comes here).
func binaryListenHangup(t *testing.T, bin string, exitOf func(error) int) {
	rare := amiwire.Packet{Fields: fields("Event", "Rare", "Privilege", "user,all")}
	quiet := newServer(t, amitest.Options{OnLogin: func(s *amitest.Session) { s.SendEvent(rare) }})
	c := exec.CommandContext(ctxT(t), bin, append(srvArgs(t, quiet), "listen", "--event", "Rare", "-o", "json")...)
	c.Env = append(cleanEnv(), "NO_COLOR=1")
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut syncBuffer
	c.Stdout, c.Stderr = outW, &errOut
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil || !strings.Contains(line, `"Event":"Rare"`) {
		t.Fatalf("first line %q, %v; stderr %q", line, err, errOut.String())
	}
	outR.Close() // head -1 exits
	start := time.Now()
	code := exitOf(c.Wait()) // killed at the test's deadline if it waits for an event
	if code != 0 || errOut.String() != "" {
		t.Fatalf("exit %d after %v, stderr %q", code, time.Since(start), errOut.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to notice that stdout's reader had gone", d)
	}
	if countLogoffs(quiet) != 1 {
		t.Error("no Logoff")
	}
}

func countLogoffs(srv *amitest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.EqualFold(r.Action.Get("Action"), "Logoff") {
			n++
		}
	}
	return n
}
