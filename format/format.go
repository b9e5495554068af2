// Package format turns AMI packets into output for people and programs.
//
// The formats:
//
//	text   AMI's own "Key: Value" lines with an empty line after each packet,
//	       so the output is itself AMI text. A line that arrived without a
//	       colon is printed as it came. Keys are coloured when Options.Color.
//
//	           Event: Hangup
//	           Channel: PJSIP/100-00000001
//	           Cause: 16
//
//	json   one JSON object per packet per line. Keys keep their received
//	       order and case; a key that occurs more than once (exactly the same
//	       spelling) becomes an array of its values, in order, at the place of
//	       its first occurrence. Lines without a colon are gathered under the
//	       key "". Always valid UTF-8: invalid bytes become U+FFFD.
//
//	           {"Event":"Hangup","Channel":"PJSIP/100-00000001","Variable":["a=1","b=2"]}
//
//	raw    the exact bytes that arrived (CRLF line ends, the empty line after
//	       each packet), so a capture can be replayed; packets built by a
//	       program are written in wire form.
//
//	table  aligned columns under a header row, one row per packet. Rows are
//	       held until Flush, because the column widths depend on every row.
//
// Writers buffer their output; nothing reaches the underlying io.Writer
// before Flush or before the buffer fills. Write errors (a closed pipe, say)
// are returned unchanged from WritePacket or Flush, and stick.
//
// The package knows nothing of sockets or terminals: whether to colour is the
// caller's decision.
package format

import (
	"fmt"
	"io"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// Writer writes packets in one output format.
type Writer interface {
	// WritePacket formats p into the writer's buffer, writing the buffer out
	// when it is full. p is not retained after the call returns, except by
	// the table writer, which keeps it until Flush.
	WritePacket(p amiwire.Packet) error
	// Flush writes out everything buffered.
	Flush() error
}

// Options tune a Writer.
type Options struct {
	// Color puts ANSI colour on keys (text) and on the header row (table).
	// Values are never coloured, so grep works on coloured output too.
	Color bool
	// Fields, when not empty, picks which keys are written and in which
	// order (json, text, table). Keys match without regard to case; a key a
	// packet lacks is left out (json, text) or left blank (table). raw
	// ignores it.
	Fields []string
	// NoHeader leaves out the table's header row.
	NoHeader bool
}

// Names lists the format names New accepts.
func Names() []string { return []string{"text", "json", "raw", "table"} }

// New returns a Writer for the named format writing to w.
func New(name string, w io.Writer, opts Options) (Writer, error) {
	out := &output{w: w}
	switch strings.ToLower(name) {
	case "text":
		return &textWriter{output: out, opts: opts}, nil
	case "json":
		return &jsonWriter{output: out, opts: opts}, nil
	case "raw":
		return &rawWriter{output: out}, nil
	case "table":
		return &tableWriter{output: out, opts: opts}, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", name, strings.Join(Names(), ", "))
}

// bufferSize is how much output is gathered before it is written out.
const bufferSize = 64 << 10

// output is the buffer every writer appends to.
type output struct {
	w   io.Writer
	buf []byte
	err error
}

// maybeFlush writes the buffer out once it is full enough.
func (o *output) maybeFlush() error {
	if len(o.buf) >= bufferSize {
		return o.Flush()
	}
	return o.err
}

// Flush writes out the buffer.
func (o *output) Flush() error {
	if o.err != nil {
		return o.err
	}
	if len(o.buf) > 0 {
		_, o.err = o.w.Write(o.buf)
		o.buf = o.buf[:0]
	}
	return o.err
}

// pick returns the fields of p that opts.Fields selects, in that order,
// appended to dst (reused between packets).
func pick(dst []amiwire.Field, p amiwire.Packet, keys []string) []amiwire.Field {
	dst = dst[:0]
	for _, k := range keys {
		for _, f := range p.Fields {
			if len(f.Key) == len(k) && strings.EqualFold(f.Key, k) {
				dst = append(dst, f)
			}
		}
	}
	return dst
}

// ANSI colour for keys and headers.
const (
	colorKey   = "\x1b[36m" // cyan
	colorReset = "\x1b[0m"
)

// textWriter writes "Key: Value" lines.
type textWriter struct {
	*output
	opts   Options
	picked []amiwire.Field
}

func (t *textWriter) WritePacket(p amiwire.Packet) error {
	if t.err != nil {
		return t.err
	}
	fields := p.Fields
	if len(t.opts.Fields) > 0 {
		t.picked = pick(t.picked, p, t.opts.Fields)
		fields = t.picked
	}
	t.buf = AppendText(t.buf, fields, t.opts.Color)
	return t.maybeFlush()
}

// AppendText appends fields as "Key: Value" lines (LF ends) and the empty
// line that ends a packet; colour puts ANSI colour on the keys.
func AppendText(dst []byte, fields []amiwire.Field, color bool) []byte {
	for _, f := range fields {
		if f.Key != "" {
			if color {
				dst = append(dst, colorKey...)
				dst = append(dst, f.Key...)
				dst = append(dst, colorReset...)
			} else {
				dst = append(dst, f.Key...)
			}
			dst = append(dst, ':', ' ')
		}
		dst = append(dst, f.Value...)
		dst = append(dst, '\n')
	}
	return append(dst, '\n')
}

// rawWriter writes the wire bytes.
type rawWriter struct{ *output }

func (r *rawWriter) WritePacket(p amiwire.Packet) error {
	if r.err != nil {
		return r.err
	}
	if p.Raw != nil {
		r.buf = append(r.buf, p.Raw...)
	} else {
		for _, f := range p.Fields {
			if f.Key != "" {
				r.buf = append(r.buf, f.Key...)
				r.buf = append(r.buf, ':', ' ')
			}
			r.buf = append(r.buf, f.Value...)
			r.buf = append(r.buf, '\r', '\n')
		}
		r.buf = append(r.buf, '\r', '\n')
	}
	return r.maybeFlush()
}
