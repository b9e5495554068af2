package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// checkAction validates an action before anything is sent: the framing
// rules of amiwire.ValidateSend (no CR, LF or NUL in a value, at most 128
// headers counting the ActionID the client adds, no line over 1024 bytes,
// sane keys) and a non-empty action name. where says where the action
// came from ("stdin action 2, line 7").
func checkAction(p amiwire.Packet, where string) error {
	return checkActionThen(p, where, "nothing was sent")
}

// checkActionThen is checkAction for an action that is not the first to
// go: outcome says what has been sent when it is refused.
func checkActionThen(p amiwire.Packet, where, outcome string) error {
	err := amiwire.ValidateSend(p)
	if err == nil && strings.TrimSpace(p.Get("Action")) == "" {
		err = &amiwire.FieldError{Key: "Action", Index: 0, Reason: "empty action name"}
	}
	if err == nil {
		return nil
	}
	var fe *amiwire.FieldError
	if !errors.As(err, &fe) {
		return fmt.Errorf("%s: %w", where, err)
	}
	msg := fmt.Sprintf("%s: %s; %s", where, fe.Reason, outcome)
	if fe.Index >= 0 {
		msg = fmt.Sprintf("%s: header %q refused: %s; %s", where, fe.Key, fe.Reason, outcome)
	}
	return &msgError{msg: msg, err: err}
}

// msgError is an error with its own message around a wrapped error that
// still decides the exit code (a *FieldError in checkAction: exit 2).
type msgError struct {
	msg string
	err error
}

func (e *msgError) Error() string { return e.msg }
func (e *msgError) Unwrap() error { return e.err }
