package match

import "github.com/ami-cli/ami/amiwire"

// Filter chooses events: one passes when its Event name matches any of
// Events (or Events is empty), every one of Match holds, and none of
// Exclude does. The zero Filter passes everything.
type Filter struct {
	Events  []Glob  // any of them matches the Event header
	Match   []Field // all of them
	Exclude []Field // none of them
}

// Pass reports whether p is chosen. It does not allocate.
func (f *Filter) Pass(p *amiwire.Packet) bool {
	if len(f.Events) > 0 {
		name := p.Get("Event")
		ok := false
		for i := range f.Events {
			if f.Events[i].Match(name) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for i := range f.Match {
		if !f.Match[i].MatchAny(p.Fields) {
			return false
		}
	}
	for i := range f.Exclude {
		if f.Exclude[i].MatchAny(p.Fields) {
			return false
		}
	}
	return true
}

// ServerFilters returns values for Asterisk's Filter action that make the
// server send a superset of what Pass chooses: the event names as include
// filters (or, without Events, the Match headers: Asterisk ORs include
// filters, which is wider than Pass's AND), and Exclude as exclude
// filters ("!" first), which mean exactly what Pass means by them.
func (f *Filter) ServerFilters() []string {
	var out []string
	for _, g := range f.Events {
		out = append(out, HeaderRegex("Event", g))
	}
	if len(f.Events) == 0 {
		for _, m := range f.Match {
			out = append(out, m.Regex())
		}
	}
	for _, x := range f.Exclude {
		out = append(out, "!"+x.Regex())
	}
	return out
}
