package format

import (
	"encoding/binary"
	"unicode/utf8"
)

// Bytes from a server can reach a terminal: caller ID names and
// SIP-derived variables come from outside, and a UserEvent's
// "Data: ESC]0;pwned BEL" retitles the terminal that shows it. Text for a
// terminal (Options.Escape) and every table cell show such bytes escaped
// instead (see AppendVisible); pipes and files get the exact bytes.

// AppendVisible appends s to dst with every byte a terminal would act on
// written visibly: CR and LF as `\r` and `\n`, tab as `\t` when tab is
// set, other control bytes (C0 and DEL) and bytes that are not UTF-8 as
// `\xNN`, and the C1 controls U+0080 to U+009F and the line and paragraph
// separators U+2028 and U+2029 as `\u0080` to `\u009f`, `\u2028` and
// `\u2029`.
// Printable text, UTF-8 included, is appended as it is, and so is '\':
// the result is for reading, not for parsing back.
func AppendVisible(dst []byte, s string, tab bool) []byte {
	if !needsEscape(s, tab) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\t' && !tab:
				dst = append(dst, c)
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		case r < 0xa0 || r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// needsEscape reports whether AppendVisible would change s: eight bytes
// at a time for ASCII, exactly (UTF-8 decoding) only when s has bytes of
// 0x80 or above.
func needsEscape(s string, tab bool) bool {
	// The same word loads as isPlain: overlapping for 8 bytes or more,
	// first, middle and last byte (padded with spaces) for fewer than 4.
	n := len(s)
	var bad uint64
	switch {
	case n >= 8:
		for j := 0; j < n-8; j += 8 {
			bad |= maskWord(load64(s, j), tab)
		}
		bad |= maskWord(load64(s, n-8), tab)
	case n >= 4:
		bad = maskWord(load32(s, 0)|load32(s, n-4)<<32, tab)
	case n > 0:
		bad = maskWord(uint64(s[0])|uint64(s[n>>1])<<8|uint64(s[n-1])<<16|pad&^0xffffff, tab)
	}
	if bad == 0 {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && (c != '\t' || tab) || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r < 0xa0 || r == '\u2028' || r == '\u2029' {
			return true
		}
		i += n
	}
	return false
}

// lessThan flags (high bit) each byte of x below n (n <= 0x80), exactly:
// the low seven bits plus 0x80-n carry into the high bit just for bytes
// of n or more, never into the next byte, and a byte with the high bit
// set is not below n.
func lessThan(x uint64, n byte) uint64 {
	return ^((x &^ highs) + ones*uint64(0x80-n) | x) & highs
}

// equal flags (high bit) each byte of x equal to c, exactly.
func equal(x uint64, c byte) uint64 { return lessThan(x^ones*uint64(c), 1) }

// controlMask flags (high bit) each byte of x that is a control byte
// (below 0x20, tab included) or DEL, and each byte of 0x80 or above,
// which the caller must look at more closely. Exact per byte: the low
// seven bits plus 0x60 reach the high bit just for 0x20 and above, plus 1
// just for 0x7f, never carrying into the next byte.
func controlMask(x uint64) uint64 {
	lo := x &^ highs
	return (^(lo + ones*0x60) | (lo + ones) | x) & highs
}

// maskWord is controlMask, tabs let through unless tab is set.
func maskWord(x uint64, tab bool) uint64 {
	m := controlMask(x)
	if !tab && m != 0 {
		m &^= equal(x, '\t')
	}
	return m
}

// rawNeedsEscape reports whether the wire bytes of a packet hold a byte
// that text for a terminal escapes: a control byte other than tab, a LF
// and a CR right before a LF (the line ends), DEL, or a byte of 0x80 or
// above (which it does not look at more closely: the caller's general
// path does).
func rawNeedsEscape(raw []byte) bool {
	n := len(raw)
	i := 0
	for ; i+8 <= n; i += 8 {
		x := binary.LittleEndian.Uint64(raw[i:])
		m := controlMask(x)
		if m == 0 {
			continue
		}
		m &^= equal(x, '\t') | equal(x, '\n')
		if m == 0 {
			continue
		}
		// A CR whose next byte is a LF ends a line.
		m &^= equal(x, '\r') & (equal(x, '\n') >> 8)
		if m == 0x80<<56 && x>>56 == '\r' && i+8 < n && raw[i+8] == '\n' {
			m = 0
		}
		if m != 0 {
			return true
		}
	}
	for ; i < n; i++ {
		switch c := raw[i]; {
		case c == '\n' || c == '\t':
		case c == '\r' && i+1 < n && raw[i+1] == '\n':
		case c < 0x20 || c >= 0x7f:
			return true
		}
	}
	return false
}
