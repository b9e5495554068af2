package amiwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/ami-cli/ami/amiwire/internal/wire"
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
	chunkSize    = 128 << 10 // read buffer; packets point into it, so a full one is replaced, not reused (big: one read syscall per ~300 events)
	minRead      = 2 << 10   // a buffer with less free space than this is replaced before reading
	fieldSlabLen = 1023      // Fields shared by many small packets: 32 KiB with the malloc header, a small object
	endCommand   = "--END COMMAND--"
	maxBanner    = 1024
)

// Reader reads AMI packets from a byte stream. It accepts CRLF and bare LF
// line ends, skips empty lines between packets, keeps lines without a colon
// (as Fields with an empty Key), and turns the legacy Command reply
// ("Response: Follows", "Privilege: Command", raw lines, "--END COMMAND--")
// into Output fields like the modern form.
//
// Two kinds of text may hold empty lines of their own: the raw output of a
// legacy Command reply, and bare text, a packet whose first line is not a
// "Key: Value" header (old Asterisk answers Action: Queues with the CLI's
// text), which is read as Output fields, one per line. Such a body ends at
// "--END COMMAND--" (Command output), or at an empty line followed by the
// first line of a packet ("Response:", "Event:" or "Action:", past any
// more empty lines) or by the end of the input. So the Reader returns such
// a packet only once the next packet starts to arrive, or the input ends
// (or more empty lines follow than the packet could hold within the
// limits).
//
// Packets are parsed in place, into chunks of input and slabs of fields
// that the Reader reuses (lend.go): ReadPacket hands each one out as a
// copy of its own, while the Client, which hands most packets on without
// keeping them, works on them in place.
//
// Errors from the source are returned once; the next call reads from the
// source again and continues where the stream was, so a read deadline
// (net.Error Timeout) does not lose the packet in progress.
type Reader struct {
	// Limits; zero means the default. Set them before the first read.
	MaxLineLength int // bytes of one line, line end excluded
	MaxPacketSize int // bytes of one packet, line ends and the final empty line included
	MaxHeaders    int // lines of one packet

	src    io.Reader
	buf    []byte // current chunk; unread input is buf[r:w]
	r, w   int
	off    int64 // stream offset of buf[r]
	err    error // error that came with the last data; returned by the next fill
	shared bool  // a returned packet points into buf[:r]: never overwrite it

	fields []Field // slab; fields[nf:] is free
	nf     int

	marks lineMarks // where the line ends and colons of buf[:w] are

	seq        uint64 // packets returned so far: the number of the last (see lend.go)
	loans      *loans // non-nil after lend
	bufLent    bool   // buf came from loans and goes back on loan
	fieldsLent bool   // fields came from loans and goes back on loan

	skipping      bool // skipping the rest of an over-limit packet
	skipLineStart bool // the skip is at the start of a line

	// skimEvents makes readPacket skim events (see skim.go).
	skimEvents bool
	plainEvent bool // the last packet returned was skimmed and has no ActionID
}

// NewReader returns a Reader reading from src. It does its own buffering.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src}
}

// Offset returns the stream offset of the next unread byte.
func (r *Reader) Offset() int64 { return r.off }

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

// fill reads more input into the buffer. When the buffer has little free
// space it first moves the unread bytes to a new chunk (or to the front of
// this one if no packet points into it) and reports moved: anything pointing
// into the unread bytes is then stale. The buffer grows to twice the unread
// bytes at most, so callers bound it by bounding those.
func (r *Reader) fill() (moved bool, err error) {
	if r.err != nil {
		err, r.err = r.err, nil
		return false, err
	}
	if r.buf == nil {
		r.buf, r.bufLent = r.newChunk(chunkSize)
		r.marks.reset()
	}
	if len(r.buf)-r.w < minRead {
		moved = r.makeRoom()
	}
	for range 100 {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			return moved, fmt.Errorf("amiwire: source returned invalid count %d", n)
		}
		r.w += n
		if err != nil {
			if n > 0 {
				r.err = err
				return moved, nil
			}
			return moved, err
		}
		if n > 0 {
			return moved, nil
		}
	}
	return moved, io.ErrNoProgress
}

