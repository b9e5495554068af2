// Command ami speaks the Asterisk Manager Interface for shell users: it sends
// actions from arguments or stdin, prints responses, list items and live
// events as text, JSON lines, raw AMI or tables, and exits with codes a
// shell `if` can trust.
package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	presizeStack()
	// A write to a closed pipe returns EPIPE instead of killing the
	// process, so `ami ... | head` can stop quietly and log off.
	signal.Ignore(syscall.SIGPIPE)
	cacheHelpFlagNames()
	os.Exit(run(interruptible(context.Background()), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// presizeStack grows the main goroutine's stack from its first 8 KiB to
// 32 KiB at once, while it holds a single frame. Left to itself the stack
// grows twice deep inside urfave/cli and the dial, and each growth copies
// the stack and walks every frame on it through the function tables
// (faulting their pages in): 3% of an `ami send Ping` in a perf profile.
// 500 interleaved runs against ami mock: median 4445 -> 4127 us (rawping
// 2898 us); growing it to 16 or 64 KiB instead saved less.
//
//go:noinline
func presizeStack() byte {
	var frame [24 << 10]byte // with main's frame and the guard: more than 16 KiB, less than 32
	return lastByte(frame[:])
}

// lastByte keeps presizeStack's frame alive without letting it escape to
// the heap.
//
//go:noinline
func lastByte(b []byte) byte { return b[len(b)-1] }

// signalsKey is the context key of the *interrupts of interruptible.
type signalsKey struct{}

// signalDelay is how long a command runs before interruptible installs its
// handler, unless the command asks for it at once (handleSignals).
const signalDelay = 50 * time.Millisecond

// interrupts is the SIGINT/SIGTERM handler of interruptible, installed
// once.
type interrupts struct {
	once   sync.Once
	cancel context.CancelFunc
	ready  chan struct{} // closed once the handler is in place
}

// install puts the handler in place; it returns once it is, whoever
// installs it.
func (in *interrupts) install() {
	in.once.Do(func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		close(in.ready)
		go func() {
			<-sigs
			in.cancel()
		}()
	})
}

// interruptible returns a context that SIGINT and SIGTERM cancel, which
// each command treats as "stop cleanly" (log off, whole packets printed,
// exit 130; listen's normal end). The handler costs the runtime three
// threads (signal.Notify locks one to the signal mask) and about 0.4 ms,
// a tenth of an `ami send Ping` that is over long before anyone could
// press Ctrl-C. So it is installed only once the command has run for
// signalDelay, or at once for the commands that stream output or run
// until stopped (handleSignals). Before it is in place a signal ends the
// process the default way: nothing has been printed yet, the kernel
// closes the connection, and the shell reports 130 for SIGINT all the
// same. The notification is never stopped: the process exits as soon as
// run returns, and signal.Stop would first wait for the signal goroutine.
func interruptible(parent context.Context) context.Context {
	return interruptibleAfter(parent, signalDelay)
}

// interruptibleAfter is interruptible with the handler installed after
// delay.
func interruptibleAfter(parent context.Context, delay time.Duration) context.Context {
	in := &interrupts{ready: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.WithValue(parent, signalsKey{}, in))
	in.cancel = cancel
	time.AfterFunc(delay, in.install)
	return ctx
}

// handleSignals installs the handler of interruptible at once, when ctx
// comes from it, and returns once it is in place.
func handleSignals(ctx context.Context) {
	if in, ok := ctx.Value(signalsKey{}).(*interrupts); ok {
		in.install()
	}
}
