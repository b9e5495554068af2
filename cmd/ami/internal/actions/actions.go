// Package actions reads AMI actions the way people write them for
// `ami send`: AMI text ("Key: Value" lines, an empty line between actions,
// LF or CRLF), JSON objects (one per line by convention), or JSON arrays of
// them (what `jq -s` makes). A Reader hands out each action as soon as its
// last byte has arrived, so that input from a pipe can be sent while it is
// still being written. FromArgs reads one action from command-line
// arguments ("ami send Originate Channel=PJSIP/100").
//
// It checks the input's syntax and that every action has an Action key.
// Whether the values can go on the wire (no CR or LF, at most 128 headers,
// lines of at most 1024 bytes) is amiwire.ValidateSend's business.
package actions

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/jsonpacket"
)

// MaxActionBytes bounds the input of one action. Asterisk takes at most
// 128 lines of 1024 bytes, so anything near this size is refused later
// anyway; the bound keeps a stream without an end in sight from filling
// memory.
const MaxActionBytes = 1 << 20

// Action is one action read from the input.
type Action struct {
	Packet amiwire.Packet // its fields in input order; Raw is nil
	N      int            // its number in the input, from 1
	Line   int            // the line it starts on, from 1
}

// Form is the way the input is written, told by its first byte that is
// not white space: '{' or '[' is JSON, anything else AMI text.
type Form int

// The input forms.
const (
	FormUnknown Form = iota // nothing but white space read yet
	FormText                // "Key: Value" lines
	FormJSON                // objects, or arrays of objects
)

// Error is input that does not make an action: where it is and why.
type Error struct {
	Action int   // the number of the action it belongs to, from 1
	Line   int   // the line of the problem, from 1
	Err    error // what is wrong
}

// Error renders "action 2 (line 5): <what is wrong>".
func (e *Error) Error() string {
	return fmt.Sprintf("action %d (line %d): %v", e.Action, e.Line, e.Err)
}

// Unwrap returns what is wrong.
func (e *Error) Unwrap() error { return e.Err }

// ErrTooBig is the Err of an *Error for an action longer than
// MaxActionBytes.
var ErrTooBig = fmt.Errorf("more than %d KiB in one action", MaxActionBytes>>10)

// Reader reads actions from an input one at a time.
type Reader struct {
	br   *bufio.Reader
	form Form
	n    int   // actions handed out
	err  error // sticky: the end of input or the first error
	lf   int   // line ends consumed by the reader itself (before the JSON decoder)

	// AMI text
	long []byte // a line longer than br's buffer

	// JSON
	dec     *json.Decoder
	m       *meter
	inArray bool
}

// NewReader returns a Reader of the actions in r. It reads r only as far
// as it needs to complete the action asked for.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReader(r)}
}

// Form returns the form of the input, known once Next has read its first
// byte that is not white space.
func (r *Reader) Form() Form { return r.form }

// Next returns the next action, as soon as the input holds all of it: at
// the empty line (or the end of input) after AMI text, at the closing '}'
// of a JSON object. At the end of the input it returns io.EOF. Input that
// does not make an action gives an *Error; a failure to read, the error
// wrapped. Once Next has returned an error it returns it again.
func (r *Reader) Next() (Action, error) {
	if r.err != nil {
		return Action{}, r.err
	}
	var a Action
	var err error
	switch r.form {
	case FormUnknown:
		if err = r.start(); err == nil {
			return r.Next()
		}
	case FormText:
		a, err = r.nextText()
	case FormJSON:
		a, err = r.nextJSON()
	}
	if err != nil {
		r.err = err
		return Action{}, err
	}
	r.n++
	a.N = r.n
	return a, nil
}

// bom is the UTF-8 byte order mark some editors put first.
var bom = []byte("\xef\xbb\xbf")

// start skips a byte order mark and white space, and tells the form by
// the first byte after them.
func (r *Reader) start() error {
	if b, _ := r.br.Peek(1); len(b) == 1 && b[0] == bom[0] {
		if b, _ := r.br.Peek(len(bom)); bytes.Equal(b, bom) {
			_, _ = r.br.Discard(len(bom))
		}
	}
	for {
		c, err := r.br.ReadByte()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		switch c {
		case '\n':
			r.lf++
		case ' ', '\t', '\r':
		default:
			_ = r.br.UnreadByte()
			if c == '{' || c == '[' {
				r.form = FormJSON
				r.m = &meter{r: r.br}
				r.dec = json.NewDecoder(r.m)
				r.dec.UseNumber()
			} else {
				r.form = FormText
			}
			return nil
		}
	}
}

// nextText reads one action of AMI text: "Key: Value" lines up to an empty
// (or blank) line or the end of input. Only a line's final CR belongs to
// its end: a CR inside a line stays in the value (where
// amiwire.ValidateSend refuses it).
func (r *Reader) nextText() (Action, error) {
	var a Action
	size := 0
	for {
		l, err := r.readLine(MaxActionBytes - size)
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrTooBig) {
			return a, &Error{Action: r.n + 1, Line: r.lf + 1, Err: ErrTooBig}
		}
		if err != nil {
			return a, err
		}
		size += len(l) + 1
		if len(bytes.Trim(l, " \t")) == 0 {
			if len(a.Packet.Fields) > 0 {
				break
			}
			continue
		}
		i := bytes.IndexByte(l, ':')
		if i < 0 {
			return a, &Error{Action: r.n + 1, Line: r.lf, Err: fmt.Errorf("%q is not 'Key: Value'", truncate(string(l), 60))}
		}
		key := strings.TrimSpace(string(l[:i]))
		if key == "" {
			return a, &Error{Action: r.n + 1, Line: r.lf, Err: errors.New("empty key")}
		}
		if len(a.Packet.Fields) == 0 {
			a.Line = r.lf
		}
		a.Packet.Fields = append(a.Packet.Fields, amiwire.Field{Key: key, Value: string(bytes.TrimLeft(l[i+1:], " \t"))})
	}
	if len(a.Packet.Fields) == 0 {
		return a, io.EOF
	}
	if !a.Packet.Has("Action") {
		return a, &Error{Action: r.n + 1, Line: a.Line, Err: errors.New("packet without an Action header")}
	}
	return a, nil
}