// makeRoom moves the unread bytes to the start of a buffer with at least
// minRead bytes free and reports whether there were any.
func (r *Reader) makeRoom() bool {
	tail := r.w - r.r
	size := max(chunkSize, 2*tail)
	if !r.shared && size <= len(r.buf) {
		copy(r.buf, r.buf[r.r:r.w])
	} else {
		nb, lent := r.newChunk(size)
		copy(nb, r.buf[r.r:r.w])
		r.retireChunk()
		r.buf, r.bufLent = nb, lent
		r.shared = false
	}
	r.r, r.w = 0, tail
	r.marks.reset()
	return tail > 0
}

// ReadBanner reads the greeting line "Asterisk Call Manager/<version>" and
// returns the whole line (without its line end). Anything else is a
// *ProtocolError; a stream that ends before a whole line wraps io.EOF (nothing
// arrived) or io.ErrUnexpectedEOF. Call it once, before the first ReadPacket.
func (r *Reader) ReadBanner() (string, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 && i <= maxBanner {
			line := r.buf[r.r : r.r+i]
			start := r.off
			r.r += i + 1
			r.off += int64(i + 1)
			s := string(bytes.TrimSuffix(line, []byte{'\r'}))
			if _, ok := wire.BannerVersion(s); !ok {
				return s, &ProtocolError{Offset: start, Msg: fmt.Sprintf("not an AMI banner: %q", truncate(s, 80))}
			}
			return s, nil
		}
		if r.w-r.r > maxBanner {
			return "", &ProtocolError{Offset: r.off, Msg: fmt.Sprintf("no line end in the first %d bytes: not an AMI server", maxBanner)}
		}
		if _, err := r.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				if r.w > r.r {
					n := r.w - r.r
					msg := fmt.Sprintf("stream ended inside the banner %q", truncate(string(r.buf[r.r:r.w]), 80))
					r.r = r.w
					r.off += int64(n)
					return "", &ProtocolError{Offset: r.off - int64(n), Msg: msg, Err: io.ErrUnexpectedEOF}
				}
				return "", &ProtocolError{Offset: r.off, Msg: "stream ended before the banner", Err: io.EOF}
			}
			return "", err
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Parsing modes of a packet: the legacy Command reply needs a little state.
const (
	modeHeaders = iota // ordinary "Key: Value" lines
	modeFollows        // after "Response: Follows": headers until the first non-header line
	modeCommand        // after "Privilege: Command" too: only ActionID is still a header
	modeOutput         // raw Command output up to "--END COMMAND--"; empty lines included
)

// ReadPacket reads the next non-empty packet. The packet is the caller's:
// nothing writes to its memory again, and it holds nothing but its own
// bytes (Raw, in which its keys and values lie).
//
// At the end of the stream between packets it returns io.EOF. A stream that
// ends inside a packet gives a *ProtocolError wrapping io.ErrUnexpectedEOF.
// A packet over a limit gives a *ProtocolError with a Limit after skipping that packet (up to
// and including the next empty line), and the next call reads the packet
// after it. Errors from the source are returned as they are, once.
func (r *Reader) ReadPacket() (Packet, error) {
	r.lend()
	p, err := r.readPacket(true)
	if err != nil {
		return p, err
	}
	p = p.own()
	r.giveBack(r.seq)
	return p, nil
}

// errNeedRead is readPacket's answer, when not blocking, that the next
// packet is not wholly buffered yet.
var errNeedRead = errors.New("amiwire: next packet not buffered")

// tryReadPacket returns the next packet, lent as readPacket returns it,
// when it is already wholly buffered, without reading from the source; ok
// is false when the next step would need a read (or has a pending error or
// an over-limit packet to report): call readPacket then. The Client uses it
// to tell when to hand its batch of events on before blocking.
func (r *Reader) tryReadPacket() (p Packet, ok bool, err error) {
	if r.skipping || r.err != nil {
		return Packet{}, false, nil
	}
	p, err = r.readPacket(false)
	if err == errNeedRead {
		return Packet{}, false, nil
	}
	return p, err == nil, err
}

