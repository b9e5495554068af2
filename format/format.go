// Package format turns AMI packets into output for people and programs.
//
// # Formats
//
// text: AMI's own "Key: Value" lines with LF line ends and an empty line after
// each packet, so the output is itself AMI text that a reader can parse
// again. A line that arrived without a colon (a Field with an empty Key) is
// printed as its value alone (so one that holds a colon reads back as a
// field, as it would from Asterisk). Values are written as they are; with
// Options.Color only the keys get ANSI colour, so grep on values works.
// With Options.Escape (for a terminal) control bytes in keys and values
// are written visibly escaped, `\x1b` for ESC (see AppendVisible).
//
//	Event: Hangup
//	Channel: PJSIP/100-00000001
//	Cause: 16
//
// json: one JSON object per packet per line. Keys keep their received order
// and spelling. A key that occurs more than once, spelled exactly the same
// (case matters: "Variable" and "variable" are different keys), becomes an
// array of its values, in order, at the place of its first occurrence. Lines
// without a colon are gathered under the key "@lines" (LinesKey), which is
// always an array, even for one line. The output is valid UTF-8 JSON whatever
// bytes arrived: each invalid byte becomes U+FFFD, control characters and
// U+2028/U+2029 are escaped, '<', '>' and '&' are not.
//
//	{"Event":"VarSet","Variable":["a=1","b=2"],"Channel":"PJSIP/100-00000001"}
//	{"Response":"Follows","@lines":["Privilege: Command","--END COMMAND--"]}
//
// raw: the exact bytes that arrived (Packet.Raw: CRLF line ends and the empty
// line after each packet), so a capture can be replayed; packets built by a
// program (nil Raw) are written in wire form with CRLF.
//
// table: aligned columns under a header row, one row per packet. The
// columns are Options.Fields or else the union of the rows' keys (compared
// without regard to case) in order of first appearance, less the keys of
// Options.Hide and less Event when every row has the same Event (the items
// of a list do); colonless lines have no column; the values of a repeated
// key are joined with ",". Widths are counted in terminal cells (East Asian
// wide characters take two, combining marks none); control characters (tab
// included), bytes that are not UTF-8 and C1 controls are escaped as
// AppendVisible does, so a row stays on one line and a cell cannot act on a
// terminal. Values are never truncated.
// Rows are held until Flush, because every column's width depends on every
// row; each Flush writes the rows held so far as one table with its own
// header.
//
//	Channel                    ChannelStateDesc  Duration
//	Local/hold@default-0001;1  Up                00:00:01
//
// timeline: one line per packet, for following a call by eye: its "@t"
// (TimeKey, a time the program renders, right-aligned), Channel and Event
// as columns padded to the widest value seen so far (the output streams),
// then every other non-empty field as Key=Value, quoted when it holds a
// space. Values are escaped as in a table.
//
//	+0.000  Local/talk@default-0001;1  Newchannel  ChannelStateDesc=Down
//	+1.502  Local/talk@default-0001;1  Hangup      Cause=16  Cause-txt="Normal Clearing"
//
// # Lead fields
//
// Options.Lead (and SetLead) put fields the program adds before each
// packet's own: `{"@host":"pbx1","Event":...}` in json, a first line
// "@host: pbx1" in text, a first column in a table. Without a lead
// nothing changes, at the cost of one length test per packet. Keys the
// program adds start with '@', which Asterisk never sends.
//
// # Writing from wire bytes
//
// The json and text writers are also RawWriters: WriteRaw writes a packet
// from its wire bytes (Packet.Raw) in one pass, without the fields being
// parsed first, when the bytes are the plain "Key: Value" lines Asterisk
// sends; it declines anything else, and the caller parses and writes the
// packet as usual. The output is the same either way.
//
// # Buffering and errors
//
// Writers gather output in a 64 KiB buffer; nothing reaches the underlying
// io.Writer before Flush or before the buffer fills, so the caller decides
// when output appears (for example, when no more input is waiting). An error
// from the io.Writer (say syscall.EPIPE for a closed pipe) is returned
// unchanged from WritePacket or Flush, so errors.Is works on it, and it
// sticks: every later call returns it again.
//
// The package knows nothing of sockets or terminals: whether to colour is
// the caller's decision. Writers are not safe for concurrent use.
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
	// the table writer, which keeps its fields until Flush.
	WritePacket(p amiwire.Packet) error
	// Flush writes out everything buffered (for table: the table of every
	// row held since the last Flush).
	Flush() error
}

