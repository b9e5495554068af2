package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// openPty opens a pseudo-terminal: the master (the test's keyboard and
// screen) and the slave (ami's terminal). Both are closed at the end of
// the test, the master first, which ends any read still waiting on the
// slave.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var n uint32
	var unlock int32
	rc, err := master.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ioErr error
	if err := rc.Control(func(fd uintptr) {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
			ioErr = e
			return
		}
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
			ioErr = e
		}
	}); err != nil || ioErr != nil {
		master.Close()
		t.Skipf("pseudo-terminal setup: %v %v", err, ioErr)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Skipf("pseudo-terminal slave: %v", err)
	}
	t.Cleanup(func() {
		master.Close()
		slave.Close()
	})
	return master, slave
}

// echoing reports whether the terminal f echoes what is typed.
func echoing(t *testing.T, f *os.File) bool {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var tio syscall.Termios
	var ioErr error
	if err := rc.Control(func(fd uintptr) {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&tio))); e != 0 {
			ioErr = e
		}
	}); err != nil || ioErr != nil {
		t.Fatalf("TCGETS: %v %v", err, ioErr)
	}
	return tio.Lflag&syscall.ECHO != 0
}

// promptWatcher is ami's stderr in the prompt tests. When the prompt
// appears it notes whether the terminal echoes at that moment and calls
// onPrompt, before the write returns, as a user typing at once would.
type promptWatcher struct {
	t        *testing.T
	slave    *os.File
	onPrompt func()

	mu        sync.Mutex
	buf       bytes.Buffer
	prompted  bool
	echoingAt bool
}

func (w *promptWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	fire := !w.prompted && strings.Contains(w.buf.String(), "AMI secret for ")
	if fire {
		w.prompted = true
		w.echoingAt = echoing(w.t, w.slave)
	}
	w.mu.Unlock()
	if fire && w.onPrompt != nil {
		w.onPrompt()
	}
	return len(p), nil
}

func (w *promptWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// readAvailable reads what the master has to show (the terminal's echo)
// until it has been quiet for a moment or the slave is gone.
func readAvailable(t *testing.T, master *os.File) string {
	t.Helper()
	var out bytes.Buffer
	buf := make([]byte, 256)
	for i := 0; i < 100; i++ {
		if err := master.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		n, err := master.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return out.String()
}

// TestPromptEchoOffFirst: with stdin a terminal and no secret from any
// source, ami prompts on stderr; echo is already off when the prompt
// appears, so a secret typed at once is not shown, and the terminal echoes
// again afterwards.
func TestPromptEchoOffFirst(t *testing.T) {
	master, slave := openPty(t)
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	clearEnv(t)
	if !echoing(t, slave) {
		t.Fatal("a new terminal should echo")
	}
	w := &promptWatcher{t: t, slave: slave, onPrompt: func() {
		if _, err := master.Write([]byte(testSecret + "\n")); err != nil {
			t.Error(err)
		}
	}}
	ctx := testCtx(t)
	var out bytes.Buffer
	code := run(ctx, []string{"ami", "-H", host, "-p", port, "-u", "admin", "send", "Fixed"}, slave, &out, w)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, w.String())
	}
	if !w.prompted {
		t.Fatalf("no prompt: stderr %q", w.String())
	}
	if w.echoingAt {
		t.Error("echo was still on when the prompt appeared")
	}
	if !strings.HasPrefix(w.String(), "AMI secret for admin@"+host+":"+port+": ") {
		t.Errorf("stderr %q", w.String())
	}
	if !echoing(t, slave) {
		t.Error("echo is still off after the prompt")
	}
	if user, secret, _ := lastLogin(srv); user != "admin" || secret != testSecret {
		t.Errorf("login %q/%q", user, secret)
	}
	if shown := readAvailable(t, master); strings.Contains(shown, testSecret) {
		t.Errorf("the terminal showed the secret: %q", shown)
	}
	if strings.Contains(out.String(), testSecret) || strings.Contains(w.String(), testSecret) {
		t.Error("the secret is in the output")
	}
}

// TestPromptInterrupted: Ctrl-C (the context cancelled) at the prompt ends
// ami with exit 130 and the terminal echoing again; an empty line is
// refused with exit 2.
func TestPromptInterrupted(t *testing.T) {
	master, slave := openPty(t)
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	clearEnv(t)
	ctx := testCtx(t)
	runCtx, interrupt := context.WithCancel(ctx)
	w := &promptWatcher{t: t, slave: slave, onPrompt: interrupt}
	code := run(runCtx, []string{"ami", "-H", host, "-p", port, "-u", "admin", "send", "Fixed"}, slave, &bytes.Buffer{}, w)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr %q", code, exitInterrupted, w.String())
	}
	if !echoing(t, slave) {
		t.Error("echo is still off after the interrupted prompt")
	}
	if len(srv.Requests()) != 0 {
		t.Error("ami connected")
	}

	// The interrupted read above still waits for a line: give it one,
	// then answer the next prompt with an empty line.
	if _, err := master.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	w = &promptWatcher{t: t, slave: slave, onPrompt: func() {
		if _, err := master.Write([]byte("\n")); err != nil {
			t.Error(err)
		}
	}}
	var r result
	r.code = run(ctx, []string{"ami", "-H", host, "-p", port, "-u", "admin", "send", "Fixed"}, slave, &bytes.Buffer{}, w)
	r.stderr = w.String()
	r.want(t, exitUsage, "no secret entered")
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("deadline")
	}
}
