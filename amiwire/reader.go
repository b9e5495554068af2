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
// Packets are parsed in place: a packet's Raw and the strings of its Fields
// point into the chunk of input the Reader read them into, and its Fields
// slice is carved from a shared slab. Neither is ever written again once the
// packet is returned, so each packet stays valid forever, and reading a
// packet costs no allocation most of the time (one 128 KiB chunk and one field
// slab are shared by many packets). Keeping any packet keeps its chunk alive.
// A consumer that is done with its packets in order can have their memory
// reused instead (Recycle, Release): then reading costs no allocation at
// all, and a packet is valid only until released. SkimEvents leaves most of
// an event unparsed, for a consumer that needs little of it.
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

	seq          uint64    // packets returned so far
	rec          *recycler // non-nil after Recycle
	bufPooled    bool      // buf came from rec and goes back to it
	fieldsPooled bool      // fields came from rec and goes back to it

	skipping      bool // skipping the rest of an over-limit packet
	skipLineStart bool // the skip is at the start of a line

	// SkimEvents, when set, makes ReadPacket return an event wholly
	// buffered (a packet whose first line is "Event: ...") with its Raw
	// bytes and only its first field, the Event header, and its ActionID
	// header if it has one, without parsing the rest: for a consumer that
	// may need no more than the name and the bytes (raw output), and that
	// parses the rest with a FieldParser where it does (on its own
	// goroutine; see Skimmed). Everything else is read as usual. It may be
	// changed between reads.
	SkimEvents bool

	plainEvent bool // the last packet returned was skimmed and has no ActionID
}

// NewReader returns a Reader reading from src. It does its own buffering.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src}
}

// Offset returns the stream offset of the next unread byte.
func (r *Reader) Offset() int64 { return r.off }

// Seq returns the number of packets returned so far: right after a
// ReadPacket, the number of that packet (the first is 1). Release takes it.
func (r *Reader) Seq() uint64 { return r.seq }

// Recycle makes the Reader reuse the memory of packets once they are
// released: from this call on, a packet it returns stays valid only until
// Release is called with its number (Seq) or a later one, after which its
// Raw, its Fields and their strings may be overwritten by later input.
// Packets returned before the call are not affected. A steady stream then
// costs no allocation at all. Call it from the reading goroutine.
func (r *Reader) Recycle() {
	if r.rec == nil {
		r.rec = &recycler{}
	}
}

// Release says that every packet numbered up to seq (see Seq) is no longer
// used, so that a Reader in Recycle mode may reuse its memory. Release may
// be called from any goroutine; without Recycle it does nothing.
func (r *Reader) Release(seq uint64) {
	if r.rec != nil {
		r.rec.release(seq)
	}
}

// newChunk returns an input buffer of size bytes: a released one when
// recycling and size is the standard chunk size.
func (r *Reader) newChunk(size int) ([]byte, bool) {
	if r.rec == nil || size != chunkSize {
		return make([]byte, size), false
	}
	if b, ok := reuse(r.rec, &r.rec.bufs); ok {
		return b, true
	}
	return make([]byte, size), true
}

