package format

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"time"
	"unsafe"

	"github.com/ami-cli/ami/amiwire"
)

// RawWriter is a Writer that can write a packet from its wire bytes alone.
// The json and text writers that New returns are RawWriters; raw (which
// copies the bytes anyway) and table (which keeps fields) are not.
//
// It is for a reader that hands on packets unparsed (amiwire's
// Reader.SkimEvents): parsing the fields and then encoding them passes over
// the bytes twice, while for the plain "Key: Value" lines that Asterisk
// sends the output can be written in the same pass that finds the lines.
type RawWriter interface {
	Writer
	// WriteRaw writes the packet whose exact wire bytes are raw (one
	// packet, its final empty line included, as amiwire.Packet.Raw holds
	// them), stamped with t when Options.Timestamps is set, exactly as
	// WritePacketAt would write the parsed packet. It reports false,
	// having written nothing, when the bytes need more than its fast path
	// handles; the caller then parses and calls WritePacketAt. Once the
	// writer has an error it reports true and returns that error, as
	// WritePacketAt would. raw is not retained.
	WriteRaw(raw []byte, t time.Time) (ok bool, err error)
}

var (
	_ RawWriter = (*jsonWriter)(nil)
	_ RawWriter = (*textWriter)(nil)
)

// The fast paths from wire bytes (appendRawJSON, appendRawText) walk the
// packet line by line, and each line segment by segment (key, then
// value). A segment is copied to its place in the output eight bytes at a
// time while the same words are searched for the byte that ends it (the
// bytes stored past the end land in spare capacity and are overwritten by
// what follows), so each byte is loaded once, or twice in the word where a
// segment ends. They decline (return false, dst unchanged) whatever the
// parse would treat specially, and the caller falls back to the parser;
// declining is always correct, so every test may be conservative. What
// they take, they must write exactly as the parsed packet is written: see
// TestWriteRaw and FuzzWriteRaw, which compare with amiwire's Reader.
//
// The loads and stores are unchecked (rawLoad, rawStore): with a bounds
// check each, the loops took twice the instructions. A load is made only
// where 8 bytes remain in raw (rawWord, else rawTail). A store is made
// only after the check at the start of each line that the output buffer
// holds the whole line's worst case (see rawRoom).

const (
	// rawMaxLines is the most lines (fields) the fast paths take: the JSON
	// key table (plainMaxFields) has room for no more, and a packet with
	// more is no ordinary event.
	rawMaxLines = plainMaxFields
	// rawMaxLen is the largest packet the fast paths take: under the
	// Reader's default line limit, so no line of it is over a limit.
	rawMaxLen = amiwire.DefaultMaxLineLength
	// rawMinLen is the smallest: a word can then always be loaded from
	// inside raw (see rawTail). "A: b\r\n\r\n" is eight bytes.
	rawMinLen = 8
	// newlines fills text's words past the end of raw: a '\n' there ends
	// the line being scanned, and is then seen to be past the end.
	newlines = ones * '\n'
	// response is "response" as a word, and lower makes the letters of a
	// word lower case: see rawFollows.
	response = uint64('r') | uint64('e')<<8 | uint64('s')<<16 | uint64('p')<<24 |
		uint64('o')<<32 | uint64('n')<<40 | uint64('s')<<48 | uint64('e')<<56
	lower = ones * 0x20
)

// rawLoad returns the eight bytes at base+i as a little-endian word. The
// caller has checked that they are inside the slice base points into.
func rawLoad(base unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(base, i)), 8))
}

// rawStore writes x at base+i, little-endian. The caller has checked that
// the eight bytes are inside the slice base points into.
func rawStore(base unsafe.Pointer, i int, x uint64) {
	binary.LittleEndian.PutUint64(unsafe.Slice((*byte)(unsafe.Add(base, i)), 8), x)
}

// rawByte returns the byte at base+i, which the caller has checked to be
// inside the slice base points into.
func rawByte(base unsafe.Pointer, i int) byte { return *(*byte)(unsafe.Add(base, i)) }

// rawWord returns the eight bytes of raw (at base, n long, n >= 8) at q,
// q <= n, as a word; past the end of raw the bytes are fill's.
func rawWord(base unsafe.Pointer, n, q int, fill uint64) uint64 {
	if q+8 <= n {
		return rawLoad(base, q)
	}
	return rawTail(base, n, q, fill)
}

