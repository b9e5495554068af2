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
	// SIGINT and SIGTERM cancel the run, which each command treats as
	// "stop cleanly". The notification is never stopped: the process exits
	// as soon as run returns, and signal.Stop would first wait for the
	// signal goroutine (0.1-0.2 ms of a 9 ms `ami send Ping`).
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	os.Exit(run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr))
}
