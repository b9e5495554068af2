package format

import (
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

// jsonWriter writes one JSON object per packet per line.
type jsonWriter struct {
	*output
	opts   Options
	enc    JSONEncoder
	picked []amiwire.Field
}

func (j *jsonWriter) WritePacket(p amiwire.Packet) error {
	if j.err != nil {
		return j.err
	}
	fields := p.Fields
	if len(j.opts.Fields) > 0 {
		j.picked = pick(j.picked, p, j.opts.Fields)
		fields = j.picked
	}
	j.buf = j.enc.Append(j.buf, fields)
	j.buf = append(j.buf, '\n')
	return j.maybeFlush()
}

// JSONEncoder appends packets as JSON objects. It keeps scratch space between
// calls so that, once warmed up, encoding allocates nothing. The zero value
// is ready to use; it is not safe for concurrent use.
type JSONEncoder struct {
	next  []int32 // next[i]: index of the next field with the same key, or -1
	later []bool  // later[i]: field i repeats an earlier key (already written)
	table []int32 // open-addressing hash table of field indexes (+1; 0 = empty)
	tail  []int32 // tail[i]: last index of the chain that starts at i
}

// Append appends fields as one JSON object (no newline) to dst. Keys keep
// their order; a key repeated with exactly the same spelling becomes an
// array of its values at the place of its first occurrence.
func (e *JSONEncoder) Append(dst []byte, fields []amiwire.Field) []byte {
	if !mayRepeat(fields) {
		// The common case: no key repeats, so no linking is needed.
		dst = append(dst, '{')
		for i, f := range fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, f.Key)
			dst = append(dst, ':')
			dst = appendString(dst, f.Value)
		}
		return append(dst, '}')
	}
	e.link(fields)
	dst = append(dst, '{')
	first := true
	for i, f := range fields {
		if e.later[i] {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, f.Key)
		dst = append(dst, ':')
		if e.next[i] < 0 {
			dst = appendString(dst, f.Value)
			continue
		}
		dst = append(dst, '[')
		for k := int32(i); k >= 0; k = e.next[k] {
			if k != int32(i) {
				dst = append(dst, ',')
			}
			dst = appendString(dst, fields[k].Value)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// mayRepeat is a cheap test that no key occurs twice: it sets one bit of a
// 1024-bit mask per key, chosen from the key's length and its first two and
// last two bytes. No bit set twice means no repeated key; a collision only
// means the exact check in link must run (for a 19-key event, about one
// time in seven).
func mayRepeat(fields []amiwire.Field) bool {
	if len(fields) > 64 {
		return true
	}
	var seen [16]uint64
	for _, f := range fields {
		k := f.Key
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

// link finds repeated keys in O(n) with a reused hash table.
func (e *JSONEncoder) link(fields []amiwire.Field) {
	n := len(fields)
	if cap(e.next) < n {
		e.next = make([]int32, n)
		e.later = make([]bool, n)
		e.tail = make([]int32, n)
	}
	e.next, e.later, e.tail = e.next[:n], e.later[:n], e.tail[:n]
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
		e.next[i] = -1
		e.later[i] = false
		e.tail[i] = int32(i)
		key := fields[i].Key
		h := hashKey(key) & mask
		for {
			slot := e.table[h]
			if slot == 0 {
				e.table[h] = int32(i) + 1
				break
			}
			head := slot - 1
			if fields[head].Key == key {
				e.next[e.tail[head]] = int32(i)
				e.tail[head] = int32(i)
				e.later[i] = true
				break
			}
			h = (h + 1) & mask
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

// safeASCII marks the bytes that go into a JSON string as they are.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plain8 reports whether 8 bytes are all printable ASCII other than '"' and
// '\\', tested together in one 64-bit word.
func plain8(s string) bool {
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	bad := x & highs                    // non-ASCII
	bad |= (x - ones*0x20) & ^x & highs // a byte below 0x20
	bad |= hasZero(x ^ (ones * '"'))
	bad |= hasZero(x ^ (ones * '\\'))
	return bad == 0
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// control characters, U+2028 and U+2029 are escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain ASCII bytes at a time.
		for i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
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
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
