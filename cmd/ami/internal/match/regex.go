package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Regex returns a POSIX extended regular expression, unanchored, that
// matches what g matches within one header value: '*' and '?' never cross
// a line break. A character class that POSIX brackets cannot say exactly
// (one holding ] [ \ - or ^ as a literal) widens to any character, so the
// expression may match more than g, never less.
func (g Glob) Regex() string { return globToRegex(g.pat, g.fold) }

// HeaderRegex returns the expression Asterisk's Filter action needs to
// pass events with a header named key (any case) whose value matches
// value: Asterisk matches it anywhere in the event's text, so it is
// anchored by the line breaks around the header.
func HeaderRegex(key string, value Glob) string {
	return "(^|[[:space:]])" + globToRegex(key, true) + ": " + value.Regex() + "[[:space:]]"
}

func globToRegex(pat string, fold bool) string {
	var b strings.Builder
	const anyChar = "[^[:cntrl:]]"
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '*':
			b.WriteString(anyChar + "*")
		case '?':
			b.WriteString(anyChar)
		case '[':
			class, n, ok := classToRegex(pat[i:], fold)
			if !ok {
				class = anyChar
			}
			b.WriteString(class)
			i += n - 1
		case '\\':
			if i+1 < len(pat) {
				i++
				writeRegexChar(&b, pat[i], fold)
			}
		default:
			writeRegexChar(&b, c, fold)
		}
	}
	return b.String()
}

// classToRegex translates the glob character class at the start of pat
// into a POSIX bracket expression. It returns the expression, the class's
// length in pat, and false when a character in it (] [ \ - ^ as literals)
// would need POSIX's positional rules, or a range is reversed (the glob
// matches nothing in it; regcomp refuses it).
func classToRegex(pat string, fold bool) (string, int, bool) {
	var b strings.Builder
	b.WriteByte('[')
	i := 1
	if i < len(pat) && pat[i] == '^' {
		b.WriteByte('^')
		i++
	}
	ok := true
	first := true
	for i < len(pat) && (first || pat[i] != ']') {
		first = false
		lo, n := classChar(pat[i:])
		escaped := pat[i] == '\\'
		i += n
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi, n = classChar(pat[i+1:])
			i += 1 + n
		}
		if escaped || lo > hi || strings.ContainsRune(`][\-^`, lo) || strings.ContainsRune(`][\-^`, hi) {
			ok = false
			continue
		}
		b.WriteRune(lo)
		if hi != lo {
			b.WriteByte('-')
			b.WriteRune(hi)
		}
		if fold && lo < utf8.RuneSelf && hi < utf8.RuneSelf && isLetter(byte(lo)) && isLetter(byte(hi)) &&
			unicode.IsLower(lo) == unicode.IsLower(hi) {
			b.WriteByte(otherCase(byte(lo)))
			if hi != lo {
				b.WriteByte('-')
				b.WriteByte(otherCase(byte(hi)))
			}
		}
	}
	b.WriteByte(']')
	return b.String(), i + 1, ok
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func otherCase(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c - 'A' + 'a'
}

func writeRegexChar(b *strings.Builder, c byte, fold bool) {
	switch {
	case fold && isLetter(c):
		b.WriteByte('[')
		b.WriteByte(c)
		b.WriteByte(otherCase(c))
		b.WriteByte(']')
	case strings.IndexByte(`.[]{}()\*+?^$|`, c) >= 0:
		b.WriteByte('\\')
		b.WriteByte(c)
	default:
		b.WriteByte(c)
	}
}
