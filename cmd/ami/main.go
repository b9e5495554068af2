// Command ami speaks the Asterisk Manager Interface for shell users: it sends
// actions from arguments or stdin, prints responses, list items and live
// events as text, JSON lines, raw AMI or tables, and exits with codes a
// shell `if` can trust.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A write to a closed pipe returns EPIPE instead of killing the
	// process, so `ami ... | head` can stop quietly and log off.
	signal.Ignore(syscall.SIGPIPE)
	cacheHelpFlagNames()
	os.Exit(run(interruptible(context.Background()), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// signalsKey is the context key of the channel that interruptible closes
// once its signal handler is in place.
type signalsKey struct{}

// interruptible returns a context that SIGINT and SIGTERM cancel, which
// each command treats as "stop cleanly". The handler is installed on a
// goroutine of its own, while the command line is parsed: signal.Notify
// waits for the runtime to start a thread for the signal mask, 0.3 ms of
// a 6 ms `ami send Ping` here. connSettings.dial waits for it to be in
// place (signalsInstalled), so every Ctrl-C from the first connection on
// is handled; one in the first moments ends the process the default way,
// which the shell reports as 130 all the same. The notification is never
// stopped: the process exits as soon as run returns, and signal.Stop would
// first wait for the signal goroutine.
func interruptible(parent context.Context) context.Context {
	ready := make(chan struct{})
	ctx, cancel := context.WithCancel(context.WithValue(parent, signalsKey{}, (<-chan struct{})(ready)))
	go func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		close(ready)
		<-sigs
		cancel()
	}()
	return ctx
}

// signalsInstalled waits, bounded by ctx, until the signal handler of
// interruptible is in place, when ctx comes from it.
func signalsInstalled(ctx context.Context) {
	if ready, ok := ctx.Value(signalsKey{}).(<-chan struct{}); ok {
		select {
		case <-ready:
		case <-ctx.Done():
		}
	}
}
