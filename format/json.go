package format

import (
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

// jsonWriter writes one JSON object per packet per line.
type jsonWriter struct {
	output
	opts    Options
	enc     jsonEncoder
	picked  []amiwire.Field
	rawKeys rawKeys // WriteRaw's key table
	watch   fieldWatch
	lead    []byte // Options.Lead as the start of an object: `{"@host":"pbx1"`
}

// SetLead makes fields the first members of every object from now on.
func (j *jsonWriter) SetLead(fields []amiwire.Field) {
	j.lead = j.lead[:0]
	if len(fields) > 0 {
		var enc jsonEncoder
		j.lead = enc.appendObject(j.lead, fields)
		j.lead = j.lead[:len(j.lead)-1] // the '}'
	}
}

// joinLead turns the object that starts at dst[at] into the rest of the
// lead's, which dst[:at] ends with: its '{' becomes a ',', or for an
// empty object the two bytes "{}" become "}".
func joinLead(dst []byte, at int) []byte {
	if len(dst) >= at+2 && dst[at+1] == '}' {
		dst[at] = '}'
		return append(dst[:at+1], dst[at+2:]...)
	}
	dst[at] = ','
	return dst
}

// MissingFields returns the Options.Fields that no packet had.
func (j *jsonWriter) MissingFields() []MissingField { return j.watch.report(j.opts.Fields) }

// WritePacket writes p as one JSON object on a line.
func (j *jsonWriter) WritePacket(p amiwire.Packet) error {
	if j.err != nil {
		return j.err
	}
	fields := p.Fields
	if len(j.opts.Fields) > 0 {
		j.picked = pick(j.picked, p, j.opts.Fields, &j.watch)
		fields = j.picked
	}
	if len(j.lead) > 0 {
		j.buf = append(j.buf, j.lead...)
		at := len(j.buf)
		j.buf = joinLead(j.enc.appendObject(j.buf, fields), at)
	} else {
		j.buf = j.enc.appendObject(j.buf, fields)
	}
	j.buf = append(j.buf, '\n')
	if len(j.opts.Fields) > 0 {
		clear(j.picked) // keep no packet memory alive
	}
	return j.maybeFlush()
}

// Flush writes out the buffer.
func (j *jsonWriter) Flush() error { return j.flush() }

// jsonEncoder appends packets as JSON objects. Its scratch space is kept
// between calls so that, once warmed up, encoding allocates nothing (except
// for the pathological packets noted in appendGrouped). The zero value is
// ready to use.
type jsonEncoder struct {
	keys  []string // keys[i]: the JSON key of field i (valid UTF-8, "" mapped to LinesKey)
	next  []int32  // next[i]: index of the next field with the same key, or -1
	later []bool   // later[i]: field i repeats an earlier key (written with it)
	tail  []int32  // tail[i]: last index of the chain that starts at i
	table []int32  // open-addressing hash table of field indexes +1 (0 = empty)
}

// appendObject appends fields as one JSON object (no newline) to dst.
func (e *jsonEncoder) appendObject(dst []byte, fields []amiwire.Field) []byte {
	if out, ok := appendPlain(dst, fields); ok {
		return out
	}
	return e.appendGeneral(dst, fields)
}

// appendGeneral is appendObject for any packet: it escapes what needs
// escaping and groups repeated keys. appendPlain must give the same bytes
// for every packet it takes.
func (e *jsonEncoder) appendGeneral(dst []byte, fields []amiwire.Field) []byte {
	dst = append(dst, '{')
	comma := false
	if mayRepeat(fields) {
		return e.appendGrouped(dst, fields, comma)
	}
	// The common case: no key repeats, so every field is one member.
	mark, comma0 := len(dst), comma
	for _, f := range fields {
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		if f.Key == "" || f.Key == LinesKey {
			dst = append(dst, `"`+LinesKey+`":[`...)
			dst, _ = appendString(dst, f.Value)
			dst = append(dst, ']')
			continue
		}
		var bad bool
		if dst, bad = appendString(dst, f.Key); bad {
			// Keys that differ only in their invalid bytes would become
			// the same key: start again, comparing the keys as written.
			return e.appendGrouped(dst[:mark], fields, comma0)
		}
		dst = append(dst, ':')
		dst, _ = appendString(dst, f.Value)
	}
	return append(dst, '}')
}

// appendGrouped appends the members for fields and the closing brace,
// grouping repeated keys into arrays; comma says whether a member was
// written before. Finding the repeats is linear, with a reused hash table.
// A key with invalid UTF-8 (never sent by Asterisk) costs an allocation.
func (e *jsonEncoder) appendGrouped(dst []byte, fields []amiwire.Field, comma bool) []byte {
	e.link(fields)
	for i := range fields {
		if e.later[i] {
			continue
		}
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		k := e.keys[i]
		dst, _ = appendString(dst, k)
		dst = append(dst, ':')
		if e.next[i] < 0 && k != LinesKey {
			dst, _ = appendString(dst, fields[i].Value)
			continue
		}
		dst = append(dst, '[')
		for n := int32(i); n >= 0; n = e.next[n] {
			if n != int32(i) {
				dst = append(dst, ',')
			}
			dst, _ = appendString(dst, fields[n].Value)
		}
		dst = append(dst, ']')
	}
	clear(e.keys) // keep no packet memory alive
	return append(dst, '}')
}

// jsonKey returns the key under which a field is written: LinesKey for a
// colonless line, the key with each invalid byte replaced by U+FFFD (as
// appendString writes it) otherwise.
func jsonKey(k string) string {
	if k == "" {
		return LinesKey
	}
	if utf8.ValidString(k) {
		return k
	}
	var b []byte
	for i := 0; i < len(k); {
		r, n := utf8.DecodeRuneInString(k[i:])
		if r == utf8.RuneError && n == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, k[i:i+n]...)
		}
		i += n
	}
	return string(b)
}

