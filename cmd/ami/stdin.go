package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// maxStdinBytes bounds the actions read from stdin: they are all parsed and
// checked before the first is sent, so they sit in memory.
const maxStdinBytes = 16 << 20

// stdinAction is one action read from stdin and where it started, for
// error messages.
type stdinAction struct {
	Packet amiwire.Packet
	Line   int // line of its first header, from 1
}

// readActions reads every action from r (AMI text or JSON lines, detected
// by the first non-blank byte) without sending anything.
func readActions(r io.Reader) ([]stdinAction, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxStdinBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(b) > maxStdinBytes {
		return nil, fmt.Errorf("stdin: more than %d MiB of actions", maxStdinBytes>>20)
	}
	return parseActions(b)
}

// parseActions parses actions in either input form: JSON lines when the
// first non-blank byte is '{', AMI text otherwise. It does not validate the
// values (see checkAction) but requires an Action header in each.
func parseActions(b []byte) ([]stdinAction, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 BOM from some editors
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return parseJSONActions(b)
	}
	return parseTextActions(b)
}

// parseTextActions reads AMI text: "Key: Value" lines (LF or CRLF), a packet
// ending at an empty (or blank) line. Only the line's final CR is a line
// end: a CR inside a line stays in the value, where checkAction refuses it.
func parseTextActions(b []byte) ([]stdinAction, error) {
	var out []stdinAction
	var cur stdinAction
	flush := func() error {
		if len(cur.Packet.Fields) == 0 {
			return nil
		}
		if !cur.Packet.Has("Action") {
			return fmt.Errorf("stdin line %d: packet without an Action header", cur.Line)
		}
		out = append(out, cur)
		cur = stdinAction{}
		return nil
	}
	line := 0
	for len(b) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			l, b = b[:i], b[i+1:]
		} else {
			l, b = b, nil
		}
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(bytes.Trim(l, " \t")) == 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		i := bytes.IndexByte(l, ':')
		if i < 0 {
			return nil, fmt.Errorf("stdin line %d: %q is not 'Key: Value'", line, truncateStr(string(l), 60))
		}
		key := strings.TrimSpace(string(l[:i]))
		if key == "" {
			return nil, fmt.Errorf("stdin line %d: empty key", line)
		}
		if len(cur.Packet.Fields) == 0 {
			cur.Line = line
		}
		cur.Packet.Fields = append(cur.Packet.Fields, amiwire.Field{Key: key, Value: string(bytes.TrimLeft(l[i+1:], " \t"))})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// parseJSONActions reads JSON objects, one per line by convention (any
// white space between them works). Keys keep their order; a value is a
// string, a number or boolean (sent as its JSON text), null (an empty
// value), or an array of those (the key repeated, in order:
// {"Variable":["a=1","b=2"]}).
func parseJSONActions(b []byte) ([]stdinAction, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []stdinAction
	for n := 1; ; n++ {
		start := lineAt(b, dec.InputOffset())
		bad := func(err error) error {
			return fmt.Errorf("stdin JSON object %d (line %d): %w", n, lineAt(b, dec.InputOffset()), err)
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, bad(err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return nil, bad(fmt.Errorf("want an object {\"Action\": ...}, found %v", tokenText(tok)))
		}
		var p amiwire.Packet
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, bad(err)
			}
			key, _ := tok.(string) // object keys are always strings
			tok, err = dec.Token()
			if err != nil {
				return nil, bad(err)
			}
			if d, ok := tok.(json.Delim); ok {
				if d != '[' {
					return nil, bad(fmt.Errorf("key %q: a nested object is not an AMI value", key))
				}
				for dec.More() {
					tok, err := dec.Token()
					if err != nil {
						return nil, bad(err)
					}
					v, ok := scalarText(tok)
					if !ok {
						return nil, bad(fmt.Errorf("key %q: an array may hold only strings, numbers and booleans", key))
					}
					p.Fields = append(p.Fields, amiwire.Field{Key: key, Value: v})
				}
				if _, err := dec.Token(); err != nil { // ']'
					return nil, bad(err)
				}
				continue
			}
			v, _ := scalarText(tok)
			p.Fields = append(p.Fields, amiwire.Field{Key: key, Value: v})
		}
		if _, err := dec.Token(); err != nil { // '}'
			return nil, bad(err)
		}
		if !p.Has("Action") {
			return nil, fmt.Errorf("stdin JSON object %d (line %d): no \"Action\" key", n, start)
		}
		out = append(out, stdinAction{Packet: p, Line: start})
	}
}

// scalarText returns the AMI text of a JSON scalar token.
func scalarText(tok json.Token) (string, bool) {
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

func tokenText(tok json.Token) string {
	if d, ok := tok.(json.Delim); ok {
		return string(d)
	}
	if s, ok := scalarText(tok); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(tok)
}

// lineAt returns the line number (from 1) of byte offset off in b, after
// skipping the white space that follows it.
func lineAt(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	for off < int64(len(b)) && (b[off] == ' ' || b[off] == '\t' || b[off] == '\r' || b[off] == '\n') {
		off++
	}
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	return 1 + bytes.Count(b[:off], []byte("\n"))
}

func truncateStr(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// errNoStdinActions means stdin held no action at all.
var errNoStdinActions = errors.New("no actions on stdin")
