package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"
)

// isTerminal reports whether f is a terminal (a Cygwin/MSYS pty counts).
func isTerminal(f *os.File) bool {
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// promptSecret asks for the secret on the terminal f with echo off. The
// prompt goes to stderr so stdout stays data only.
func promptSecret(f *os.File, stderr io.Writer, display string) (string, error) {
	fmt.Fprintf(stderr, "AMI secret for %s: ", display)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", usageError("reading the secret: %v", err)
	}
	return string(b), nil
}
