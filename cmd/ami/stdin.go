package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ami-cli/ami/cmd/ami/internal/actions"
)

// maxStdinBytes bounds stdin that is read whole: its actions are all
// parsed and checked before the first is sent, so they sit in memory.
const maxStdinBytes = 16 << 20

// readActions reads every action from r without sending anything.
func readActions(r io.Reader) ([]actions.Action, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxStdinBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(b) > maxStdinBytes {
		return nil, fmt.Errorf("stdin: more than %d MiB of actions (from a pipe they are sent as they are read: cat FILE | ami send)", maxStdinBytes>>20)
	}
	acts, err := actions.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w; nothing was sent", stdinError(err))
	}
	return acts, nil
}

// stdinError puts "stdin" in front of a parse error ("stdin action 2
// (line 5): ...") and says "reading stdin" for a read failure.
func stdinError(err error) error {
	var ae *actions.Error
	if errors.As(err, &ae) {
		return fmt.Errorf("stdin %w", err)
	}
	return fmt.Errorf("reading stdin: %w", err)
}

// stdinWhere names an action of stdin in messages.
func stdinWhere(a actions.Action) string {
	return fmt.Sprintf("send: stdin action %d (line %d)", a.N, a.Line)
}

// stdinComplete reports whether all of r is there already, so that the
// actions can all be checked before the first is sent without waiting for
// anyone: an in-memory reader (which knows its length), a regular file
// (`< actions.txt`), or a pipe or socket whose writing end has been closed
// by the time ami looks (a here-doc, a `printf ... |` that has finished).
// Anything else (a pipe still being written, a coprocess) is read as a
// stream: each action is sent as soon as it is complete. The test asks the
// kernel about now, not about the future, so it never waits.
func stdinComplete(r io.Reader) bool {
	switch v := r.(type) {
	case interface{ Len() int }:
		return true
	case *os.File:
		st, err := v.Stat()
		if err != nil || st.Mode().IsRegular() {
			return true // reading it will say what is wrong
		}
		return writerGone(v)
	}
	return false
}

// errNoStdinActions means stdin held no action at all.
var errNoStdinActions = errors.New("no actions on stdin")