// readPacket is ReadPacket, but the packet it returns points into the
// Reader's buffers (lent, once lend has been called); when block is false
// it returns errNeedRead, with the packet in progress left unread, where
// ReadPacket would read from the source or skip an over-limit packet.
func (r *Reader) readPacket(block bool) (Packet, error) {
	r.plainEvent = false
	if r.skipping {
		if err := r.skip(); err != nil {
			return Packet{}, err
		}
	}
	maxLine, maxPacket, maxHeaders := r.limits()
restart:
	if r.skimEvents {
		if p, ok := r.skim(maxLine, maxPacket, maxHeaders); ok {
			return p, nil
		}
	}
	first := r.nf // this packet's fields are fields[first:nf]
	pos := 0      // scan position relative to r.r, always at a line start
	mode := modeHeaders
	for {
		// The hot loop works on locals; r.nf is written back on every exit.
		r.marks.update(r.buf, r.w)
		data := r.buf[r.r:r.w]
		fields, nf := r.fields, r.nf
		undecided := false // pos is at an empty line that may or may not end the packet
		for {
			if mode == modeHeaders && (pos > 0 || len(data) > 8 && data[8] != ':') {
				// The lines before the last, the first too unless it may
				// be "Response: Follows" (which legacyLine looks for): the
				// fast path, which stops short of anything it does not
				// handle itself.
				from := pos
				pos, nf = parseHeaders(r.buf, &r.marks, r.r, pos, min(len(data), maxPacket),
					fields[:min(len(fields), first+maxHeaders)], nf, maxLine)
				if from == 0 && nf > first && !isHeaderKey(fields[first].Key) {
					pos, nf = 0, first // bare text: legacyLine reads it
				}
			}
			nl, colon := r.scanLine(pos)
			if nl < 0 {
				break
			}
			start, end := pos, nl
			pos = end + 1
			if end > start && data[end-1] == '\r' {
				end--
			}
			if end-start > maxLine || pos > maxPacket {
				if lim, max, over := overAt(data, start, pos-1, maxLine, maxPacket); over {
					if !block {
						r.nf = first
						return Packet{}, errNeedRead
					}
					return Packet{}, r.overLimit(lim, max, start, first)
				}
			}
			line := data[start:end:end]
			if len(line) == 0 && mode == modeOutput {
				ends, known := r.bodyEnds(data, pos, nf-first, maxPacket, maxHeaders)
				if !known {
					pos, undecided = start, true
					break
				}
				if ends {
					mode = modeHeaders
				}
			}
			if len(line) == 0 && mode != modeOutput {
				if start == 0 { // a stray empty line between packets
					r.r += pos
					r.off += int64(pos)
					data = data[pos:]
					pos = 0
					continue
				}
				r.r += pos
				r.off += int64(pos)
				r.shared = true
				r.nf = nf
				r.seq++
				return Packet{Fields: fields[first:nf:nf], Raw: data[:pos:pos]}, nil
			}
			if colon >= 0 {
				colon -= start
			}
			var f Field
			if colon >= 0 {
				f.Key = bytesString(line[:colon])
				v := colon + 1
				if v < len(line) && line[v] == ' ' {
					v++
				}
				f.Value = bytesString(line[v:])
			} else {
				f.Value = bytesString(line)
			}
			if mode != modeHeaders || start == 0 {
				var keep bool
				if mode, keep = legacyLine(mode, start == 0, line, colon, &f); !keep {
					continue
				}
			}
			if nf-first >= maxHeaders {
				if !block {
					r.nf = first
					return Packet{}, errNeedRead
				}
				return Packet{}, r.overLimit(limitHeaders, maxHeaders, start, first)
			}
			if nf == len(fields) {
				r.nf = nf
				first = r.growFields(first)
				fields, nf = r.fields, r.nf
			}
			fields[nf] = f
			nf++
		}
		r.nf = nf
		if !block {
			r.nf = first
			return Packet{}, errNeedRead
		}
		// An undecided empty line is followed by no more than a few bytes
		// (bodyEnds), within the limits either way.
		if lim, max, over := overAt(data, pos, len(data), maxLine, maxPacket); over && !undecided {
			return Packet{}, r.overLimit(lim, max, pos, first)
		}
		moved, err := r.fill()
		if err != nil && undecided && errors.Is(err, io.EOF) {
			// The end of the input follows the empty line: it ends the
			// packet. The next read reports the end (or what is left).
			r.err = err
			if moved { // the fields point into bytes that moved
				r.nf = first
				goto restart
			}
			pos = nextLine(data, pos)
			r.r += pos
			r.off += int64(pos)
			r.shared = true
			r.nf = nf
			r.seq++
			return Packet{Fields: fields[first:nf:nf], Raw: data[:pos:pos]}, nil
		}
		if err != nil {
			r.nf = first
			return Packet{}, r.endOfStream(err, pos)
		}
		if moved {
			r.nf = first
			goto restart
		}
	}
}

// swarLower, ORed into a word, turns its ASCII letters to lower case.
const swarLower = 0x2020202020202020

