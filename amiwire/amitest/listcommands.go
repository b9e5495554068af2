package amitest

import (
	"sort"
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// ListCommands is a Handler that answers ListCommands as Asterisk 22 does:
// one header per action the session's user may send (its write
// permission covers the action's class, or the action needs none), named
// after the action, valued "  (Priv: <classes>)" ("<none>" for none),
// sorted by name. The fake's own actions (Login, Challenge, Logoff,
// Events, Filter, ListCommands) are listed with the handlers installed.
// Install it with srv.Handle("ListCommands", amitest.ListCommands).
func ListCommands(s *Session, a amiwire.Packet) {
	srv := s.Server()
	s.mu.Lock()
	write := s.writePerm
	s.mu.Unlock()
	type entry struct {
		name string
		perm Mask
	}
	seen := map[string]bool{}
	var list []entry
	add := func(name string, perm Mask) {
		if k := strings.ToLower(name); !seen[k] && (perm == 0 || write&perm != 0) {
			seen[k] = true
			list = append(list, entry{name, perm})
		}
	}
	srv.mu.Lock()
	for _, r := range srv.handlers {
		add(r.name, r.write)
	}
	srv.mu.Unlock()
	for _, name := range []string{"Login", "Challenge", "Logoff", "Events", "ListCommands"} {
		add(name, 0)
	}
	add("Filter", ParseMask("system"))
	sort.Slice(list, func(i, j int) bool { return strings.ToLower(list[i].name) < strings.ToLower(list[j].name) })
	kv := make([]string, 0, 2*len(list))
	for _, e := range list {
		kv = append(kv, e.name, " (Priv: "+e.perm.String()+")")
	}
	s.Success(a, kv...)
}