// retireChunk hands the current input buffer back to the recycler, to be
// reused once the packets that point into it are released.
func (r *Reader) retireChunk() {
	if r.bufPooled {
		last := uint64(0)
		if r.shared {
			last = r.seq
		}
		retire(r.rec, &r.rec.bufs, r.buf, last)
	}
	r.buf, r.bufPooled = nil, false
	r.marks.reset()
}

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
		r.buf, r.bufPooled = r.newChunk(chunkSize)
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
		nb, pooled := r.newChunk(size)
		copy(nb, r.buf[r.r:r.w])
		r.retireChunk()
		r.buf, r.bufPooled = nb, pooled
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
			if _, ok := BannerVersion(s); !ok {
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

// Parsing modes of a packet: the legacy Command reply needs a little state.
const (
	modeHeaders = iota // ordinary "Key: Value" lines
	modeFollows        // after "Response: Follows": headers until the first non-header line
	modeCommand        // after "Privilege: Command" too: only ActionID is still a header
	modeOutput         // raw Command output up to "--END COMMAND--"; empty lines included
)

// ReadPacket reads the next non-empty packet.
//
// At the end of the stream between packets it returns io.EOF. A stream that
// ends inside a packet gives a *ProtocolError wrapping io.ErrUnexpectedEOF.
// A packet over a limit gives a *LimitError after skipping that packet (up to
// and including the next empty line), and the next call reads the packet
// after it. Errors from the source are returned as they are, once.
func (r *Reader) ReadPacket() (Packet, error) {
	return r.readPacket(true)
}

// errNeedRead is readPacket's answer, when not blocking, that the next
// packet is not wholly buffered yet.
var errNeedRead = errors.New("amiwire: next packet not buffered")

// TryReadPacket returns the next packet when it is already wholly buffered,
// without reading from the source; ok is false when the next step would
// need a read (or has a pending error or an over-limit packet to report):
// call ReadPacket then. A caller that gathers packets in batches uses it to
// tell when to hand its batch on before blocking.
func (r *Reader) TryReadPacket() (p Packet, ok bool, err error) {
	if r.skipping || r.err != nil {
		return Packet{}, false, nil
	}
	p, err = r.readPacket(false)
	if err == errNeedRead {
		return Packet{}, false, nil
	}
	return p, err == nil, err
}

// readPacket is ReadPacket; when block is false it returns errNeedRead,
// with the packet in progress left unread, where ReadPacket would read
// from the source or skip an over-limit packet.
func (r *Reader) readPacket(block bool) (Packet, error) {
	r.plainEvent = false
	if r.skipping {
		if err := r.skip(); err != nil {
			return Packet{}, err
		}
	}
	maxLine, maxPacket, maxHeaders := r.limits()
restart:
	if r.SkimEvents {
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
				return Packet{}, r.overLimit(LimitHeaders, maxHeaders, start, first)
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

// skim returns the event at the start of the buffer with only its first
// field and its ActionID (whoever routes it needs that), when the whole
// event is buffered and ReadPacket would return it as it is: its first line
// is "Event: ..." (so no legacy Command reply), no stray empty line comes
// first, and no limit is near. An event with an EventList header (the end
// of a list) or two ActionIDs is read whole.
func (r *Reader) skim(maxLine, maxPacket, maxHeaders int) (Packet, bool) {
	const (
		eventColon = 0x3a_74_6e_65_76_65 // "event:", little-endian
		six        = 0xffff_ffff_ffff    // the low six bytes
	)
	data := r.buf[r.r:r.w]
	if len(data) < 8 || (load64(unsafe.Pointer(unsafe.SliceData(data)), 0)|swarLower>>24)&six != eventColon {
		return Packet{}, false // not "Event:" in any case (':' has the 0x20 bit already)
	}
	r.marks.update(r.buf, r.w)
	end, firstEnd, lines, aid := skimEnd(data, r.marks.nl, r.r)
	if end < 0 || end > min(maxLine, maxPacket) || lines > maxHeaders {
		return Packet{}, false // the general loop waits, reports the limit or parses it all
	}
	first := r.nf
	if first+2 > len(r.fields) {
		first = r.growFields(first)
	}
	r.fields[first] = headerAt(data, 0, 5, firstEnd)
	nf := first + 1
	if aid >= 0 {
		e := next(r.marks.nl, r.r+aid, r.r+end) - r.r
		if e > aid && data[e-1] == '\r' {
			e--
		}
		r.fields[nf] = headerAt(data, aid, aid+8, e)
		nf++
	}
	r.nf = nf
	r.r += end
	r.off += int64(end)
	r.shared = true
	r.seq++
	r.plainEvent = aid < 0
	return Packet{Fields: r.fields[first:nf:nf], Raw: data[:end:end]}, true
}

// headerAt is the field of the line data[start:end] whose colon is at
// colon, parsed as ReadPacket does: one space after the colon is dropped.
func headerAt(data []byte, start, colon, end int) Field {
	v := colon + 1
	if v < end && data[v] == ' ' {
		v++
	}
	return Field{Key: bytesString(data[start:colon]), Value: bytesString(data[v:end])}
}

// skimEnd finds the end of the packet at the start of data: the offset
// just past its empty line, the end of its first line without the line
// end, how many lines come before the empty one, and where its ActionID
// line starts (-1: none). The end is -1 when the empty line has not
// arrived, or when the packet needs the general loop: a second ActionID
// line, or an EventList header (which ends or cancels a list). It finds
// the line ends in nls, the line end marks of the buffer that data starts
// at offset off of (marked up to the end of data at least), and looks only at the first bytes of each next line:
// most of the work of reading an event that no one parses.
func skimEnd(data []byte, nls []uint64, off int) (end, firstEnd, lines, aid int) {
	const (
		actionID = 0x6469_6e6f_6974_6361 // "actionid", little-endian
		eventLis = 0x7369_6c74_6e65_7665 // "eventlis"
	)
	base := unsafe.Pointer(unsafe.SliceData(data))
	n := len(data)
	firstEnd, aid = -1, -1
	// The line ends are the set bits of the marks from off on, taken one
	// word at a time; the marks are clear past the data.
	words := unsafe.Pointer(unsafe.SliceData(nls))
	k := off >> 6
	w := wordAt(words, k) &^ (1<<(off&63) - 1)
	for {
		for w == 0 {
			k++
			if k<<6 >= off+n {
				return -1, firstEnd, lines, aid
			}
			w = wordAt(words, k)
		}
		nl := k<<6 + bits.TrailingZeros64(w) - off
		w &= w - 1
		if lines == 0 {
			firstEnd = nl
			if nl > 0 && byteAt(base, nl-1) == '\r' {
				firstEnd--
			}
		}
		lines++
		next := nl + 1
		if next >= n {
			return -1, firstEnd, lines, aid
		}
		switch c := byteAt(base, next); {
		case c == '\n':
			return nl + 2, firstEnd, lines, aid
		case c == '\r':
			if next+1 >= n {
				return -1, firstEnd, lines, aid
			}
			if byteAt(base, next+1) == '\n' {
				return nl + 3, firstEnd, lines, aid
			}
		case c|0x20 == 'a':
			if next+9 <= n {
				if load64(base, next)|swarLower == actionID && byteAt(base, next+8) == ':' {
					if aid >= 0 {
						return -1, firstEnd, lines, aid
					}
					aid = next
				}
			} else if strings.HasPrefix("actionid:", strings.ToLower(bytesString(data[next:]))) {
				return -1, firstEnd, lines, aid // may be an ActionID: the general loop waits
			}
		case c|0x20 == 'e':
			if next+10 <= n {
				if load64(base, next)|swarLower == eventLis && byteAt(base, next+8)|0x20 == 't' && byteAt(base, next+9) == ':' {
					return -1, firstEnd, lines, aid
				}
			} else if strings.HasPrefix("eventlist:", strings.ToLower(bytesString(data[next:]))) {
				return -1, firstEnd, lines, aid
			}
		}
	}
}

// Skimmed reports whether p may be an event that Reader.SkimEvents left
// partly parsed: it has Raw and no more than its Event and ActionID fields.
// A small packet read whole says so too; parsing it again is harmless.
func Skimmed(p Packet) bool { return p.Raw != nil && len(p.Fields) <= 2 }

// FieldParser parses the fields of packets whose bytes are at hand, such as
// the Raw of an event that Reader.SkimEvents left unparsed, exactly as a
// Reader would. It reuses its memory: the fields it returns are valid until
// the next Parse, and their strings point into the bytes parsed. The zero
// value is ready to use; it is not safe for concurrent use.
type FieldParser struct {
	r Reader
}

// Parse returns the fields of the one packet in raw (its final empty line
// included). An incomplete packet or one over the default limits gives the
// Reader's error.
func (p *FieldParser) Parse(raw []byte) ([]Field, error) {
	r := &p.r
	r.buf, r.r, r.w, r.off = raw, 0, len(raw), 0
	r.nf, r.shared, r.skipping = 0, false, false
	r.marks.reset()
	r.err = io.EOF // no source: the end of raw is the end of the stream
	pkt, err := r.readPacket(true)
	r.buf = nil // keep no packet memory alive
	return pkt.Fields, err
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
	return len(p.Fields) > 0 && p.Fields[0].Key == "Output" && p.Kind() == KindUnknown
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
	size := max(fieldSlabLen, 2*n)
	var nf []Field
	pooled := false
	if r.rec != nil && size == fieldSlabLen {
		pooled = true
		if f, ok := reuse(r.rec, &r.rec.fields); ok {
			nf = f
		}
	}
	if nf == nil {
		nf = make([]Field, size)
	}
	copy(nf, r.fields[first:r.nf])
	if r.fieldsPooled {
		retire(r.rec, &r.rec.fields, r.fields, r.seq)
	}
	r.fields, r.fieldsPooled = nf, pooled
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
func overAt(data []byte, s, last, maxLine, maxPacket int) (Limit, int, bool) {
	if s >= maxPacket {
		return LimitPacket, maxPacket, true
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
		return LimitLine, maxLine, true
	case atPacket >= 0:
		return LimitPacket, maxPacket, true
	}
	return "", 0, false
}

// overLimit abandons the packet in progress, skips the rest of it from the
// line starting at pos (which may be its final empty line) and returns the
// *LimitError.
func (r *Reader) overLimit(limit Limit, max, pos, first int) error {
	r.nf = first
	e := &LimitError{Limit: limit, Max: max, Offset: r.off}
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