// rawTail is rawWord near the end of raw: the last eight bytes shifted
// down.
func rawTail(base unsafe.Pointer, n, q int, fill uint64) uint64 {
	sh := uint(q+8-n) * 8 // 8 to 64 (q == n: all fill)
	return rawLoad(base, n-8)>>sh | fill<<(64-sh)
}

// rawRoom panics unless b has room for every store made while writing
// the line that starts at raw offset p to output offset o. Those stores
// end at most 10 bytes past o - p + n: a word past where raw's last byte
// would go at the line's offset, plus the 2 bytes by which the separator
// (JSON) or the space after the colon (text) moves the value. Each fast
// path's ub allows for o - p growing by rawLineGrowth a line for the
// lines it takes; the check keeps the unchecked stores safe should that
// reasoning ever break.
func rawRoom(b []byte, o, p, n int) {
	if o-p+n+rawLineGrowth+16 > len(b) {
		panic("format: raw fast path: output bound broken")
	}
}

// rawLineGrowth is the most a line's output exceeds its wire bytes: JSON
// turns "K:V\n" into `K":"V","`.
const rawLineGrowth = 4

// firstEq returns a word whose lowest set bit is the high bit of the first
// byte of x equal to c (higher bits mean nothing), or 0 when none is.
// A borrow starts only at a byte equal to c; &^v drops bytes at or above
// 0x80, whose high bit survives the subtraction.
func firstEq(x uint64, c byte) uint64 {
	v := x ^ ones*uint64(c)
	return (v - ones) &^ v & highs
}

// rawFollows reports whether raw's first line is "Response: Follows" as
// amiwire's Reader tests it (same folding, same trimming): the legacy
// Command reply, whose later lines the Reader rewrites. Most packets are
// told apart by their first word.
func rawFollows(raw []byte) bool {
	if len(raw) < 9 || raw[8] != ':' || binary.LittleEndian.Uint64(raw)|lower != response {
		return false
	}
	line := raw
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line = bytes.TrimSuffix(raw[:i], []byte{'\r'})
	}
	v := line[9:]
	if len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	return bytes.EqualFold(line[:8], []byte("Response")) && bytes.EqualFold(bytes.Trim(v, " \t"), []byte("Follows"))
}

// rawKeys is the JSON fast path's table for finding a repeated key: per
// field, its key's fingerprint. It lives in the writer so that it need
// not be cleared for each packet (only the slot table that indexes it is).
type rawKeys struct {
	fp [rawMaxLines]uint64
}

