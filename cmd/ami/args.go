package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// parseKV reads one action header given as an argument: "Key=Value" or
// "Key: Value", whichever separator comes first, so "Variable=a=1" is the
// key Variable with the value "a=1" and "Data: x=y" is Data with "x=y".
// After '=' the value is taken verbatim; after ':' leading blanks are
// dropped, as Asterisk does. Surrounding space around the key is dropped.
func parseKV(arg string) (amiwire.Field, error) {
	i := strings.IndexAny(arg, "=:")
	if i < 0 {
		return amiwire.Field{}, fmt.Errorf("%q is not Key=Value or 'Key: Value'", arg)
	}
	key := strings.TrimSpace(arg[:i])
	val := arg[i+1:]
	if arg[i] == ':' {
		val = strings.TrimLeft(val, " \t")
	}
	if key == "" {
		return amiwire.Field{}, fmt.Errorf("%q has an empty key", arg)
	}
	return amiwire.Field{Key: key, Value: val}, nil
}

// errNoAction means the arguments name no action.
var errNoAction = errors.New("no action: give ACTION or Action=NAME")

// parseActionArgs builds an action from command-line arguments: ACTION
// followed by headers ("ami send Originate Channel=PJSIP/100 ..."), or
// headers only, one of them Action ("ami send Action=Ping"). Repeated keys
// stay, in order. The Action header is put first. The result is not yet
// validated (see checkAction).
func parseActionArgs(args []string) (amiwire.Packet, error) {
	if len(args) == 0 {
		return amiwire.Packet{}, errNoAction
	}
	p := amiwire.Packet{Fields: make([]amiwire.Field, 0, len(args))}
	name, rest := "", args
	if !strings.ContainsAny(args[0], "=:") {
		name, rest = args[0], args[1:]
		if strings.TrimSpace(name) == "" {
			return amiwire.Packet{}, errNoAction
		}
	}
	p.Fields = append(p.Fields, amiwire.Field{Key: "Action", Value: name})
	found := name != ""
	for i, a := range rest {
		f, err := parseKV(a)
		if err != nil {
			return amiwire.Packet{}, fmt.Errorf("argument %d: %w", i+1+len(args)-len(rest), err)
		}
		if strings.EqualFold(f.Key, "Action") {
			if found {
				return amiwire.Packet{}, fmt.Errorf("argument %d: a second action %q (send several actions through stdin)", i+1+len(args)-len(rest), f.Value)
			}
			found = true
			p.Fields[0] = f
			continue
		}
		p.Fields = append(p.Fields, f)
	}
	if !found {
		return amiwire.Packet{}, errNoAction
	}
	return p, nil
}

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
	if err == nil && strings.TrimSpace(p.Action()) == "" {
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
