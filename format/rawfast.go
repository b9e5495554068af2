package format

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/ami-cli/ami/amiwire"
)

// RawWriter is a Writer that can write a packet from its wire bytes alone.
// The json and text writers that New returns are RawWriters; raw (which
// copies the bytes anyway) and table (which keeps fields) are not.
//
// It is for a reader that hands on packets unparsed (an amiwire.Client
// with Config.Lend): parsing the fields and then encoding them passes over
// the bytes twice, while for the plain "Key: Value" lines that Asterisk
// sends the output can be written in the same pass that finds the lines.
type RawWriter interface {
	Writer
	// WriteRaw writes the packet whose exact wire bytes are raw (one
	// packet, its final empty line included, as amiwire.Packet.Raw holds
	// them) exactly as WritePacket would write the parsed packet. It
	// reports false, having written nothing, when the bytes need more
	// than its fast path handles; the caller then parses and calls
	// WritePacket. Once the writer has an error it reports true and
	// returns that error, as WritePacket would. raw is not retained.
	WriteRaw(raw []byte) (ok bool, err error)
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
// The loads and stores are unchecked (rawLoad, rawStore): a bounds check
// each would be as much work as the copy itself. A load is made only
// where 8 bytes remain in raw (rawMove, else rawTail). A store is made
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

// rawByte returns the byte at base+i, which the caller has checked to be
// inside the slice base points into.
func rawByte(base unsafe.Pointer, i int) byte { return *(*byte)(unsafe.Add(base, i)) }

// rawTail is rawMove's load near the end of raw: the last eight bytes shifted
// down.
func rawTail(base unsafe.Pointer, n8, q int, fill uint64) uint64 {
	sh := uint(q-n8) * 8 // 8 to 64 (q == n8+8: all fill)
	return rawLoad(base, n8)>>sh | fill<<(64-sh)
}

// rawRoom panics unless the output buffer has room for every store made
// while writing a line, given as d <= lim. The stores for the line at raw
// offset p end at most 10 bytes past d+n, with d the offset of the line's
// output less p at its start: a word past where raw's last byte would go,
// plus the 2 bytes by which the separator (JSON) or the space after the
// colon (text) moves the value. So lim is len(b) - n - rawLineGrowth - 16
// (plus b's address when d is too). Each fast path's ub allows for d
// growing by rawLineGrowth a line for the lines it takes; the check keeps
// the unchecked stores safe should that reasoning ever break.
func rawRoom[T int | uintptr](d, lim T) {
	if d > lim {
		panic("format: raw fast path: output bound broken")
	}
}

// rawLineGrowth is the most a line's output exceeds its wire bytes: JSON
// turns "K:V\n" into `K":"V","`.
const rawLineGrowth = 4

// rawFollows reports whether raw's first line may be the "Response:
// Follows" that opens a legacy Command reply, whose later lines the Reader
// rewrites: a Response whose value, blanks trimmed, starts with an 'f' in
// either case. It errs on the side of declining, which is always correct;
// no ordinary Response value starts so. The first word tells most packets
// apart.
func rawFollows(raw []byte) bool {
	if len(raw) < 9 || raw[8] != ':' || binary.LittleEndian.Uint64(raw)|lower != response {
		return false
	}
	v := bytes.TrimLeft(raw[9:], " \t")
	return len(v) > 0 && v[0]|0x20 == 'f'
}

// rawBareText reports whether raw's first line is not a header as
// amiwire's Reader tests it (a key without blanks, then a colon): bare
// text, which the Reader reads as Output lines. A header's key is short,
// so the loop is too.
func rawBareText(raw []byte) bool {
	for i, c := range raw {
		switch c {
		case ':':
			return i == 0
		case ' ', '\t', '\n':
			return true
		}
	}
	return true
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
// keys, keys that start with '@' (LinesKey is grouped by the general
// path; Asterisk sends no such key) and the legacy Command reply.
func appendRawJSON(dst, raw []byte, keys *rawKeys) ([]byte, bool) {
	n := len(raw)
	if n < rawMinLen || n > rawMaxLen {
		return dst, false
	}
	end := rawEnd(raw)
	if end < 0 || rawFollows(raw) || rawBareText(raw) {
		return dst, false
	}
	const hdr = len(`{"`)
	// Lines grow by rawLineGrowth, for the 64 lines taken and the one
	// declined, and rawRoom's slack.
	ub := n + hdr + rawLineGrowth*(rawMaxLines+1) + rawLineGrowth + 16
	base := len(dst)
	dst = slices.Grow(dst, ub)
	b := dst[base : base+ub]
	b[0], b[1] = '{', '"'
	d, ok := rawJSONLines(unsafe.Pointer(unsafe.SliceData(raw)), n-8, end, b, hdr, keys)
	if !ok {
		return dst[:base], false
	}
	// The last line's output ends at d+end, in the `,"` after its member.
	o := d + end
	b[o-2], b[o-1] = '}', '\n'
	return dst[:base+o], true
}

// rawEnd returns where the empty line that ends raw starts, when raw ends
// in one after a line end ("\n\n" or "\n\r\n"), else -1. The byte before
// it is then a '\n', which ends every scan for a line's end that starts
// before it: the line loops need no other test for the end of raw.
func rawEnd(raw []byte) int {
	n := len(raw)
	switch {
	case n < 3 || raw[n-1] != '\n':
		return -1
	case raw[n-2] == '\n':
		return n - 1
	case raw[n-2] == '\r' && raw[n-3] == '\n':
		return n - 2
	}
	return -1
}

// keyStop flags the first byte of x that ends a JSON key: one not plain
// (see notPlain), or ':'. Only the lowest flag is exact. x^2 maps the
// bytes below 0x20 onto themselves and '"' onto 0x20, so one subtraction
// finds both: x^2 < 0x21 just for them.
func keyStop(x uint64) uint64 {
	k := &stopWords
	return (x | ((x ^ k.two) - k.x21) | ((x ^ k.bslash) - k.ones) | ((x ^ k.colon) - k.ones)) & k.highs
}

// stopWords holds the constants of keyStop and valueStop, never written.
// A 64-bit constant in the code costs a 10-byte MOVQ at each use, where a
// word in memory is an operand of the instruction that uses it, which
// makes the loops' code smaller.
var stopWords = struct{ two, x21, bslash, ones, colon, highs, newlines uint64 }{ones * 2, ones * 0x21, ones * '\\', ones, ones * ':', highs, newlines}

// valueStop flags the first byte of x that is not plain, as keyStop does.
func valueStop(x uint64) uint64 {
	k := &stopWords
	return (x | ((x ^ k.two) - k.x21) | ((x ^ k.bslash) - k.ones)) & k.highs
}

// rawJSONLines writes the members for raw's lines before end (rawEnd) into
// b, `Key":"Value","` each, the first at b[d:], and returns the shift d
// for after the last line; it reports false (having written only b) for
// anything appendRawJSON declines. It is apart from appendRawJSON, and
// takes raw as its address and len(raw)-8, so that its loops have the
// registers: values live across them that they do not use (the output
// slice, n beside n8) were reloaded on every word.
//
// The output for raw[i] is at b[d+i], d growing along the line as
// separators go in and spaces and CRs drop out: by 2 at the colon (1 with
// a space after it), then 2 at a LF line end (1 at CRLF), so by at most
// rawLineGrowth a line.
func rawJSONLines(src unsafe.Pointer, n8, end int, b []byte, d int, keys *rawKeys) (int, bool) {
	out := unsafe.Pointer(unsafe.SliceData(b))
	// rawRoom's bound, for to rather than d: d+n + rawLineGrowth+16 <=
	// len(b).
	lim := uintptr(out) + uintptr(len(b)-(n8+8)-rawLineGrowth-16)
	// to is where raw[0] would go at the shift d: raw[i] goes to to+i.
	// It points into b while d <= len(b)-n-rawLineGrowth-16 (rawRoom).
	to := unsafe.Add(out, d)
	fps := &keys.fp // (nil-checked here, not in the loop)
	// What the loops do not use, in memory (a struct with an array is
	// never held in registers), so that they have the registers.
	var t struct {
		slots [2 * rawMaxLines]uint8 // indexes +1 into fps (0 = empty)
		end   int
		lim   uintptr
		lines int
		fps   *[rawMaxLines]uint64
	}
	t.end, t.lim, t.fps = end, lim, fps
	p := 0 // the line being read
	for {
		rawRoom(uintptr(to), t.lim)
		// The key, up to the first byte that is not plain or is ':'.
		var stop uint64
		q := p
		for ; ; q += 8 {
			if stop = keyStop(rawMove(to, q, src, n8, q, 0)); stop != 0 {
				break
			}
		}
		s := q + bits.TrailingZeros64(stop)>>3
		if s >= t.end {
			return 0, false // (not for a packet rawEnd takes)
		}
		// The byte that ended the key, and the one after it (s+1 < n).
		w := rawLoad16(src, s)
		// The key's first word, as copied (inside b: see rawRoom).
		x0 := rawLoad(to, p)
		if byte(w) != ':' || s == p || byte(x0) == '@' || t.lines == rawMaxLines {
			// A colonless line, a CR or other control byte, a byte not
			// plain (or the empty line that ends the packet, which the
			// loop ends before), an empty key, one for the general path,
			// or too many lines.
			return 0, false
		}
		// The key's fingerprint, for finding a repeated key: its bytes
		// and the colon when it fits a word (the bytes after cleared);
		// otherwise its first and last eight bytes, and its length.
		fp := x0 & (stop ^ (stop - 1))
		if q != p {
			fp = x0 ^ bits.RotateLeft64(rawLoad(src, s-8), 31) ^ uint64(s-p)
		}
		h := int((fp * 0x9e3779b97f4a7c15) >> 57)
		if t.slots[h] != 0 {
			if h = rawProbe(&t.slots, t.fps, h, fp); h < 0 {
				return 0, false
			}
		}
		t.slots[h&(len(t.slots)-1)] = uint8(t.lines + 1)
		t.fps[t.lines&(rawMaxLines-1)] = fp
		rawStore(to, s, sepColon)
		v := s + 1
		if w>>8 == ' ' {
			v++
			to = unsafe.Add(to, len(`":"`)-len(": "))
		} else {
			to = unsafe.Add(to, len(`":"`)-len(":"))
		}

		// The value: up to the first byte that is not plain, which must
		// be the line end.
		for q = v; ; q += 8 {
			if stop = valueStop(rawMove(to, q, src, n8, q, 0)); stop != 0 {
				break
			}
		}
		e := q + bits.TrailingZeros64(stop)>>3
		if e >= t.end {
			return 0, false // (not for a packet rawEnd takes)
		}
		rawStore(to, e, sepComma)
		if w = rawLoad16(src, e); w == '\r'|'\n'<<8 {
			p, to = e+2, unsafe.Add(to, len(`","`)-len("\r\n"))
		} else if byte(w) == '\n' {
			p, to = e+1, unsafe.Add(to, len(`","`)-len("\n"))
		} else {
			return 0, false
		}
		t.lines++
		if p == t.end {
			return int(uintptr(to) - uintptr(out)), true
		}
	}
}

// rawProbe looks for fp in the key table from the slot h on, which is
// taken: it returns the first free slot, or -1 when fp is there. That is
// a repeated key (the general path groups it), or for a key of eight
// bytes or more perhaps another with the same fingerprint: not worth
// telling apart. It is apart from rawJSONLines because the first slot is
// nearly always free, and a loop there cost registers on every line.
func rawProbe(slots *[2 * rawMaxLines]uint8, fps *[rawMaxLines]uint64, h int, fp uint64) int {
	for ; slots[h&(len(slots)-1)] != 0; h++ {
		if fps[(slots[h&(len(slots)-1)]-1)&(rawMaxLines-1)] == fp {
			return -1
		}
	}
	return h & (len(slots) - 1)
}

// appendRawText appends the text for the packet whose wire bytes are raw,
// as textWriter.write would for its parsed fields without Options.Fields
// or Options.Color, and reports whether it did; otherwise dst is returned
// unchanged (only its spare capacity is written).
//
// Text is the line itself with the CR of its line end dropped, and a
// space put in after the colon when the line has none there; text writes
// values as they are, so any byte is taken. It declines only an empty key
// (": value" is written as its value alone), the legacy Command reply and
// bare text.
func appendRawText(dst, raw []byte) ([]byte, bool) {
	n := len(raw)
	if n < rawMinLen || n > rawMaxLen {
		return dst, false
	}
	end := rawEnd(raw)
	if end < 0 || rawFollows(raw) || rawBareText(raw) {
		return dst, false
	}
	// Each line grows by one byte at most (the space after the colon);
	// rawRoom allows rawLineGrowth.
	ub := n + rawMaxLines + 1 + rawLineGrowth + 16
	base := len(dst)
	dst = slices.Grow(dst, ub)
	b := dst[base : base+ub]
	d, ok := rawTextLines(unsafe.Pointer(unsafe.SliceData(raw)), n-8, end, b, 0)
	if !ok {
		return dst[:base], false
	}
	// The empty line after the last line.
	o := d + end
	b[o] = '\n'
	return dst[:base+o+1], true
}

// textStop flags the first ':' or '\n' in x, exactly (any byte may be in
// a text line).
func textStop(x uint64) uint64 {
	k := &stopWords
	c, nl := x^k.colon, x^k.newlines
	return ((c-k.ones)&^c | (nl-k.ones)&^nl) & k.highs
}

// lineStop flags the first '\n' in x, exactly.
func lineStop(x uint64) uint64 {
	k := &stopWords
	nl := x ^ k.newlines
	return (nl - k.ones) &^ nl & k.highs
}

// rawTextLines writes the text for raw's lines before end (rawEnd) into b,
// the first at b[d:], and returns the shift d for after the last line, as
// rawJSONLines does for JSON; it reports false for anything appendRawText
// declines. The output for raw[i] is at b[d+i], d growing by 1 at a colon
// without a space after it, and shrinking by 1 at a CR before a '\n' (so
// d may be below 0, and the stores are at out+d+i rather than at a
// pointer to where raw[0] would go).
func rawTextLines(src unsafe.Pointer, n8, end int, b []byte, d int) (int, bool) {
	out := unsafe.Pointer(unsafe.SliceData(b))
	lim := len(b) - (n8 + 8) - rawLineGrowth - 16 // (rawRoom)
	p, lines := 0, 0                              // the line being read, the lines read
	for {
		if lines == rawMaxLines {
			// A 65th line (the empty line after the 64th ended the loop
			// below).
			return 0, false
		}
		rawRoom(d, lim)
		// Up to the first ':' or '\n'.
		var stop uint64
		q := p
		for ; ; q += 8 {
			if stop = textStop(rawMove(out, d+q, src, n8, q, newlines)); stop != 0 {
				break
			}
		}
		s := q + bits.TrailingZeros64(stop)>>3
		if s >= end {
			return 0, false // (not for a packet rawEnd takes)
		}
		// The byte that ended the key, and the one after it (s+1 < n).
		w := rawLoad16(src, s)
		v := s // where the rest of the line starts
		if byte(w) == '\n' {
			if s == p || s == p+1 && rawByte(src, p) == '\r' {
				return 0, false // an empty line before the end
			}
			// A colonless line, written as it came (it has no value to
			// shift); its end is found below, at s.
		} else {
			if s == p {
				return 0, false // an empty key: the value alone is written
			}
			rawStore(out, d+s+1, ' ') // the space, when the line has none
			v++
			if w>>8 == ' ' {
				v++
			} else {
				d++
			}
		}
		// The rest of the line, up to its '\n', goes after "Key: " (after
		// the colonless line's start).
		for q = v; ; q += 8 {
			if stop = lineStop(rawMove(out, d+q, src, n8, q, newlines)); stop != 0 {
				break
			}
		}
		nl := q + bits.TrailingZeros64(stop)>>3
		if nl >= end {
			return 0, false // (not for a packet rawEnd takes)
		}
		// The CR of the line end is dropped. It cannot be before v (and
		// shorten the value below nothing): the byte before v is the
		// colon, or the space after it, or v == s is the '\n' itself.
		if rawByte(src, nl-1) == '\r' { // nl-1 >= p: a line here holds a byte before its '\n'
			d--
			rawStore(out, d+nl, '\n')
		} else {
			rawStore(out, d+nl, '\n')
		}
		lines++
		p = nl + 1
		if p == end {
			return d, true
		}
	}
}

// WriteRaw writes the packet whose wire bytes are raw as WritePacket
// writes the parsed packet, when appendRawJSON takes it. Options.Color
// makes no difference to JSON, so it is taken.
func (j *jsonWriter) WriteRaw(raw []byte) (bool, error) {
	if j.err != nil {
		return true, j.err
	}
	if len(j.opts.Fields) > 0 {
		return false, nil
	}
	if len(j.lead) > 0 {
		b := append(j.buf, j.lead...)
		out, ok := appendRawJSON(b, raw, &j.rawKeys)
		if !ok {
			return false, nil
		}
		j.buf = joinLead(out, len(b))
		return true, j.maybeFlush()
	}
	out, ok := appendRawJSON(j.buf, raw, &j.rawKeys)
	if !ok {
		return false, nil
	}
	j.buf = out
	return true, j.maybeFlush()
}

// WriteRaw writes the packet whose wire bytes are raw as WritePacket
// writes the parsed packet, when appendRawText takes it.
func (t *textWriter) WriteRaw(raw []byte) (bool, error) {
	if t.err != nil {
		return true, t.err
	}
	if len(t.opts.Fields) > 0 || t.opts.Color || t.opts.Escape && rawNeedsEscape(raw) {
		return false, nil
	}
	out, ok := appendRawText(append(t.buf, t.lead...), raw)
	if !ok {
		return false, nil
	}
	t.buf = out
	return true, t.maybeFlush()
}