// appendRawJSON appends the JSON line (newline included) for the packet
// whose wire bytes are raw, as jsonWriter.write would for its parsed
// fields, and reports whether it did; otherwise dst is returned unchanged
// (only its spare capacity is written). It takes packets of plain keys
// and values (see notPlain) with no key repeated, "Key: Value" lines
// ended by CRLF or LF and no other CR; it declines colonless lines, empty
// keys, keys that start with '@' (LinesKey and TimestampKey are grouped by
// the general path; Asterisk sends no such key) and the legacy Command
// reply.
func appendRawJSON(dst, raw, stamp []byte, keys *rawKeys) ([]byte, bool) {
	n := len(raw)
	if n < rawMinLen || n > rawMaxLen || rawFollows(raw) {
		return dst, false
	}
	hdr := len(`{"`)
	if stamp != nil {
		hdr += len(TimestampKey+`":"`) + len(stamp) + len(`","`)
	}
	// Lines grow by rawLineGrowth, for the 64 lines taken and the one
	// declined, and rawRoom's slack.
	ub := n + hdr + rawLineGrowth*(rawMaxLines+1) + rawLineGrowth + 16
	base := len(dst)
	dst = slices.Grow(dst, ub)
	b := dst[base : base+ub]
	b[0], b[1] = '{', '"'
	if stamp != nil {
		o := 2 + copy(b[2:], TimestampKey+`":"`)
		o += copy(b[o:], stamp)
		copy(b[o:], `","`)
	}

	src, out := unsafe.Pointer(unsafe.SliceData(raw)), unsafe.Pointer(unsafe.SliceData(b))
	var slots [2 * rawMaxLines]uint8 // indexes +1 into keys (0 = empty)
	const slotMask = len(slots) - 1
	p, o, lines := 0, hdr, 0 // the line being read, where it goes, the lines read
	for {
		rawRoom(b, o, p, n)
		// The key, up to the first byte that is not plain or is ':'.
		// (notPlain's lowest flag is exact; so is that of x^':' - ones
		// below any flagged byte.)
		x0 := rawWord(src, n, p, 0)
		x, q := x0, p
		var stop uint64
		for {
			rawStore(out, o+q-p, x)
			if stop = (notPlain(x) | (x ^ ones*':' - ones)) & highs; stop != 0 {
				break
			}
			q += 8
			x = rawWord(src, n, q, 0)
		}
		s := q + bits.TrailingZeros64(stop)>>3
		if s >= n {
			return dst[:base], false // a line without its end
		}
		if rawByte(src, s) != ':' {
			// The empty line that ends the packet, which must end raw,
			// or something to decline (a colonless line, a CR or other
			// control byte, a byte not plain).
			if c := rawByte(src, s); s == p && lines > 0 &&
				(c == '\n' && s+1 == n || c == '\r' && s+2 == n && rawByte(src, s+1) == '\n') {
				break
			}
			return dst[:base], false
		}
		m := s - p
		if m == 0 || byte(x0) == '@' || lines == rawMaxLines {
			return dst[:base], false
		}
		// The key's fingerprint: its bytes when it fits a word (bytes past
		// it cleared), its first and last words otherwise; with the length,
		// so that keys of different lengths differ.
		var fp uint64
		if m < 8 {
			fp = x0 & (1<<(8*m) - 1)
		} else {
			fp = x0 ^ bits.RotateLeft64(rawLoad(src, s-8), 31)
		}
		fp ^= uint64(m) << 56
		for h := int((fp * 0x9e3779b97f4a7c15) >> 57); ; h = (h + 1) & slotMask {
			i := slots[h]
			if i == 0 {
				slots[h] = uint8(lines + 1)
				keys.fp[lines&(rawMaxLines-1)] = fp
				break
			}
			if keys.fp[(i-1)&(rawMaxLines-1)] == fp {
				// A repeated key (the general path groups it), or for a
				// key over eight bytes perhaps another with the same
				// fingerprint: not worth telling apart (and a call here
				// would cost every line spilled registers).
				return dst[:base], false
			}
		}
		rawStore(out, o+m, sepColon)
		o += m + len(`":"`)

		// The value: after the colon and one space, up to the first byte
		// that is not plain, which must be the line end.
		v := s + 1
		if v >= n {
			return dst[:base], false
		}
		if rawByte(src, v) == ' ' {
			v++
		}
		q = v
		for {
			x = rawWord(src, n, q, 0)
			rawStore(out, o+q-v, x)
			if stop = notPlain(x) & highs; stop != 0 {
				break
			}
			q += 8
		}
		e := q + bits.TrailingZeros64(stop)>>3
		if e+1 >= n {
			return dst[:base], false // past raw, or no empty line after
		}
		nl := e
		if c := rawByte(src, e); c != '\n' {
			if c != '\r' || rawByte(src, e+1) != '\n' {
				return dst[:base], false
			}
			nl++
		}
		m = e - v
		rawStore(out, o+m, sepComma)
		o += m + len(`","`)
		lines++
		p = nl + 1
		if p >= n {
			return dst[:base], false // no empty line
		}
	}
	// b[o-2:o] is the `,"` after the last member.
	b[o-2], b[o-1] = '}', '\n'
	return dst[:base+o], true
}

