package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestCallsTableOnTerminal: on a terminal, calls redraws the table in
// place on the alternate screen; q quits with exit 0, the screen and the
// terminal's mode put back.
func TestCallsTableOnTerminal(t *testing.T) {
	items := recordedChannels(t)
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items }))
	master, slave := openPty(t)
	if !echoing(t, slave) {
		t.Fatal("the new terminal does not echo")
	}

	var mu sync.Mutex
	var screen bytes.Buffer
	drawn := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		signalled := false
		for {
			n, err := master.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			// The second drawing: the table is redrawn, not appended.
			if !signalled && strings.Count(screen.String(), "ami calls: 3 up") >= 2 {
				signalled = true
				close(drawn)
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	ctx := testCtx(t)
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"ami"}, with(t, srv, "calls", "--interval", "20ms")...), slave, slave, &stderr)
	}()
	select {
	case <-drawn:
	case <-ctx.Done():
		mu.Lock()
		t.Fatalf("no two drawings:\n%q\nstderr: %s", screen.String(), stderr.String())
	}
	if echoing(t, slave) {
		t.Error("the terminal echoes while the table is shown (keys are read raw)")
	}
	if _, err := master.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	var code int
	select {
	case code = <-done:
	case <-ctx.Done():
		t.Fatal("q did not quit")
	}
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !echoing(t, slave) {
		t.Error("the terminal's mode was not restored")
	}
	mu.Lock()
	defer mu.Unlock()
	out := screen.String()
	if !strings.HasPrefix(out, ansiEnter) || !strings.Contains(out, ansiHome+"ami calls: 3 up") || !strings.Contains(out, "Local/hold@default-") {
		t.Errorf("screen:\n%q", out)
	}
}

// TestCallsTablePiped: -o table to a pipe writes the whole table every
// --interval, without terminal sequences.
func TestCallsTablePiped(t *testing.T) {
	items := recordedChannels(t)
	srv := newServer(t, amitest.Options{})
	srv.HandlePerm("CoreShowChannels", "", snapshotHandler(func(*amitest.Session) []amiwire.Packet { return items }))
	r := runUntil(t, "ami calls: 3 up", 2, with(t, srv, "calls", "-o", "table", "--interval", "20ms")...)
	r.want(t, 0)
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("terminal sequences in a pipe: %q", r.stdout)
	}
	tables := strings.Split(r.stdout, "ami calls: ")
	if len(tables) < 3 || strings.Count(tables[1], " hold ") != 3 {
		t.Errorf("tables:\n%s", r.stdout)
	}
}
