package amiwire

import (
	"strconv"
	"strings"
)

// ListMark says what part an AMI packet plays in an event list.
type ListMark int

// The list marks returned by ListMarkOf.
const (
	ListNone      ListMark = iota // a response that does not start a list
	ListStart                     // a response whose payload follows as events
	ListItem                      // an event that is an item of a list (if its ActionID matches one)
	ListComplete                  // the event that ends a list
	ListCancelled                 // the event that aborts a list (EventList: Cancelled)
)

// ListMarkOf holds every rule AMI has about event lists, in one place.
//
// A response starts a list when any of these holds (compared without case):
// "Message: Result will follow", "Message: Result follows", "Response:
// Follows" (unless it is a legacy Command reply carrying its output),
// "Response: Result will follow", or "EventList: Start". An event ends a list
// when it has "EventList: Complete" or its name ends in "Complete"
// (CoreShowChannelsComplete, StatusComplete, DBGetComplete), and aborts it
// with "EventList: Cancelled". Any other event is an item. Whether an event
// belongs to a particular list is decided by its ActionID, not here.
func ListMarkOf(p Packet) ListMark {
	switch p.Kind() {
	case KindEvent:
		el := p.Get("EventList")
		switch {
		case strings.EqualFold(el, "Cancelled"):
			return ListCancelled
		case strings.EqualFold(el, "Complete"):
			return ListComplete
		}
		if ev := p.Get("Event"); len(ev) >= 8 && strings.EqualFold(ev[len(ev)-8:], "Complete") {
			return ListComplete
		}
		return ListItem
	case KindResponse:
		resp := p.Get("Response")
		switch {
		case strings.EqualFold(resp, "Follows"):
			return legacyCommandOr(p, ListStart)
		case strings.EqualFold(resp, "Result will follow"):
			return ListStart
		case strings.EqualFold(p.Get("EventList"), "Start"):
			return ListStart
		}
		msg := p.Get("Message")
		if strings.EqualFold(msg, "Result will follow") || strings.EqualFold(msg, "Result follows") {
			return ListStart
		}
	}
	return ListNone
}

// legacyCommandOr returns ListNone for the legacy form of a Command reply
// ("Response: Follows" with "Privilege: Command" or its output inline), which
// carries its payload itself, and mark otherwise.
func legacyCommandOr(p Packet, mark ListMark) ListMark {
	if strings.EqualFold(p.Get("Privilege"), "Command") || p.Has("Output") {
		return ListNone
	}
	return mark
}

// ListItems returns the item count announced by a list's final event
// ("ListItems: N", or "Items: N" on older servers), or -1 when it has none.
func ListItems(final Packet) int {
	for _, k := range []string{"ListItems", "Items"} {
		if v, ok := final.Lookup(k); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
				return n
			}
		}
	}
	return -1
}
