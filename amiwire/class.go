package amiwire

// EventClass is one of the classes Asterisk sorts events and permissions
// into (manager.h): the words of an event's Privilege header, of a login
// Events header, of the Events action's EventMask and of manager.conf's
// read and write lists.
type EventClass struct {
	Name string // lower case, as Asterisk writes it: "system", "call", ...
	Bit  uint32 // its bit in Asterisk's class masks
}

// eventClasses is manager.h's table; "all" stands for every bit and is not
// a class of its own.
var eventClasses = [...]EventClass{
	{"system", 1 << 0}, {"call", 1 << 1}, {"log", 1 << 2}, {"verbose", 1 << 3},
	{"command", 1 << 4}, {"agent", 1 << 5}, {"user", 1 << 6}, {"config", 1 << 7},
	{"dtmf", 1 << 8}, {"reporting", 1 << 9}, {"cdr", 1 << 10}, {"dialplan", 1 << 11},
	{"originate", 1 << 12}, {"agi", 1 << 13}, {"hookresponse", 1 << 14}, {"cc", 1 << 15},
	{"aoc", 1 << 16}, {"test", 1 << 17}, {"security", 1 << 18}, {"message", 1 << 30},
}

// EventClasses returns the event classes of Asterisk 22's manager.h in bit
// order, without "all". The slice is a fresh copy.
func EventClasses() []EventClass {
	out := make([]EventClass, len(eventClasses))
	copy(out, eventClasses[:])
	return out
}