// Options tune a Writer. The zero value is plain output of every field.
type Options struct {
	// Color puts ANSI colour on keys (text) and on the header row (table).
	// Values are never coloured, so grep works on coloured output too.
	// json and raw ignore it.
	Color bool
	// Fields, when not empty, picks which keys are written and in which
	// order (json, text, table). Keys match without regard to case and are
	// written as received; every field matching a key is written, in
	// received order. A key a packet lacks is left out (json, text) or left
	// blank (table). raw ignores it.
	Fields []string
	// Hide lists keys the table leaves out when Fields is empty: keys the
	// program added itself (such as the ActionID it chose), which tell the
	// reader nothing. Keys match without regard to case. Other formats
	// ignore it.
	Hide []string
	// Escape makes text output safe for a terminal: control bytes, bytes
	// that are not UTF-8 and C1 controls in keys and values are written
	// visibly escaped (see AppendVisible; a tab stays a tab), so that
	// bytes from a server cannot retitle, recolour or rewrite the
	// terminal. Set it when the output is a terminal; leave it off for
	// pipes and files, which get the exact bytes. Tables always escape
	// (a raw newline would break a row); json escapes anyway; raw is
	// always byte-exact.
	Escape bool
	// Lead are fields written first in every packet, whatever Fields
	// picks: keys the program adds, such as
	// "@host" for the server a packet came from when output of several
	// is merged. json writes them as the first members, text as the
	// first lines, table as the first columns; raw ignores them (its
	// bytes are the wire's). A writer's lead can be changed between
	// packets with SetLead.
	Lead []amiwire.Field
}

// LeadSetter is a Writer whose Options.Lead can be changed between
// packets. Every Writer that New returns is one.
type LeadSetter interface {
	// SetLead makes fields the lead of the packets written from now on.
	SetLead(fields []amiwire.Field)
}

// LinesKey is the JSON key under which lines that arrived without a colon
// (Fields with an empty Key) are gathered, as an array of strings.
const LinesKey = "@lines"

// Names lists the format names New accepts, for help text and completion.
func Names() []string { return []string{"text", "json", "raw", "table", "timeline"} }

// New returns a Writer for the named format (one of Names, case-insensitive)
// writing to w.
func New(name string, w io.Writer, opts Options) (Writer, error) {
	out := output{w: w, buf: make([]byte, 0, bufferSize)}
	opts.Fields = append([]string(nil), opts.Fields...) // the caller may reuse its slice
	var wr interface {
		Writer
		LeadSetter
	}
	switch strings.ToLower(name) {
	case "text":
		wr = &textWriter{output: out, opts: opts, watch: newFieldWatch(opts.Fields)}
	case "json":
		wr = &jsonWriter{output: out, opts: opts, watch: newFieldWatch(opts.Fields)}
	case "raw":
		wr = &rawWriter{output: out, opts: opts}
	case "table":
		opts.Hide = append([]string(nil), opts.Hide...)
		wr = &tableWriter{output: out, opts: opts, watch: newFieldWatch(opts.Fields), width: newWidther()}
	case "timeline":
		wr = &timelineWriter{output: out, opts: opts, watch: newFieldWatch(opts.Fields), w: newWidther()}
	}
	if wr != nil {
		wr.SetLead(opts.Lead)
		return wr, nil
	}
	return nil, fmt.Errorf("unknown output format %q (valid: %s)", name, strings.Join(Names(), ", "))
}

// Every writer's lead can be set.
var (
	_ LeadSetter = (*textWriter)(nil)
	_ LeadSetter = (*jsonWriter)(nil)
	_ LeadSetter = (*rawWriter)(nil)
	_ LeadSetter = (*tableWriter)(nil)
	_ LeadSetter = (*timelineWriter)(nil)
)

const (
	// bufferSize is how much output is gathered before it is written out.
	bufferSize = 64 << 10
	// maxRetained is the largest buffer kept after a flush; a bigger one
	// (grown by a huge packet) is dropped so its memory can be reclaimed.
	maxRetained = 1 << 20
)

// output is the buffer every writer appends to, and its sticky error.
type output struct {
	w   io.Writer
	buf []byte
	err error
}

// maybeFlush writes the buffer out once it is full.
func (o *output) maybeFlush() error {
	if len(o.buf) >= bufferSize {
		return o.flush()
	}
	return o.err
}