// appendRawText appends the text for the packet whose wire bytes are raw,
// as textWriter.write would for its parsed fields without Options.Fields
// or Options.Color, and reports whether it did; otherwise dst is returned
// unchanged (only its spare capacity is written).
//
// Text is the line itself with the CR of its line end dropped, and a
// space put in after the colon when the line has none there; text writes
// values as they are, so any byte is taken. It declines only an empty key
// (": value" is written as its value alone) and the legacy Command reply.
func appendRawText(dst, raw, stamp []byte) ([]byte, bool) {
	n := len(raw)
	if n < rawMinLen || n > rawMaxLen || rawFollows(raw) {
		return dst, false
	}
	hdr := 0
	if stamp != nil {
		hdr = len(TimestampKey+": ") + len(stamp) + len("\n")
	}
	// Each line grows by one byte at most (the space after the colon);
	// rawRoom allows rawLineGrowth.
	ub := n + hdr + rawMaxLines + 1 + rawLineGrowth + 16
	base := len(dst)
	dst = slices.Grow(dst, ub)
	b := dst[base : base+ub]
	if stamp != nil {
		o := copy(b, TimestampKey+": ")
		o += copy(b[o:], stamp)
		b[o] = '\n'
	}

	src, out := unsafe.Pointer(unsafe.SliceData(raw)), unsafe.Pointer(unsafe.SliceData(b))
	p, o, lines := 0, hdr, 0
	for {
		if lines == rawMaxLines {
			// A 65th line (the empty line after the 64th ended the loop
			// below).
			return dst[:base], false
		}
		rawRoom(b, o, p, n)
		// Up to the first ':' or '\n'.
		x0 := rawWord(src, n, p, newlines)
		x, q := x0, p
		var stop uint64
		for {
			rawStore(out, o+q-p, x)
			if stop = firstEq(x, ':') | firstEq(x, '\n'); stop != 0 {
				break
			}
			q += 8
			x = rawWord(src, n, q, newlines)
		}
		s := q + bits.TrailingZeros64(stop)>>3
		if s+1 >= n {
			// Past raw (a line without its end), or a last line that is
			// not empty, or ends in a colon.
			return dst[:base], false
		}
		v, ov := s+1, o+s-p+2 // where the rest of the line starts, in raw and out
		if rawByte(src, s) == '\n' {
			if s == p || s == p+1 && rawByte(src, p) == '\r' {
				return dst[:base], false // an empty line before the end
			}
			// A colonless line, written as it came (it has no value to
			// shift); its end is found below, at s.
			v, ov = s, o+s-p
		} else {
			if s == p {
				return dst[:base], false // an empty key: the value alone is written
			}
			rawStore(out, o+s-p+1, ' ') // the space, when the line has none
			if rawByte(src, v) == ' ' {
				v++
			}
		}
		// The rest of the line, up to its '\n', goes after "Key: " (after
		// the colonless line's start).
		q = v
		for {
			x = rawWord(src, n, q, newlines)
			rawStore(out, ov+q-v, x)
			if stop = firstEq(x, '\n'); stop != 0 {
				break
			}
			q += 8
		}
		nl := q + bits.TrailingZeros64(stop)>>3
		if nl+1 >= n {
			return dst[:base], false // past raw, or no empty line after it
		}
		// The CR of the line end is dropped. It cannot be before v (and
		// shorten the value below nothing): the byte before v is the
		// colon, or the space after it, or v == s is the '\n' itself.
		e := nl
		if rawByte(src, e-1) == '\r' { // e-1 >= p: a line here holds a byte before its '\n'
			e--
		}
		o = ov + e - v
		rawStore(out, o, '\n')
		o++
		lines++
		p = nl + 1
		if c := rawByte(src, p); c == '\n' && p+1 == n || c == '\r' && p+2 == n && rawByte(src, p+1) == '\n' {
			break
		}
	}
	b[o] = '\n'
	return dst[:base+o+1], true
}

// WriteRaw writes the packet whose wire bytes are raw, received at t, as
// WritePacketAt writes the parsed packet, when appendRawJSON takes it.
// Options.Color makes no difference to JSON, so it is taken.
func (j *jsonWriter) WriteRaw(raw []byte, t time.Time) (bool, error) {
	if j.err != nil {
		return true, j.err
	}
	if len(j.opts.Fields) > 0 {
		return false, nil
	}
	out, ok := appendRawJSON(j.buf, raw, j.stampOf(j.opts.Timestamps, t), &j.rawKeys)
	if !ok {
		return false, nil
	}
	j.buf = out
	return true, j.maybeFlush()
}

// WriteRaw writes the packet whose wire bytes are raw, received at t, as
// WritePacketAt writes the parsed packet, when appendRawText takes it.
func (t *textWriter) WriteRaw(raw []byte, tm time.Time) (bool, error) {
	if t.err != nil {
		return true, t.err
	}
	if len(t.opts.Fields) > 0 || t.opts.Color {
		return false, nil
	}
	out, ok := appendRawText(t.buf, raw, t.stampOf(t.opts.Timestamps, tm))
	if !ok {
		return false, nil
	}
	t.buf = out
	return true, t.maybeFlush()
}