// link fills keys, next, later and tail for fields.
func (e *jsonEncoder) link(fields []amiwire.Field) {
	n := len(fields)
	if cap(e.next) < n {
		e.keys = make([]string, n)
		e.next = make([]int32, n)
		e.later = make([]bool, n)
		e.tail = make([]int32, n)
	}
	e.keys, e.next, e.later, e.tail = e.keys[:n], e.next[:n], e.later[:n], e.tail[:n]
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(e.table) < size {
		e.table = make([]int32, size)
	}
	e.table = e.table[:size]
	clear(e.table)
	mask := uint32(size - 1)
	for i := range fields {
		key := jsonKey(fields[i].Key)
		e.keys[i] = key
		e.next[i] = -1
		e.later[i] = false
		e.tail[i] = int32(i)
		for h := hashKey(key) & mask; ; h = (h + 1) & mask {
			slot := e.table[h]
			if slot == 0 {
				e.table[h] = int32(i) + 1
				break
			}
			if head := slot - 1; e.keys[head] == key {
				e.next[e.tail[head]] = int32(i)
				e.tail[head] = int32(i)
				e.later[i] = true
				break
			}
		}
	}
}

// hashKey is FNV-1a over the key's bytes.
func hashKey(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// mayRepeat is a cheap test that no key occurs twice: it sets one bit of a
// 1024-bit mask per key, chosen from the key's length and its first two and
// last two bytes. No bit set twice means no key repeats; a collision only
// means that the exact check in link must run (for a 19-key event, about one
// time in seven). A colonless line counts as the key LinesKey.
func mayRepeat(fields []amiwire.Field) bool {
	if len(fields) > 64 {
		return true
	}
	var seen [16]uint64
	for _, f := range fields {
		k := f.Key
		if k == "" {
			k = LinesKey
		}
		h := uint32(len(k)) * 0x9e3779b1
		if n := len(k); n >= 2 {
			h ^= (uint32(k[0]) | uint32(k[1])<<8 | uint32(k[n-2])<<16 | uint32(k[n-1])<<24) * 0x85ebca6b
		} else if n == 1 {
			h ^= uint32(k[0]) * 0x85ebca6b
		}
		h ^= h >> 15
		h *= 0xc2b2ae35
		h ^= h >> 13
		w, bit := (h>>6)&15, uint64(1)<<(h&63)
		if seen[w]&bit != 0 {
			return true
		}
		seen[w] |= bit
	}
	return false
}

// plain8 reports whether the 8 bytes at s[0:8] are all ASCII at or above
// 0x20 other than '"' and '\\', tested together in one 64-bit word.
func plain8(s string) bool {
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	bad := x & highs                    // non-ASCII
	bad |= (x - ones*0x20) & ^x & highs // a byte below 0x20
	q := x ^ (ones * '"')
	bad |= (q - ones) & ^q & highs // a '"'
	b := x ^ (ones * '\\')
	bad |= (b - ones) & ^b & highs // a '\\'
	return bad == 0
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string and reports whether s held
// invalid UTF-8. Each invalid byte becomes U+FFFD; '"', '\\', control
// characters, U+2028 and U+2029 are escaped; everything else is copied.
func appendString(dst []byte, s string) ([]byte, bool) {
	if isPlain(s) {
		// Most strings, even in a packet the fast path declined: one
		// test of whole words, then one copy.
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"'), false
	}
	dst = append(dst, '"')
	bad := false
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain ASCII bytes at a time.
		for i+8 <= len(s) && plain8(s[i:]) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			bad = true
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), bad
}
