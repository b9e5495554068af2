package amiwire

import (
	"fmt"
	"io"
	"strings"
)

// Limits Asterisk applies to what a client sends. A longer line is dropped by
// the server with only a log message, and an action with more headers is
// answered "Too many lines in message" (Asterisk 22.10.1), so the Writer
// refuses both instead.
const (
	MaxActionLine    = 1024 // bytes per line, "Key: Value\r\n" included
	MaxActionHeaders = 128  // AST_MAX_MANHEADERS
)

// validateAction checks that p can be sent as it is, by the rules
// ValidateSend gives, without an added ActionID: it is the Writer's check.
func validateAction(p Packet) error {
	if len(p.Fields) == 0 {
		return &FieldError{Index: -1, Reason: "no headers"}
	}
	if len(p.Fields) > MaxActionHeaders {
		return &FieldError{Index: -1, Reason: fmt.Sprintf("%d headers, Asterisk accepts at most %d", len(p.Fields), MaxActionHeaders)}
	}
	if f := p.Fields[0]; isFollows(f.Key, f.Value) {
		return &FieldError{Key: f.Key, Index: 0, Reason: "an action cannot start with \"Response: Follows\""}
	}
	for i, f := range p.Fields {
		if err := validateField(f); err != "" {
			return &FieldError{Key: f.Key, Index: i, Reason: err}
		}
		if n := len(f.Key) + 2 + len(f.Value) + 2; n > MaxActionLine {
			return &FieldError{Key: f.Key, Index: i, Reason: fmt.Sprintf("line is %d bytes, Asterisk accepts at most %d", n, MaxActionLine)}
		}
	}
	return nil
}

// ValidateSend checks that Client.Send and DialSend can send p: it has at
// least one field, every key is a non-empty token without ':', spaces or
// control characters, no value holds CR, LF or NUL, no line is longer than
// MaxActionLine, and there are at most MaxActionHeaders fields, counting
// the ActionID header they add (as the second header) when p has none. A
// packet whose first field is "Response: Follows" is refused too: a Reader
// would take it for a legacy Command reply. Whatever passes reads back
// with the same fields. An action that fails is refused by them with the
// same *FieldError, naming the first offending field, before anything is
// written; Writer.WriteAction applies the same rules to p as it is.
func ValidateSend(p Packet) error {
	if n := len(p.Fields) + 1; n > MaxActionHeaders && len(p.Fields) > 0 && p.Get("ActionID") == "" {
		return &FieldError{Index: -1, Reason: fmt.Sprintf("%d headers with the ActionID that is added, Asterisk accepts at most %d", n, MaxActionHeaders)}
	}
	return validateAction(p)
}

func validateField(f Field) string {
	if f.Key == "" {
		return "empty key"
	}
	if strings.TrimSpace(f.Key) != f.Key {
		return "key has leading or trailing space"
	}
	for i := 0; i < len(f.Key); i++ {
		switch c := f.Key[i]; {
		case c == ':':
			return "key contains ':'"
		case c == ' ':
			return "key contains a space"
		case c < 0x20 || c == 0x7f:
			return fmt.Sprintf("key contains control character %q", c)
		}
	}
	if i := strings.IndexAny(f.Value, "\r\n\x00"); i >= 0 {
		return fmt.Sprintf("value contains %q at byte %d (header injection?)", f.Value[i], i)
	}
	return ""
}

// Writer writes actions in AMI wire form: "Key: Value" lines ended by CRLF,
// one space after the colon, and an empty line after the packet.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer writing to w. Each packet is written with one
// Write call, so a Writer over a net.Conn needs no extra buffering.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// appendAction appends the wire form of p to dst after checking it with
// validateAction; on error dst is returned unchanged.
func appendAction(dst []byte, p Packet) ([]byte, error) {
	if err := validateAction(p); err != nil {
		return dst, err
	}
	for _, f := range p.Fields {
		dst = append(dst, f.Key...)
		dst = append(dst, ':', ' ')
		dst = append(dst, f.Value...)
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n'), nil
}

// WriteAction validates p and writes it. Nothing is written when p is
// invalid; the error is then a *FieldError.
func (w *Writer) WriteAction(p Packet) error {
	b, err := appendAction(w.buf[:0], p)
	if err != nil {
		return err
	}
	w.buf = b
	_, err = w.w.Write(b)
	return err
}
