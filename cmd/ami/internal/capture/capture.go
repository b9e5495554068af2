// Package capture reads back what `ami listen` wrote to a file: raw AMI
// (-o raw, or -o text, which is AMI text with LF line ends) or JSON lines
// (-o json), with or without --timestamps. The format is told from the
// first byte that is not white space: '{' is JSON, anything else AMI text.
package capture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/cmd/ami/internal/jsonpacket"
)

// Format names, as Reader.Format returns them.
const (
	FormatAMI  = "ami"  // raw AMI or text: Key: Value lines, an empty line after each packet
	FormatJSON = "json" // one JSON object per line
)

// ReceivedAtKey is the header `ami listen --timestamps` puts first in each
// packet: when it was received, RFC 3339 with fractional seconds.
const ReceivedAtKey = "ReceivedAt"

// MaxLine bounds one JSON line, so that a file that is not a capture
// cannot make the reader hold all of it.
const MaxLine = 16 << 20

// linesKey is the JSON key under which the json format gathers lines
// without a colon (format.LinesKey).
const linesKey = "@lines"

// Error is a capture that could not be read: where, and why.
type Error struct {
	Line int // 1-based line of a JSON capture; 0 for an AMI one
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Reader reads the packets of a capture in order.
type Reader struct {
	br     *bufio.Reader
	format string
	ami    *amiwire.Reader
	line   int
}

// NewReader returns a Reader of the capture in r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Format returns FormatAMI or FormatJSON once the first packet has been
// read (or tried), "" before.
func (r *Reader) Format() string { return r.format }

// Next returns the next packet and the time in its ReceivedAt header (zero
// when it has none, or it does not parse), io.EOF after the last one, or
// an *Error. A packet is the caller's to keep.
func (r *Reader) Next() (amiwire.Packet, time.Time, error) {
	if r.format == "" {
		if err := r.detect(); err != nil {
			return amiwire.Packet{}, time.Time{}, err
		}
	}
	var p amiwire.Packet
	var err error
	if r.format == FormatJSON {
		p, err = r.nextJSON()
	} else {
		p, err = r.ami.ReadPacket()
		if err != nil && !errors.Is(err, io.EOF) {
			err = &Error{Err: err}
		}
	}
	if err != nil {
		return amiwire.Packet{}, time.Time{}, err
	}
	return p, ReceivedAt(p), nil
}

// ReceivedAt returns the time in p's ReceivedAt header (zero when it has
// none or it does not parse).
func ReceivedAt(p amiwire.Packet) time.Time {
	if len(p.Fields) == 0 || p.Fields[0].Key != ReceivedAtKey {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, p.Fields[0].Value)
	if err != nil {
		return time.Time{}
	}
	return t
}

// detect tells the format from the first byte that is not white space.
func (r *Reader) detect() error {
	for {
		b, err := r.br.Peek(1)
		if err != nil {
			r.format = FormatAMI
			r.ami = amiwire.NewReader(r.br)
			if errors.Is(err, io.EOF) {
				return nil
			}
			return &Error{Err: err}
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			if b[0] == '\n' {
				r.line++
			}
			_, _ = r.br.ReadByte()
			continue
		case '{':
			r.format = FormatJSON
			return nil
		}
		r.format = FormatAMI
		r.ami = amiwire.NewReader(r.br)
		// A capture of the socket itself starts with the banner.
		if head, _ := r.br.Peek(len(bannerPrefix)); string(head) == bannerPrefix {
			if _, err := r.ami.ReadBanner(); err != nil {
				return &Error{Err: err}
			}
		}
		return nil
	}
}

// bannerPrefix starts the line Asterisk greets a manager connection with.
const bannerPrefix = "Asterisk Call Manager/"

// nextJSON reads the next non-empty line as a packet.
func (r *Reader) nextJSON() (amiwire.Packet, error) {
	for {
		line, err := r.readLine()
		if len(bytes.TrimSpace(line)) > 0 {
			p, perr := ParseJSON(line)
			if perr != nil {
				return amiwire.Packet{}, &Error{Line: r.line, Err: perr}
			}
			return p, nil
		}
		if err != nil {
			return amiwire.Packet{}, err
		}
	}
}

// readLine returns the next line without its end, at most MaxLine bytes;
// io.EOF comes with the last (possibly empty) line.
func (r *Reader) readLine() ([]byte, error) {
	r.line++
	var line []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLine {
			return nil, &Error{Line: r.line, Err: fmt.Errorf("line longer than %d bytes", MaxLine)}
		}
		switch {
		case err == nil:
			return bytes.TrimRight(line, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return line, io.EOF
		default:
			return nil, &Error{Line: r.line, Err: err}
		}
	}
}

// ParseJSON reads one JSON object as `ami -o json` writes a packet: its
// members in order, a string as one field, an array of strings as a
// repeated key (one field per element), "@lines" as lines without a
// colon. Numbers and booleans are taken as their text, null as "".
func ParseJSON(line []byte) (amiwire.Packet, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var p amiwire.Packet
	tok, err := dec.Token()
	if err != nil {
		return p, fmt.Errorf("not JSON: %w", unexpectedEOF(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return p, errors.New("not a JSON object")
	}
	if err := jsonpacket.Members(dec, &p, linesKey); err != nil {
		var se *jsonpacket.ShapeError
		if errors.As(err, &se) {
			return p, err
		}
		return p, badJSON(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return p, errors.New("more than one JSON value on the line")
	}
	return p, nil
}

// badJSON describes a JSON syntax error; the end of the line is not the
// end of the capture.
func badJSON(err error) error { return fmt.Errorf("bad JSON: %w", unexpectedEOF(err)) }

// unexpectedEOF turns io.EOF into io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
