// Package jsonpacket reads an AMI packet written as a JSON object, the shape
// `ami -o json` writes and `ami send` accepts on stdin: members in order, a
// string as one field, an array as the key repeated, numbers and booleans
// as their JSON text, null as an empty value.
package jsonpacket

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ami-cli/ami/amiwire"
)

// ShapeError says that a member of the object is something a packet
// cannot hold: a nested object, or an array holding arrays or objects.
type ShapeError struct {
	Key     string // the member's key
	InArray bool   // the object or array was an element of an array
}

func (e *ShapeError) Error() string {
	if e.InArray {
		return fmt.Sprintf("key %q: an array may hold only strings, numbers, booleans and null", e.Key)
	}
	return fmt.Sprintf("key %q: a nested object is not an AMI value", e.Key)
}

// Members reads the members of a JSON object whose '{' dec has just
// returned, up to and including its '}', and appends them to p as fields
// in order. The elements of the array under linesKey (when it is not "")
// become fields without a key: the lines of a Command's output, which
// `ami -o json` gathers under "@lines". dec must have UseNumber set, so
// that a number keeps its text. A member a packet cannot hold is a
// *ShapeError, returned at once, right after the token that shows it; a
// decoder error is returned as it is, with io.EOF (the input ended inside
// the object) turned into io.ErrUnexpectedEOF.
func Members(dec *json.Decoder, p *amiwire.Packet, linesKey string) error {
	for dec.More() {
		tok, err := token(dec)
		if err != nil {
			return err
		}
		key, _ := tok.(string) // an object's keys are strings
		if tok, err = token(dec); err != nil {
			return err
		}
		d, isDelim := tok.(json.Delim)
		if !isDelim {
			v, _ := Scalar(tok)
			p.Fields = append(p.Fields, amiwire.Field{Key: key, Value: v})
			continue
		}
		if d != '[' {
			return &ShapeError{Key: key}
		}
		fieldKey := key
		if key == linesKey && linesKey != "" {
			fieldKey = ""
		}
		for dec.More() {
			tok, err := token(dec)
			if err != nil {
				return err
			}
			v, ok := Scalar(tok)
			if !ok {
				return &ShapeError{Key: key, InArray: true}
			}
			p.Fields = append(p.Fields, amiwire.Field{Key: fieldKey, Value: v})
		}
		if _, err := token(dec); err != nil { // ']'
			return err
		}
	}
	_, err := token(dec) // '}'
	return err
}

// Scalar returns the AMI text of a JSON scalar token, and false for a
// delimiter.
func Scalar(tok json.Token) (string, bool) {
	switch v := tok.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case nil:
		return "", true
	}
	return "", false
}

// token is dec.Token inside an object, where the end of the input is
// always unexpected.
func token(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}
