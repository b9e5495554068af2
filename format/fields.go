package format

import (
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// FieldChecker is implemented by the writers that honour Options.Fields
// (text, json, table): it tells which of the asked-for keys no packet had,
// which is most often a typo (--fields Chanel).
type FieldChecker interface {
	// MissingFields returns the keys of Options.Fields that no packet
	// written so far had, in the order asked, each with the closest key
	// that the packets did have. It returns nil before any packet was
	// written (an empty list is not a typo).
	MissingFields() []MissingField
}

// MissingField is a key of Options.Fields that no packet had.
type MissingField struct {
	Name    string // as asked for
	Closest string // a key the packets had that looks like Name, or ""
}

// Every writer that picks fields can say which it missed.
var (
	_ FieldChecker = (*textWriter)(nil)
	_ FieldChecker = (*jsonWriter)(nil)
	_ FieldChecker = (*tableWriter)(nil)
)

// keySample is how many packets' keys fieldWatch keeps for suggestions: a
// list's items share their keys, so the first few show them all, and the
// cost stays off the rest of a long list.
const keySample = 32

// fieldWatch remembers which keys of Options.Fields some packet had, and
// the keys the first packets had, to suggest one for a key never seen.
type fieldWatch struct {
	seen    []bool
	missing int      // keys not seen yet
	packets int      // packets noted
	keys    []string // distinct keys (case-insensitive) of the first keySample packets
}

func newFieldWatch(fields []string) fieldWatch {
	return fieldWatch{seen: make([]bool, len(fields)), missing: len(fields)}
}

// noteKeys records p's keys for suggestions, while any key is missing and
// for the first keySample packets only.
func (w *fieldWatch) noteKeys(p amiwire.Packet) {
	w.packets++
	if w.missing == 0 || w.packets > keySample {
		return
	}
next:
	for _, f := range p.Fields {
		if f.Key == "" {
			continue
		}
		for _, k := range w.keys {
			if strings.EqualFold(k, f.Key) {
				continue next
			}
		}
		w.keys = append(w.keys, f.Key)
	}
}

// saw marks the i-th asked-for key as seen.
func (w *fieldWatch) saw(i int) {
	if !w.seen[i] {
		w.seen[i] = true
		w.missing--
	}
}

func (w *fieldWatch) report(fields []string) []MissingField {
	if w.packets == 0 || w.missing == 0 {
		return nil
	}
	var out []MissingField
	for i, name := range fields {
		if !w.seen[i] {
			out = append(out, MissingField{Name: name, Closest: closestKey(name, w.keys)})
		}
	}
	return out
}

// closestKey returns the key of keys nearest to name: within two edits
// (ignoring case), or else the first that contains name (State ->
// ChannelState); "" when none is.
func closestKey(name string, keys []string) string {
	best, bestD := "", 3
	lower := strings.ToLower(name)
	for _, k := range keys {
		if d := editDistance(lower, strings.ToLower(k), bestD); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" || lower == "" {
		return best
	}
	for _, k := range keys {
		if strings.Contains(strings.ToLower(k), lower) {
			return k
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b in bytes, or
// limit when it is at least limit (keys are short ASCII words).
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
