package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// isTerminal reports whether f is a terminal (a Cygwin/MSYS pty counts).
func isTerminal(f *os.File) bool {
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// promptSecret asks for the secret on the terminal f. Echo is turned off
// before the prompt appears, so that nothing typed after it is shown. The
// prompt goes to stderr so stdout stays data only. Cancelling ctx (Ctrl-C)
// ends the wait, with the terminal put back as it was.
func promptSecret(ctx context.Context, f *os.File, stderr io.Writer, display string) (string, error) {
	// A signal must not end ami the default way with echo off.
	handleSignals(ctx)
	fd := int(f.Fd())
	restore, err := echoOff(fd)
	if err != nil {
		return "", usageError("reading the secret: %v", err)
	}
	defer restore()
	fmt.Fprintf(stderr, "AMI secret for %s: ", display)
	type line struct {
		b   []byte
		err error
	}
	got := make(chan line, 1)
	go func() {
		b, err := readSecretLine(f)
		got <- line{b, err}
	}()
	var l line
	select {
	case l = <-got:
	case <-ctx.Done():
		fmt.Fprintln(stderr)
		return "", fmt.Errorf("reading the secret: %w", ctx.Err())
	}
	fmt.Fprintln(stderr)
	if l.err != nil {
		return "", usageError("reading the secret: %v", l.err)
	}
	if len(l.b) == 0 {
		return "", usageError("no secret entered")
	}
	return string(l.b), nil
}
