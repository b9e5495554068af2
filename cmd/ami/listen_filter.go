package main

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ami-cli/ami/amiwire"
)

// glob is a shell pattern in path.Match syntax (*, ?, [class], [^class],
// \ escapes), except that * and ? also match '/' (channel names contain
// it). fold makes the match case-insensitive.
type glob struct {
	pat  string
	fold bool
	lit  bool // no metacharacters: compare directly
}

// newGlob checks pat's syntax (with path.Match) and returns the matcher.
func newGlob(pat string, fold bool) (glob, error) {
	if _, err := path.Match(pat, ""); err != nil {
		return glob{}, fmt.Errorf("bad pattern %q: %w", pat, err)
	}
	return glob{pat: pat, fold: fold, lit: !strings.ContainsAny(pat, `*?[\`)}, nil
}

// match reports whether s matches the whole pattern. It does not allocate.
func (g glob) match(s string) bool {
	if g.lit {
		if g.fold {
			return strings.EqualFold(g.pat, s)
		}
		return g.pat == s
	}
	return globMatch(g.pat, s, g.fold)
}

// globMatch matches s against pattern (syntax already checked), with
// backtracking on the last star only (linear for practical patterns).
func globMatch(pat, s string, fold bool) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) || px < len(pat) {
		if px < len(pat) {
			switch pat[px] {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			case '[':
				if sx < len(s) {
					r, n := utf8.DecodeRuneInString(s[sx:])
					if ok, end := matchClass(pat[px:], r, fold); ok {
						px += end
						sx += n
						continue
					}
				}
			default:
				pc := pat[px]
				pn := 1
				if pc == '\\' && px+1 < len(pat) {
					px++
					pc = pat[px]
				}
				if sx < len(s) {
					if pc < utf8.RuneSelf && s[sx] < utf8.RuneSelf {
						if pc == s[sx] || (fold && lowerASCII(pc) == lowerASCII(s[sx])) {
							px += pn
							sx++
							continue
						}
					} else {
						pr, pw := utf8.DecodeRuneInString(pat[px:])
						sr, sw := utf8.DecodeRuneInString(s[sx:])
						same := pw == sw && pat[px:px+pw] == s[sx:sx+sw]
						if same || (fold && pr != utf8.RuneError && sr != utf8.RuneError && unicode.ToLower(pr) == unicode.ToLower(sr)) {
							px += pw
							sx += sw
							continue
						}
					}
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	return true
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// matchClass matches r against the character class at the start of pat
// ("[...]"); it returns whether r is in it and the class's length.
func matchClass(pat string, r rune, fold bool) (bool, int) {
	i := 1
	negate := false
	if i < len(pat) && pat[i] == '^' {
		negate = true
		i++
	}
	in := false
	first := true
	lr := unicode.ToLower(r)
	for i < len(pat) && (first || pat[i] != ']') {
		first = false
		lo, n := classChar(pat[i:])
		i += n
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi, n = classChar(pat[i+1:])
			i += 1 + n
		}
		if lo <= r && r <= hi {
			in = true
		} else if fold {
			if ll, lh := unicode.ToLower(lo), unicode.ToLower(hi); ll <= lr && lr <= lh {
				in = true
			} else if ul, uh, ur := unicode.ToUpper(lo), unicode.ToUpper(hi), unicode.ToUpper(r); ul <= ur && ur <= uh {
				in = true
			}
		}
	}
	return in != negate, i + 1
}

func classChar(pat string) (rune, int) {
	if pat[0] == '\\' && len(pat) > 1 {
		r, n := utf8.DecodeRuneInString(pat[1:])
		return r, n + 1
	}
	return utf8.DecodeRuneInString(pat)
}

// keyGlob is one --match or --exclude: a header name (case-insensitive)
// and a glob for its value (case-sensitive).
type keyGlob struct {
	key string
	val glob
}

// parseKeyGlob parses "Key=glob" as given to --match/--exclude.
func parseKeyGlob(flag, s string) (keyGlob, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return keyGlob{}, fmt.Errorf("--%s %q: want Key=glob", flag, s)
	}
	g, err := newGlob(v, false)
	if err != nil {
		return keyGlob{}, fmt.Errorf("--%s %q: %w", flag, s, err)
	}
	return keyGlob{key: k, val: g}, nil
}

// anyValue reports whether some field named kg.key (any case) has a value
// matching kg.val.
func (kg keyGlob) anyValue(fields []amiwire.Field) bool {
	for i := range fields {
		if strings.EqualFold(fields[i].Key, kg.key) && kg.val.match(fields[i].Value) {
			return true
		}
	}
	return false
}

// parseSize parses a byte size such as "64MiB", "512KiB", "1G", "1000000"
// or "10 MB". K/M/G/T with or without "i" and "B" are powers of 1024 (as
// buffers are measured); "kB"/"MB"/"GB" with a capital B and no i are
// powers of 1000.
func parseSize(s string) (int, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	if num == "" {
		return 0, fmt.Errorf("bad size %q: want a number and a unit, like 64MiB", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: want a number and a unit, like 64MiB", s)
	}
	mult := 0.0
	switch unit {
	case "", "B", "b":
		mult = 1
	case "k", "K", "Ki", "KiB", "KB":
		mult = 1 << 10
	case "M", "Mi", "MiB":
		mult = 1 << 20
	case "G", "Gi", "GiB":
		mult = 1 << 30
	case "T", "Ti", "TiB":
		mult = 1 << 40
	case "kB":
		mult = 1e3
	case "MB":
		mult = 1e6
	case "GB":
		mult = 1e9
	case "TB":
		mult = 1e12
	default:
		return 0, fmt.Errorf("bad size %q: unknown unit %q (use B, KiB, MiB, GiB)", s, unit)
	}
	v := f * mult
	if v < 1 || v > math.MaxInt32*float64(1<<20) || math.IsNaN(v) {
		return 0, fmt.Errorf("bad size %q: out of range", s)
	}
	return int(v), nil
}

// formatSize renders n bytes compactly for messages ("64MiB", "1.5KiB").
func formatSize(n int) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v := float64(n)
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64) + units[u]
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + units[u]
}

// globToRegex turns a glob into a POSIX extended regular expression
// matching one header value (never across lines), for Asterisk's Filter
// action; fold makes letters match either case.
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
				// Hard to express as a POSIX bracket: widen to any
				// character (the client-side filter stays exact).
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
// would need POSIX's positional rules.
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
		if escaped || strings.ContainsRune(`][\-^`, lo) || strings.ContainsRune(`][\-^`, hi) {
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

// headerRegex returns the regex matching a whole "Key: value" header line
// of an event for Asterisk's Filter action (which matches anywhere in the
// event text, so the line is anchored by the surrounding line breaks).
func headerRegex(key string, valueGlob string, foldValue bool) string {
	return "(^|[[:space:]])" + globToRegex(key, true) + ": " + globToRegex(valueGlob, foldValue) + "[[:space:]]"
}

// multiString is a repeatable string flag value that, unlike
// cli.StringSliceFlag, never splits a value at commas (globs, secrets and
// header values may contain them).
type multiString struct{ values []string }

// multiCopy is what Serialize returns: urfave/cli copies a flag's value
// to its other names (the same *multiString) through Set(Serialize()),
// which must not append the values a second time. No argument can be
// equal to it: command-line arguments cannot hold NUL bytes.
const multiCopy = "\x00multiString"

// Set appends one value.
func (m *multiString) Set(v string) error {
	if v == multiCopy {
		return nil
	}
	m.values = append(m.values, v)
	return nil
}

// Serialize implements cli.Serializer (see multiCopy).
func (m *multiString) Serialize() string { return multiCopy }

// String renders the values for help output.
func (m *multiString) String() string {
	if m == nil {
		return ""
	}
	return strings.Join(m.values, ", ")
}