// readLine returns the next line without its line end (LF or CRLF),
// counting it in r.lf; io.EOF once nothing is left. A last line without a
// line end is a line. The slice is valid until the next read. A line of
// more than limit bytes gives ErrTooBig.
func (r *Reader) readLine(limit int) ([]byte, error) {
	l, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], l...)
		for err == bufio.ErrBufferFull && len(r.long) <= limit {
			l, err = r.br.ReadSlice('\n')
			r.long = append(r.long, l...)
		}
		l = r.long
	}
	if len(l) > limit {
		return nil, ErrTooBig
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(l) == 0 {
		return nil, io.EOF
	}
	r.lf++
	if l[len(l)-1] == '\n' {
		l = l[:len(l)-1]
	}
	return bytes.TrimSuffix(l, []byte("\r")), nil
}

// nextJSON reads one JSON object. Objects come one after the other (white
// space between them), or in arrays ([{...},{...}]), or both.
func (r *Reader) nextJSON() (Action, error) {
	dec := r.dec
	// The input one action may take counts from where this one starts.
	r.m.limit = dec.InputOffset() + MaxActionBytes
	for {
		if r.inArray && !dec.More() {
			if _, err := dec.Token(); err != nil { // ']'
				return Action{}, r.jsonError(unexpectedEOF(err))
			}
			r.inArray = false
			continue
		}
		tok, err := dec.Token()
		if err == io.EOF && !r.inArray {
			return Action{}, io.EOF
		}
		if err != nil {
			return Action{}, r.jsonError(unexpectedEOF(err))
		}
		switch tok {
		case json.Delim('{'):
			return r.object()
		case json.Delim('['):
			if !r.inArray {
				r.inArray = true
				continue
			}
		}
		return Action{}, r.badToken(fmt.Errorf("want an object {\"Action\": ...}, found %s", tokenText(tok)))
	}
}

// object reads the rest of an object whose '{' has been read. Keys keep
// their order; a value is a string, a number or boolean (sent as its JSON
// text), null (an empty value), or an array of those (the key repeated, in
// order: {"Variable":["a=1","b=2"]}).
func (r *Reader) object() (Action, error) {
	dec := r.dec
	r.m.limit = dec.InputOffset() - 1 + MaxActionBytes
	a := Action{Line: r.jsonLine(false)}
	if err := jsonpacket.Members(dec, &a.Packet, ""); err != nil {
		var se *jsonpacket.ShapeError
		if errors.As(err, &se) {
			return a, r.badToken(err)
		}
		return a, r.jsonError(err)
	}
	if !a.Packet.Has("Action") {
		return a, &Error{Action: r.n + 1, Line: a.Line, Err: errors.New(`no "Action" key`)}
	}
	return a, nil
}

// badToken places err, about the token read last, at that token's line.
func (r *Reader) badToken(err error) error {
	return &Error{Action: r.n + 1, Line: r.jsonLine(false), Err: err}
}

// jsonError places err of the decoder at the line of the next token, where
// the decoder stopped. A failure to read is passed on as it is.
func (r *Reader) jsonError(err error) error {
	if errors.Is(err, ErrTooBig) {
		return &Error{Action: r.n + 1, Line: r.jsonLine(true), Err: ErrTooBig}
	}
	var rerr *readError
	if errors.As(err, &rerr) {
		return fmt.Errorf("read: %w", rerr.err)
	}
	return &Error{Action: r.n + 1, Line: r.jsonLine(true), Err: err}
}

// jsonLine returns the line the JSON decoder has got to: the line of the
// end of the token it returned last or, with next, of the start of the
// token after it.
func (r *Reader) jsonLine(next bool) int {
	buffered, _ := io.ReadAll(r.dec.Buffered())
	unread := bytes.Count(buffered, []byte("\n"))
	if next {
		rest := bytes.TrimLeft(buffered, " \t\r\n")
		unread -= bytes.Count(buffered[:len(buffered)-len(rest)], []byte("\n"))
	}
	return 1 + r.lf + r.m.newlines - unread
}

// unexpectedEOF turns the decoder's io.EOF in the middle of a value into
// io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// meter is what the JSON decoder reads through: it counts the line ends
// handed out, for line numbers, and stops at limit, so that one action
// cannot take more than MaxActionBytes of memory.
type meter struct {
	r        io.Reader
	read     int64 // bytes handed out
	newlines int
	limit    int64
}

// readError marks a failure of the input itself, not of its syntax.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func (m *meter) Read(p []byte) (int, error) {
	if m.read >= m.limit {
		return 0, ErrTooBig
	}
	if rest := m.limit - m.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := m.r.Read(p)
	m.read += int64(n)
	m.newlines += bytes.Count(p[:n], []byte("\n"))
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

func tokenText(tok json.Token) string {
	if d, ok := tok.(json.Delim); ok {
		return string(d)
	}
	if s, ok := jsonpacket.Scalar(tok); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(tok)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Parse returns every action in b, or the first error.
func Parse(b []byte) ([]Action, error) {
	r := NewReader(bytes.NewReader(b))
	var out []Action
	for {
		a, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
}
