package match

import (
	"errors"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// Field is a condition on one header: its name, compared in any case as
// AMI header names are, and a glob for its value.
type Field struct {
	Key   string
	Value Glob
}

// errNoKey is what ParseField says of text without "Key=".
var errNoKey = errors.New("want Key=glob")

// ParseField parses "Key=glob" as users write it after --match: the key is
// what comes before the first '=', trimmed of spaces, and must not be
// empty; the rest, untrimmed, is a case-sensitive glob. The error does not
// repeat s: callers say which flag or argument it came from.
func ParseField(s string) (Field, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return Field{}, errNoKey
	}
	g, err := NewGlob(v, false)
	if err != nil {
		return Field{}, err
	}
	return Field{Key: k, Value: g}, nil
}

// MatchAny reports whether some header named f.Key has a value that
// matches f.Value (AMI events may repeat a header). It does not allocate.
func (f Field) MatchAny(fields []amiwire.Field) bool {
	for i := range fields {
		if strings.EqualFold(fields[i].Key, f.Key) && f.Value.Match(fields[i].Value) {
			return true
		}
	}
	return false
}

// Regex returns the Filter action expression for f (see HeaderRegex).
func (f Field) Regex() string { return HeaderRegex(f.Key, f.Value) }

// All reports whether every one of conds holds for fields (MatchAny); it
// holds for no conditions at all. It does not allocate.
func All(conds []Field, fields []amiwire.Field) bool {
	for i := range conds {
		if !conds[i].MatchAny(fields) {
			return false
		}
	}
	return true
}
