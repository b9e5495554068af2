//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import (
	"os"

	"golang.org/x/term"
)

// echoOff leaves the terminal as it is here: readSecretLine's
// term.ReadPassword turns echo off itself, once the prompt is out.
func echoOff(int) (restore func(), err error) { return func() {}, nil }

// readSecretLine reads one line from the terminal f with echo off.
func readSecretLine(f *os.File) ([]byte, error) { return term.ReadPassword(int(f.Fd())) }
