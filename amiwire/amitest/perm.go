package amitest

import (
	"strconv"
	"strings"

	"github.com/ami-cli/ami/completion"
)

// Mask is a set of AMI event/permission classes as bits, numbered as in
// Asterisk's manager.h (see completion.Classes and ClassBit).
type Mask uint32

// MaskAll has every class bit set ("all", "on").
const MaskAll Mask = ^Mask(0)

// ParseMask turns an AMI class setting into a Mask, the way Asterisk reads
// the login Events header, the EventMask of the Events action and the
// read/write lists of manager.conf: "on", "yes", "true", "all" give
// MaskAll; "off", "no", "false", "none" and "" give 0; a decimal number is
// taken as bits; otherwise a comma-separated list of class names (unknown
// names are ignored).
func ParseMask(s string) Mask {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "on", "yes", "true", "y", "t", "all":
		return MaskAll
	case "", "off", "no", "false", "n", "f", "none":
		return 0
	}
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return Mask(n)
	}
	var m Mask
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if strings.EqualFold(part, "all") {
			return MaskAll
		}
		m |= classBit(part)
	}
	return m
}

// String renders the mask as Asterisk writes a Privilege header: the class
// names in manager.h order, followed by "all" when any bit is set
// ("call,all"). An empty mask renders as "<none>".
func (m Mask) String() string {
	if m == 0 {
		return "<none>"
	}
	var b strings.Builder
	for _, c := range classes {
		if m&Mask(completion.ClassBit(c)) != 0 {
			b.WriteString(c)
			b.WriteByte(',')
		}
	}
	b.WriteString("all")
	return b.String()
}

// classes are the names of manager.h's classes in bit order, without
// "all", read-only.
var classes = func() []string {
	c := completion.Classes()
	return c[:len(c)-1]
}()

// classBit returns the bit of the class named name (case-insensitive), 0
// for an unknown name.
func classBit(name string) Mask { return Mask(completion.ClassBit(name)) }

// privilegeMask returns the classes an event belongs to, read from its
// Privilege header ("call,all" is the call class; "all" alone is every
// class). ok is false when the event has no Privilege header.
func privilegeMask(priv string) (m Mask, ok bool) {
	for _, part := range strings.Split(priv, ",") {
		part = strings.TrimSpace(part)
		if part == "" || strings.EqualFold(part, "all") {
			continue
		}
		ok = true
		m |= classBit(part)
	}
	if !ok && strings.Contains(strings.ToLower(priv), "all") {
		return MaskAll, true
	}
	return m, ok
}

// actionWrite holds the write class Asterisk 22 registers for the actions
// the simulator knows. An action needs at least one of its classes in the
// user's write permission; 0 means any logged-in user may run it.
var actionWrite = map[string]string{
	"ping":               "",
	"events":             "",
	"logoff":             "",
	"login":              "",
	"challenge":          "",
	"listcommands":       "",
	"queuestatus":        "",
	"filter":             "system",
	"coresettings":       "system,reporting",
	"corestatus":         "system,reporting",
	"coreshowchannels":   "system,reporting",
	"status":             "system,call,reporting",
	"command":            "command",
	"originate":          "originate",
	"hangup":             "system,call",
	"userevent":          "user",
	"dbput":              "system",
	"dbget":              "system,reporting",
	"dbdel":              "system",
	"getconfig":          "system,config",
	"updateconfig":       "config",
	"redirect":           "call",
	"setvar":             "call",
	"getvar":             "call,reporting",
	"reload":             "system,config",
	"queuepause":         "agent",
	"queueadd":           "agent",
	"queueremove":        "agent",
	"pjsipshowendpoints": "system",
	"sippeers":           "system,reporting",
}

// ActionWriteClass returns the write classes Asterisk 22 requires for the
// named action (case-insensitive), as a Mask; 0 means no class is needed.
// Unknown actions need none.
func ActionWriteClass(action string) Mask {
	return ParseMask(actionWrite[strings.ToLower(action)])
}