// parseHeaders parses plain "Key: Value" lines from data[pos:lim] into
// fields[nf:], where data is buf[off:] and m marks buf, and returns where
// it stopped: at the start of the first line it leaves to the general loop
// of readPacket (an empty line, a line not wholly before lim, a line over
// maxLine) or when fields is full. This loop is most of the cost of
// reading an event, so it finds the line end and the colon of each line in
// the marks, and cuts lines without bounds checks.
func parseHeaders(buf []byte, m *lineMarks, off, pos, lim int, fields []Field, nf int, maxLine int) (int, int) {
	base := unsafe.Pointer(unsafe.SliceData(buf))
	// The marks cover buf[:lim] and a word more, so the words of any
	// position up to lim are read without bounds checks too.
	nls, colons := unsafe.Pointer(unsafe.SliceData(m.nl)), unsafe.Pointer(unsafe.SliceData(m.colon))
	pos += off
	lim += off
	for nf < len(fields) {
		// The loops over the words of the marks stay here rather than in
		// a call, which would make the compiler spill the loop's values.
		nl, k := pos, pos>>6
		w := wordAt(nls, k) >> (pos & 63)
		for w == 0 {
			k++
			if nl = k << 6; nl >= lim {
				return pos - off, nf
			}
			w = wordAt(nls, k)
		}
		if nl += bits.TrailingZeros64(w); nl >= lim {
			return pos - off, nf
		}
		// From here on off <= start <= colon < end <= nl < len(buf), so the
		// line is cut without bounds checks (the views below).
		start := pos
		if nl == start {
			return start - off, nf // an empty line
		}
		end := nl
		if byteAt(base, end-1) == '\r' {
			end--
		}
		if uint(end-start-1) >= uint(maxLine) {
			return start - off, nf // empty (CRLF) or over the limit
		}
		colon, k := start, start>>6
		w = wordAt(colons, k) >> (start & 63)
		for w == 0 {
			k++
			if colon = k << 6; colon >= end {
				break
			}
			w = wordAt(colons, k)
		}
		colon += bits.TrailingZeros64(w) // 64 when w is 0: past end
		f := (*fieldView)(unsafe.Pointer(&fields[nf]))
		if colon < end {
			v := colon + 1
			if v < end && byteAt(base, v) == ' ' {
				v++
			}
			*f = fieldView{unsafe.Add(base, start), colon - start, unsafe.Add(base, v), end - v}
		} else {
			*f = fieldView{nil, 0, unsafe.Add(base, start), end - start}
		}
		nf++
		pos = nl + 1
	}
	return pos - off, nf
}

// fieldView is a Field as the pointers and lengths of its two strings,
// which parseHeaders builds without the checks of unsafe.String (the
// lengths are known to be in range). It must have Field's layout.
type fieldView struct {
	key    unsafe.Pointer
	keyLen int
	val    unsafe.Pointer
	valLen int
}

// wordAt returns word k of the marks that p points to; the caller knows
// it to be inside them.
func wordAt(p unsafe.Pointer, k int) uint64 { return *(*uint64)(unsafe.Add(p, k*8)) }

// byteAt returns the byte at base+i, which the caller knows to be inside
// the slice base points into.
func byteAt(base unsafe.Pointer, i int) byte { return *(*byte)(unsafe.Add(base, i)) }

// load64 returns the eight bytes at base+i as a little-endian word. The
// caller has checked that they are inside the slice base points into; the
// fixed-length view lets the compiler make this one load.
func load64(base unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(base, i)), 8))
}

// scanLine finds the end of the line that starts at pos (relative to r.r,
// like the other positions of readPacket): the index of its '\n' (or -1
// when it has not arrived) and of its first ':' before that (or -1).
func (r *Reader) scanLine(pos int) (nl, colon int) {
	nl = next(r.marks.nl, r.r+pos, r.w)
	if nl < 0 {
		return -1, -1
	}
	colon = next(r.marks.colon, r.r+pos, nl)
	if colon >= 0 {
		colon -= r.r
	}
	return nl - r.r, colon
}

