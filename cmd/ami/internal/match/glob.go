// Package match decides which AMI packets a user asked for: shell globs
// over header values (Glob), "Key=glob" conditions on a packet's headers
// (Field), and the event filter of `ami listen` built from them (Filter).
// It also translates globs into the POSIX regular expressions of
// Asterisk's Filter action, so that a server can drop what the client
// would drop anyway.
//
// Matching never allocates: it runs once per event on `listen`'s hot path.
package match

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Glob is a shell pattern in path.Match syntax (*, ?, [class], [^class],
// \ escapes), except that * and ? also match '/' (channel names contain
// it). The zero Glob is the empty pattern, which matches only "".
type Glob struct {
	pat  string
	fold bool
	lit  bool // no metacharacters: compare directly
}

// NewGlob checks pattern's syntax (as path.Match does) and returns the
// Glob. fold makes the match case-insensitive (Unicode simple folding).
// The error names the pattern and wraps path.ErrBadPattern.
func NewGlob(pattern string, fold bool) (Glob, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return Glob{}, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	return Glob{pat: pattern, fold: fold, lit: !strings.ContainsAny(pattern, `*?[\`)}, nil
}

// Pattern returns the pattern the Glob was made from.
func (g Glob) Pattern() string { return g.pat }

// Fold reports whether the Glob ignores case.
func (g Glob) Fold() bool { return g.fold }

// Match reports whether the whole of s matches the pattern. It does not
// allocate, and its time is linear in len(s) for patterns with at most
// one '*' (it backtracks to the last '*' only).
func (g Glob) Match(s string) bool {
	if g.lit {
		if g.fold {
			return strings.EqualFold(g.pat, s)
		}
		return g.pat == s
	}
	return globMatch(g.pat, s, g.fold)
}

// globMatch matches s against pat, whose syntax has been checked.
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
