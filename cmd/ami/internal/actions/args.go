package actions

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// ParseHeader reads one action header given as a command-line argument:
// "Key=Value" or "Key: Value", whichever separator comes first, so
// "Variable=a=1" is the key Variable with the value "a=1" and "Data: x=y"
// is Data with "x=y". After '=' the value is taken verbatim; after ':'
// leading blanks are dropped, as Asterisk does. Space around the key is
// dropped; the key must not be empty.
func ParseHeader(arg string) (amiwire.Field, error) {
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

// ErrNoAction means that command-line arguments name no action.
var ErrNoAction = errors.New("no action: give ACTION or Action=NAME")

// FromArgs builds an action from command-line arguments: ACTION followed
// by headers ("ami send Originate Channel=PJSIP/100 ..."), or headers
// only, one of them Action ("ami send Action=Ping"). Repeated keys stay,
// in order; the Action header is put first. An error names the argument
// (from 1) it is about. Like the Reader, FromArgs leaves the question of
// whether the values can go on the wire to amiwire.ValidateSend.
func FromArgs(args []string) (amiwire.Packet, error) {
	if len(args) == 0 {
		return amiwire.Packet{}, ErrNoAction
	}
	p := amiwire.Packet{Fields: make([]amiwire.Field, 0, len(args))}
	name, rest := "", args
	if !strings.ContainsAny(args[0], "=:") {
		name, rest = args[0], args[1:]
		if strings.TrimSpace(name) == "" {
			return amiwire.Packet{}, ErrNoAction
		}
	}
	p.Fields = append(p.Fields, amiwire.Field{Key: "Action", Value: name})
	found := name != ""
	for i, a := range rest {
		f, err := ParseHeader(a)
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
		return amiwire.Packet{}, ErrNoAction
	}
	return p, nil
}
