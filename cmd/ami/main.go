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
	presizeStack()
	// A write to a closed pipe returns EPIPE instead of killing the
	// process, so `ami ... | head` can stop quietly and log off.
	signal.Ignore(syscall.SIGPIPE)
	cacheHelpFlagNames()
	os.Exit(run(interruptible(context.Background()), os.Args, os.Stdin, os.Stdout, os.Stderr))
}
