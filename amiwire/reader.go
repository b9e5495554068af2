package amiwire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// Default limits of a Reader. They are generous: Command output and GetConfig
// replies can be large, but a stream can never make the Reader hold more than
// about MaxPacketSize bytes at once.
const (
	DefaultMaxLineLength = 1 << 20  // 1 MiB
	DefaultMaxPacketSize = 16 << 20 // 16 MiB
	DefaultMaxHeaders    = 1 << 16  // 65536
)

const (
	initialBufSize = 64 << 10 // read buffer; grows up to the packet limit
	slabSize       = 64 << 10 // bytes shared by the Raw of many small packets
	fieldSlabLen   = 1024     // Fields shared by many small packets
	endCommand     = "--END COMMAND--"
)

// Reader reads AMI packets from a byte stream. It accepts CRLF and bare LF
// line ends, skips empty packets, keeps lines without a colon, and turns the
// legacy Command reply ("Response: Follows" ... "--END COMMAND--") into
// Output fields like the modern form.
//
// Each packet returned owns its memory: the Reader copies bytes out of its
// read buffer into large shared slabs, so reading a small packet costs no
// allocation most of the time and never more than two.
type Reader struct {
	// Limits; zero means the default. Set them before the first read.
	MaxLineLength int
	MaxPacketSize int
	MaxHeaders    int

	src    io.Reader
	buf    []byte
	r, w   int   // unread data is buf[r:w]
	off    int64 // stream offset of buf[r]
	err    error // sticky read error from src
	lines  []lineSpan
	slab   []byte
	fields []Field
}

// lineSpan locates one line of the packet being parsed, relative to its start.
type lineSpan struct {
	start, end int // the line without its line end
	colon      int // index of ':' relative to start, or -1
}

// NewReader returns a Reader reading from src. It does its own buffering.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src}
}

// Offset returns the stream offset of the next unread byte.
func (r *Reader) Offset() int64 { return r.off }

// Buffered reports how many bytes have been read from the source but not yet
// parsed; a caller can use it to tell whether more input is already waiting.
func (r *Reader) Buffered() int { return r.w - r.r }

func (r *Reader) limits() (line, packet, headers int) {
	line, packet, headers = r.MaxLineLength, r.MaxPacketSize, r.MaxHeaders
	if line <= 0 {
		line = DefaultMaxLineLength
	}
	if packet <= 0 {
		packet = DefaultMaxPacketSize
	}
	if headers <= 0 {
		headers = DefaultMaxHeaders
	}
	return
}