// flush writes out the buffer. The io.Writer's error is kept and returned
// unchanged.
func (o *output) flush() error {
	if o.err != nil {
		return o.err
	}
	if len(o.buf) > 0 {
		_, o.err = o.w.Write(o.buf)
		o.buf = o.buf[:0]
		if cap(o.buf) > maxRetained {
			o.buf = make([]byte, 0, bufferSize)
		}
	}
	return o.err
}

// pick appends to dst[:0] the fields of p that keys select, in the order of
// keys; keys match without regard to case. watch (when not nil) learns
// which keys matched.
func pick(dst []amiwire.Field, p amiwire.Packet, keys []string, watch *fieldWatch) []amiwire.Field {
	dst = dst[:0]
	if watch != nil {
		watch.noteKeys(p)
	}
	for i, k := range keys {
		for _, f := range p.Fields {
			if len(f.Key) == len(k) && strings.EqualFold(f.Key, k) {
				dst = append(dst, f)
				if watch != nil {
					watch.saw(i)
				}
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
	output
	opts   Options
	picked []amiwire.Field
	watch  fieldWatch
	lead   []byte // the lines of Options.Lead, rendered
}

// SetLead renders fields as the first lines of every packet from now on.
func (t *textWriter) SetLead(fields []amiwire.Field) {
	t.lead = t.lead[:0]
	if t.opts.Escape {
		t.lead = appendTextEscaped(t.lead, fields, t.opts.Color)
		return
	}
	for _, f := range fields {
		t.lead = appendTextKey(t.lead, f.Key, t.opts.Color)
		t.lead = append(t.lead, f.Value...)
		t.lead = append(t.lead, '\n')
	}
}

// MissingFields returns the Options.Fields that no packet had.
func (t *textWriter) MissingFields() []MissingField { return t.watch.report(t.opts.Fields) }

// WritePacket writes p as "Key: Value" lines and an empty line.
func (t *textWriter) WritePacket(p amiwire.Packet) error {
	if t.err != nil {
		return t.err
	}
	fields := p.Fields
	if len(t.opts.Fields) > 0 {
		t.picked = pick(t.picked, p, t.opts.Fields, &t.watch)
		fields = t.picked
	}
	if len(t.lead) > 0 {
		t.buf = append(t.buf, t.lead...)
	}
	if t.opts.Escape {
		t.buf = appendTextEscaped(t.buf, fields, t.opts.Color)
	} else {
		for _, f := range fields {
			if f.Key != "" {
				t.buf = appendTextKey(t.buf, f.Key, t.opts.Color)
			}
			t.buf = append(t.buf, f.Value...)
			t.buf = append(t.buf, '\n')
		}
	}
	t.buf = append(t.buf, '\n')
	if len(t.opts.Fields) > 0 {
		clear(t.picked) // keep no packet memory alive
	}
	return t.maybeFlush()
}

// Flush writes out the buffer.
func (t *textWriter) Flush() error { return t.flush() }

// appendTextKey appends "Key: ", the key coloured when color is set.
func appendTextKey(dst []byte, key string, color bool) []byte {
	if color {
		dst = append(dst, colorKey...)
		dst = append(dst, key...)
		dst = append(dst, colorReset...)
	} else {
		dst = append(dst, key...)
	}
	return append(dst, ':', ' ')
}

// appendTextEscaped appends the text lines of fields for a terminal
// (Options.Escape): keys and values escaped (AppendVisible), keys coloured
// when color is set. It is apart from textWriter.write so that the loop
// for pipes stays as it is.
func appendTextEscaped(dst []byte, fields []amiwire.Field, color bool) []byte {
	for _, f := range fields {
		if f.Key != "" {
			if color {
				dst = append(dst, colorKey...)
			}
			dst = AppendVisible(dst, f.Key, false)
			if color {
				dst = append(dst, colorReset...)
			}
			dst = append(dst, ':', ' ')
		}
		dst = AppendVisible(dst, f.Value, false)
		dst = append(dst, '\n')
	}
	return dst
}

// rawWriter writes the wire bytes.
type rawWriter struct {
	output
	opts Options
}

// SetLead does nothing: raw output is the wire's bytes.
func (r *rawWriter) SetLead([]amiwire.Field) {}

// WritePacket writes p's wire bytes (p.Raw), or for a packet without
// them its fields in wire form.
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

// Flush writes out the buffer.
func (r *rawWriter) Flush() error { return r.flush() }
