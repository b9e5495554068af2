package format

import (
	"slices"

	"github.com/ami-cli/ami/amiwire"
)

// The fast path. Nearly every packet Asterisk sends has printable ASCII
// keys and values, no '"' or '\\', and no repeated key. For such a packet
// the JSON is the bytes themselves with fixed punctuation between them, so
// appendPlain grows dst once for an upper bound on the size and copies
// each string in 8-byte words, testing the words as it goes. When a byte
// needs escaping or a key repeats, what it wrote (past len(dst)) is
// dropped and the general path starts over; it gives the same bytes for
// every packet the fast path takes (see FuzzPlainJSON).

// plainMaxFields is the most fields the fast path takes: its key table has
// twice as many slots, so probes stay short, and indexes fit in a byte.
const plainMaxFields = 64

// Separators, each written as one word; the bytes past a separator are
// overwritten by what follows.
const (
	sepColon = uint64('"') | uint64(':')<<8 | uint64('"')<<16                   // key to value
	sepComma = uint64('"') | uint64(',')<<8 | uint64('"')<<16                   // value to next key
	sepOpen  = uint64('"') | uint64(':')<<8 | uint64('[')<<16 | uint64('"')<<24 // LinesKey to its value
	sepClose = uint64('"') | uint64(']')<<8 | uint64(',')<<16 | uint64('"')<<24 // a line to the next key
)

// appendPlain appends fields as appendObject would, if every key and value
// is plain and no key repeats, and reports whether it did; otherwise dst
// is returned unchanged (only its spare capacity is written).
//
// Every string is followed by a separator that closes it and opens the
// next one (`":"` after a key, `","` after a value), so the object is
// written as `{"`, then string, separator, string, separator..., and the
// last `,"` is turned into `}`.
func appendPlain(dst []byte, fields []amiwire.Field, stamp []byte) ([]byte, bool) {
	if len(fields) > plainMaxFields {
		return dst, false
	}
	// An upper bound on the size, with room for copySep's last word: a
	// member takes at most len(`"@lines":["` + `"],"`) plus its key and
	// value.
	ub := len(`{"`+TimestampKey+`":"","`) + len(stamp) + 8
	for i := range fields {
		ub += len(fields[i].Key) + len(fields[i].Value) + len(`"`+LinesKey+`":["`+`"],"`)
	}
	n := len(dst)
	dst = slices.Grow(dst, ub)
	b := dst[n : n+ub]

	// slots is an open-addressing table of field indexes +1 (0 = empty),
	// for finding a repeated key; colonless lines are counted instead.
	var slots [2 * plainMaxFields]uint8
	const slotMask = len(slots) - 1
	var bad uint64 // notPlain of every word read, ORed
	lines := false
	b[0], b[1] = '{', '"'
	i := 2
	if stamp != nil {
		i += copy(b[i:], TimestampKey+`":"`)
		i += copy(b[i:], stamp)
		i += copy(b[i:], `","`)
	}
	for fi := range fields {
		k := fields[fi].Key
		var kb, vb, kh uint64
		if k == "" || k == LinesKey {
			if lines {
				return dst[:n], false // grouped into one array
			}
			lines = true
			i, kb, _ = copySep(b, i, LinesKey, sepOpen, len(`":["`))
			i, vb, _ = copySep(b, i, fields[fi].Value, sepClose, len(`"],"`))
			bad |= kb | vb
			continue
		}
		if stamp != nil && k == TimestampKey {
			return dst[:n], false // grouped with ours
		}
		i, kb, kh = copySep(b, i, k, sepColon, len(`":"`))
		i, vb, _ = copySep(b, i, fields[fi].Value, sepComma, len(`","`))
		if bad |= kb | vb; bad&highs != 0 {
			return dst[:n], false // give up early: the general path redoes it all
		}
		for h := int(((kh ^ uint64(len(k))) * 0x9e3779b97f4a7c15) >> 57); ; h = (h + 1) & slotMask {
			s := slots[h]
			if s == 0 {
				slots[h] = uint8(fi + 1)
				break
			}
			if fields[s-1].Key == k {
				return dst[:n], false
			}
		}
	}
	if bad&highs != 0 {
		return dst[:n], false
	}
	if i == 2 { // no member
		b[1] = '}'
		return dst[:n+2], true
	}
	// b[i-2:i] is the `,"` after the last member.
	b[i-2] = '}'
	return dst[:n+i-1], true
}
