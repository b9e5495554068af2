package amiwire

import (
	"bytes"
	"io"
	"math/bits"
	"strings"
	"unsafe"
)

// Skimming: for a consumer that may need no more than an event's name and
// bytes (raw output), or that writes the rest straight from the bytes, a
// Client with Config.Lend has its Reader return an event wholly buffered
// (a packet whose first line is "Event: ...") with its Raw bytes and only
// its Event and ActionID fields, without parsing the rest: the read loop
// then does a fraction of the work. Packet.Complete parses the rest, on
// the consumer's goroutine, where it is needed. Everything else is read
// whole.

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

// skimmed reports whether p may be an event that the Reader skimmed: it
// has Raw and no more than its Event and ActionID fields. A small packet
// read whole says so too; parsing it again is harmless.
func skimmed(p Packet) bool { return p.Raw != nil && len(p.Fields) <= 2 }

// Complete returns p with all its fields. A Client with Config.Lend may
// hand over an event with only its Event and ActionID fields parsed (its
// Raw holds all of them): Complete parses the rest exactly as ReadPacket
// would, into scratch when it has room for them (pass the same spare slice
// each time, once done with the packet completed before, and completing
// costs no allocation); the strings point into p.Raw. Any other packet is
// returned as it is.
func (p Packet) Complete(scratch []Field) Packet {
	if !skimmed(p) {
		return p
	}
	if len(p.Raw) > completeMax || len(p.Raw) < 6 || !strings.EqualFold(bytesString(p.Raw[:6]), "event:") {
		return p.completeSlowly()
	}
	fields := scratch[:0]
	if n := bytes.Count(p.Raw, []byte{'\n'}); cap(fields) < n {
		fields = make([]Field, 0, n)
	}
	// An event the Reader skimmed is plain "Key: Value" lines (and lines
	// without a colon), within every limit, up to its empty line.
	data := p.Raw
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return p.completeSlowly() // not a whole packet
		}
		line := data[:nl]
		data = data[nl+1:]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			return Packet{Fields: fields, Raw: p.Raw}
		}
		if colon := bytes.IndexByte(line, ':'); colon >= 0 {
			fields = append(fields, headerAt(line, 0, colon, len(line)))
		} else {
			fields = append(fields, Field{Value: bytesString(line)})
		}
	}
	return p.completeSlowly()
}

// completeMax bounds the events Complete parses itself: a bigger one may be
// over a limit, which the Reader's parse reports.
const completeMax = 64 << 10

// completeSlowly is Complete for what the Reader did not skim: Raw parsed
// by a Reader of its own.
func (p Packet) completeSlowly() Packet {
	r := Reader{buf: p.Raw, w: len(p.Raw), err: io.EOF} // no source: the end of Raw ends the stream
	q, err := r.readPacket(true)
	if err != nil {
		return p // not a packet a Reader returns: leave it as it is
	}
	return Packet{Fields: q.Fields, Raw: p.Raw}
}