// legacyLine handles the lines of a legacy Command reply: it sets the mode
// from the packet's first line, turns raw output lines into Output fields
// and drops the "--END COMMAND--" marker. It returns the new mode and whether
// f (possibly changed) is a field of the packet.
func legacyLine(mode int, firstLine bool, line []byte, colon int, f *Field) (int, bool) {
	if firstLine {
		if colon == 8 && isFollows(f.Key, f.Value) {
			return modeFollows, true
		}
		if !isHeaderLine(line, colon) { // bare text
			*f = Field{Key: "Output", Value: bytesString(line)}
			return modeOutput, true
		}
		return modeHeaders, true
	}
	switch mode {
	case modeFollows:
		if isHeaderLine(line, colon) {
			if strings.EqualFold(f.Key, "Privilege") && strings.EqualFold(f.Value, "Command") {
				return modeCommand, true
			}
			return modeFollows, true
		}
	case modeCommand:
		if isHeaderLine(line, colon) && strings.EqualFold(f.Key, "ActionID") {
			return modeCommand, true
		}
	case modeHeaders:
		return modeHeaders, true
	}
	// Raw output.
	v := bytesString(line)
	if strings.HasSuffix(v, endCommand) {
		v = v[:len(v)-len(endCommand)]
		*f = Field{Key: "Output", Value: v}
		return modeHeaders, v != ""
	}
	*f = Field{Key: "Output", Value: v}
	return modeOutput, true
}

// isFollows reports whether "key: value" is the "Response: Follows" that
// opens a legacy Command reply (and some old list replies). The Writer uses
// the same test to refuse actions the Reader would read back differently.
func isFollows(key, value string) bool {
	return strings.EqualFold(key, "Response") && strings.EqualFold(strings.Trim(value, " \t"), "Follows")
}

// isHeaderLine reports whether a line looks like a header ("Privilege:
// Command", "ActionID: x") rather than text: a key without blanks, then a
// colon.
func isHeaderLine(line []byte, colon int) bool {
	if colon <= 0 {
		return false
	}
	return isHeaderKey(bytesString(line[:colon]))
}

// isHeaderKey is isHeaderLine for the key of a field parsed already (""
// for a line without a colon).
func isHeaderKey(key string) bool {
	for i := 0; i < len(key); i++ { // a key is short: no call
		if c := key[i]; c == ' ' || c == '\t' {
			return false
		}
	}
	return key != ""
}

// isText reports whether p is bare text as the Reader returns it: a packet
// whose first line was not a header, made of Output fields.
func isText(p Packet) bool {
	return len(p.Fields) > 0 && p.Fields[0].Key == "Output" && p.kind() == kindUnknown
}

// bodyEnds decides whether the empty line that ends at pos (relative to
// r.r, like data) ends the packet in progress, whose body (Command output
// or bare text) may hold empty lines of its own; it has fields fields so
// far. It does when what follows, past any more empty lines, is the first
// line of a packet or the end of the input (which the caller sees), and
// also when those empty lines would take the packet over maxPacket bytes
// or maxHeaders fields, so that waiting never holds more than the limits
// allow. known is false when the bytes so far cannot tell: then at most
// the first few bytes of the next line have arrived. The answer depends
// on the bytes only, not on how they were split into reads.
func (r *Reader) bodyEnds(data []byte, pos, fields, maxPacket, maxHeaders int) (ends, known bool) {
	for p := pos; ; {
		nl, _ := r.scanLine(p)
		if nl < 0 {
			start, known := packetStart(data[p:], false)
			return start, known
		}
		end := nl
		if end > p && data[end-1] == '\r' {
			end--
		}
		if end > p {
			start, _ := packetStart(data[p:end], true)
			return start, true
		}
		// Another empty line: an Output line if the body goes on.
		fields++
		p = nl + 1
		if p > maxPacket || fields >= maxHeaders {
			return true, true
		}
	}
}

// packetStart reports whether line is the first line of a packet: a
// "Response:", "Event:" or "Action:" header (in any case). For a line
// that has not wholly arrived (complete false), known is false while its
// bytes so far may still become one (or an empty line).
func packetStart(line []byte, complete bool) (start, known bool) {
	if !complete && (len(line) == 0 || len(line) == 1 && line[0] == '\r') {
		return false, false
	}
	maybe := false
	for _, key := range [...]string{"response:", "event:", "action:"} {
		if len(line) >= len(key) {
			if strings.EqualFold(bytesString(line[:len(key)]), key) {
				return true, true
			}
		} else if !complete && strings.EqualFold(bytesString(line), key[:len(line)]) {
			maybe = true
		}
	}
	return false, !maybe
}

// nextLine returns the index just past the line that starts at pos in
// data (which holds all of it).
func nextLine(data []byte, pos int) int {
	return pos + bytes.IndexByte(data[pos:], '\n') + 1
}