// fill reads more data into the buffer, compacting or growing it as needed
// but never beyond limit bytes of unread data.
func (r *Reader) fill(limit int) error {
	if r.err != nil {
		return r.err
	}
	if r.buf == nil {
		r.buf = make([]byte, initialBufSize)
	}
	if r.r > 0 && (r.w == len(r.buf) || r.r == r.w) {
		n := copy(r.buf, r.buf[r.r:r.w])
		r.r, r.w = 0, n
	}
	if r.w == len(r.buf) {
		if len(r.buf) >= limit {
			return errBufferFull
		}
		nb := make([]byte, min(2*len(r.buf), limit))
		r.w = copy(nb, r.buf[r.r:r.w])
		r.r = 0
		r.buf = nb
	}
	for i := 0; i < 100; i++ {
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.err = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	r.err = io.ErrNoProgress
	return r.err
}

var errBufferFull = errors.New("buffer full")

// ReadBanner reads the greeting line "Asterisk Call Manager/<version>" and
// returns the whole line (without its line end). Anything else is a
// *ProtocolError. Call it once, before the first ReadPacket.
func (r *Reader) ReadBanner() (string, error) {
	const maxBanner = 1024
	for {
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 {
			line := r.buf[r.r : r.r+i]
			start := r.off
			r.r += i + 1
			r.off += int64(i + 1)
			line = bytes.TrimSuffix(line, []byte{'\r'})
			s := string(line)
			if _, ok := BannerVersion(s); !ok {
				return s, &ProtocolError{Offset: start, Msg: fmt.Sprintf("not an AMI banner: %q", truncate(s, 80))}
			}
			return s, nil
		}
		if r.w-r.r > maxBanner {
			return "", &ProtocolError{Offset: r.off, Msg: "banner line too long; not an AMI server"}
		}
		if err := r.fill(maxBanner + 1); err != nil {
			if errors.Is(err, io.EOF) {
				if r.w > r.r {
					return "", &ProtocolError{Offset: r.off, Msg: fmt.Sprintf("stream ended inside the banner %q", truncate(string(r.buf[r.r:r.w]), 80)), Err: io.ErrUnexpectedEOF}
				}
				return "", &ProtocolError{Offset: r.off, Msg: "stream ended before the banner", Err: io.EOF}
			}
			return "", err
		}
	}
}

// BannerVersion returns the protocol version of an AMI banner line such as
// "Asterisk Call Manager/11.0.0", and whether the line is an AMI banner.
func BannerVersion(line string) (string, bool) {
	const prefix = "Asterisk Call Manager/"
	if !strings.HasPrefix(line, prefix) {
		// Some proxies and forks send their own product name before the slash.
		i := strings.Index(line, " Call Manager/")
		if i < 0 {
			return "", false
		}
		return line[i+len(" Call Manager/"):], true
	}
	return line[len(prefix):], true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// ReadPacket reads the next non-empty packet.
//
// At the end of the stream between packets it returns io.EOF. A stream that
// ends inside a packet gives a *ProtocolError wrapping io.ErrUnexpectedEOF.
// A packet over a limit gives a *LimitError after skipping that packet, and
// the next call reads the packet after it. Errors from the source are
// returned as they are.
func (r *Reader) ReadPacket() (Packet, error) {
	maxLine, maxPacket, maxHeaders := r.limits()
	r.lines = r.lines[:0]
	pos := 0         // scan position relative to r.r
	legacy := false  // inside a "Response: Follows" packet
	rawMode := false // inside the raw output of a legacy Command reply
	for {
		data := r.buf[r.r:r.w]
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			if len(data)-pos > maxLine {
				return Packet{}, r.skipPacket(LimitLine, maxLine)
			}
			if len(data) >= maxPacket {
				return Packet{}, r.skipPacket(LimitPacket, maxPacket)
			}
			if err := r.fill(maxPacket); err != nil {
				return Packet{}, r.endOfStream(err, pos)
			}
			continue
		}
		start, next := pos, pos+i+1
		end := pos + i
		if end > start && data[end-1] == '\r' {
			end--
		}
		pos = next
		if end-start > maxLine {
			return Packet{}, r.skipPacket(LimitLine, maxLine)
		}
		if end == start && !rawMode { // empty line
			if len(r.lines) == 0 { // stray empty line between packets
				r.r += next
				r.off += int64(next)
				pos = 0
				continue
			}
			return r.finish(pos, legacy), nil
		}
		line := data[start:end]
		colon := bytes.IndexByte(line, ':')
		if len(r.lines) == 0 {
			legacy = colon == 8 && len(line) >= 16 && strings.EqualFold(string(line[:8]), "Response") &&
				strings.EqualFold(string(bytes.TrimSpace(line[9:])), "Follows")
		} else if legacy && !rawMode && !isHeaderLine(line, colon) {
			rawMode = true
		}
		if rawMode {
			colon = -1
			if bytes.HasSuffix(line, []byte(endCommand)) {
				rawMode = false
				end -= len(endCommand)
				if end == start {
					continue // the marker alone on its line
				}
			}
		}
		if len(r.lines) >= maxHeaders {
			return Packet{}, r.skipPacket(LimitHeaders, maxHeaders)
		}
		r.lines = append(r.lines, lineSpan{start, end, colon})
	}
}

// isHeaderLine reports whether a line of a legacy Command reply still looks
// like a header ("Privilege: Command", "ActionID: x") rather than output.
func isHeaderLine(line []byte, colon int) bool {
	if colon <= 0 {
		return false
	}
	for _, c := range line[:colon] {
		if c == ' ' || c == '\t' {
			return false
		}
	}
	return true
}

// finish turns the scanned lines (the packet ends at pos) into a Packet that
// owns its memory, and consumes the packet from the buffer.
func (r *Reader) finish(n int, legacy bool) Packet {
	raw := r.alloc(n)
	copy(raw, r.buf[r.r:r.r+n])
	r.r += n
	r.off += int64(n)
	fields := r.allocFields(len(r.lines))
	// The slab bytes are never written again once handed out, so strings may
	// point into them.
	s := unsafe.String(unsafe.SliceData(raw), len(raw))
	for i, l := range r.lines {
		f := &fields[i]
		switch {
		case legacy && l.colon < 0:
			f.Key, f.Value = "Output", s[l.start:l.end]
		case l.colon < 0:
			f.Key, f.Value = "", s[l.start:l.end]
		default:
			f.Key = s[l.start : l.start+l.colon]
			v := l.start + l.colon + 1
			if v < l.end && s[v] == ' ' {
				v++
			}
			f.Value = s[v:l.end]
		}
	}
	return Packet{Fields: fields, Raw: raw}
}

// alloc returns n bytes carved from the current slab, or a fresh slice for a
// packet too large to share one.
func (r *Reader) alloc(n int) []byte {
	if n > slabSize/8 {
		return make([]byte, n)
	}
	if len(r.slab) < n {
		r.slab = make([]byte, slabSize)
	}
	b := r.slab[:n:n]
	r.slab = r.slab[n:]
	return b
}

func (r *Reader) allocFields(n int) []Field {
	if n > fieldSlabLen/8 {
		return make([]Field, n)
	}
	if len(r.fields) < n {
		r.fields = make([]Field, fieldSlabLen)
	}
	f := r.fields[:n:n]
	r.fields = r.fields[n:]
	return f
}

// skipPacket discards input up to and including the next empty line (or to
// the end of the stream) and returns a *LimitError for the skipped packet.
// Skipping uses the buffer as it is, without growing it.
func (r *Reader) skipPacket(limit Limit, max int) error {
	e := &LimitError{Limit: limit, Max: max, Offset: r.off}
	lineStart := true // at the start of a line
	for {
		data := r.buf[r.r:r.w]
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if lineStart && len(data) == 1 && data[0] == '\r' {
					break // maybe the first half of an empty CRLF line: keep it
				}
				lineStart = false
				r.r += len(data)
				r.off += int64(len(data))
				data = nil
				break
			}
			empty := lineStart && (i == 0 || (i == 1 && data[0] == '\r'))
			r.r += i + 1
			r.off += int64(i + 1)
			data = data[i+1:]
			lineStart = true
			if empty {
				return e
			}
		}
		if err := r.fill(len(r.buf)); err != nil {
			if errors.Is(err, errBufferFull) {
				// Only a lone '\r' is left, which cannot fill the buffer.
				r.r = r.w
				continue
			}
			return e
		}
	}
}

// endOfStream converts a fill error into ReadPacket's error: io.EOF when the
// stream ended cleanly between packets, a *ProtocolError when it ended with a
// partial packet (pos bytes of it scanned).
func (r *Reader) endOfStream(err error, pos int) error {
	if !errors.Is(err, io.EOF) {
		return err
	}
	if r.w-r.r == 0 {
		return io.EOF
	}
	if len(r.lines) == 0 && bytes.Count(r.buf[r.r:r.w], []byte{'\n'}) == 0 && len(bytes.Trim(r.buf[r.r:r.w], "\r")) == 0 {
		r.r = r.w
		return io.EOF
	}
	n := r.w - r.r
	r.r = r.w
	off := r.off
	r.off += int64(n)
	return &ProtocolError{Offset: off, Msg: fmt.Sprintf("stream ended inside a packet (%d bytes, %d lines)", n, len(r.lines)), Err: io.ErrUnexpectedEOF}
}