// bytesString returns b as a string without copying. The Reader never
// writes to bytes it has handed out, so the string stays immutable.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// growFields replaces the field slab by a new one holding the fields of the
// packet in progress (fields[first:nf]) at its start, and returns their new
// start, 0.
func (r *Reader) growFields(first int) int {
	n := r.nf - first
	nf, lent := r.newFieldSlab(max(fieldSlabLen, 2*n))
	copy(nf, r.fields[first:r.nf])
	r.retireFieldSlab()
	r.fields, r.fieldsLent = nf, lent
	r.nf = n
	return 0
}

// overAt reports whether the packet being read is over the line or packet
// limit, judging its line that starts at s from the bytes data[:last] (last
// is the index of the line's LF, or the end of the data when it has not
// arrived). The answer does not depend on how the input was split into
// reads: it is the limit a reader given one byte at a time would see broken
// first, the line limit when both break at the same byte. A line is over
// when it holds more than maxLine bytes besides its line end (a CR is taken
// for the line end until the next byte shows otherwise); a packet is over
// once maxPacket bytes have arrived without its end.
func overAt(data []byte, s, last, maxLine, maxPacket int) (string, int, bool) {
	if s >= maxPacket {
		return limitPacket, maxPacket, true
	}
	atLine := -1 // bytes of the packet present when the line limit breaks
	if k := s + maxLine; k < last {
		if data[k] != '\r' {
			atLine = k + 1
		} else if k+1 < last {
			atLine = k + 2
		}
	}
	atPacket := -1
	if m := max(s+1, maxPacket); m <= last {
		atPacket = m
	}
	switch {
	case atLine >= 0 && (atPacket < 0 || atLine <= atPacket):
		return limitLine, maxLine, true
	case atPacket >= 0:
		return limitPacket, maxPacket, true
	}
	return "", 0, false
}

// overLimit abandons the packet in progress, skips the rest of it from the
// line starting at pos (which may be its final empty line) and returns the
// *ProtocolError with a Limit.
func (r *Reader) overLimit(limit string, max, pos, first int) error {
	r.nf = first
	e := &ProtocolError{Offset: r.off, Limit: limit, Max: max}
	r.r += pos
	r.off += int64(pos)
	r.skipping, r.skipLineStart = true, true
	if err := r.skip(); err != nil {
		r.err = err // report it on the next call, which then goes on skipping
	}
	return e
}

// skip discards input up to and including the next empty line, or to the end
// of the stream. It returns the source's error, other than io.EOF, when that
// interrupts it; the next ReadPacket then goes on skipping. It never lets the
// buffer grow: at most a lone '\r' stays unread.
func (r *Reader) skip() error {
	for {
		data := r.buf[r.r:r.w]
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if r.skipLineStart && len(data) == 1 && data[0] == '\r' {
					break // maybe the first half of an empty CRLF line
				}
				r.skipLineStart = false
				r.r += len(data)
				r.off += int64(len(data))
				break
			}
			empty := r.skipLineStart && (i == 0 || (i == 1 && data[0] == '\r'))
			r.r += i + 1
			r.off += int64(i + 1)
			data = data[i+1:]
			r.skipLineStart = true
			if empty {
				r.skipping = false
				return nil
			}
		}
		if _, err := r.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				r.skipping = false
				r.err = err // the stream ends here
				return nil
			}
			return err
		}
	}
}

// endOfStream converts a fill error into ReadPacket's error: io.EOF when the
// stream ended cleanly between packets, a *ProtocolError when it ended with a
// partial packet (pos bytes of it scanned). Other errors are returned as they
// are, and the partial packet stays buffered for the next call.
func (r *Reader) endOfStream(err error, pos int) error {
	if !errors.Is(err, io.EOF) {
		return err
	}
	n := r.w - r.r
	if n == 0 {
		return err
	}
	partial := r.buf[r.r:r.w]
	r.r = r.w
	off := r.off
	r.off += int64(n)
	if pos == 0 && len(bytes.Trim(partial, "\r")) == 0 {
		return err // only a stray '\r' was left
	}
	lines := bytes.Count(partial, []byte{'\n'})
	return &ProtocolError{Offset: off, Msg: fmt.Sprintf("stream ended inside a packet (%d bytes, %d lines)", n, lines), Err: io.ErrUnexpectedEOF}
}
