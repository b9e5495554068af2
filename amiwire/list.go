package amiwire

import (
	"strconv"
	"strings"
)

// This file holds every rule AMI has about event lists: which response
// starts one (listMarkOf), which event ends or cancels it, how many items
// it announced (listItems), whether the items received match that count
// (checkListItems), and which list an event without ActionID belongs to
// (eventsOff, eventsChange, openLists). The Client applies them; nothing else
// decides about lists.

// listMark says what part an AMI packet plays in an event list.
type listMark int

// The list marks returned by listMarkOf.
const (
	listNone      listMark = iota // a response that does not start a list
	listStart                     // a response whose payload follows as events
	listItem                      // an event that is an item of a list (if its ActionID matches one)
	listComplete                  // the event that ends a list
	listCancelled                 // the event that aborts a list (EventList: Cancelled)
)

// String returns the mark's name: "none", "start", "item", "complete" or
// "cancelled".
func (m listMark) String() string {
	switch m {
	case listNone:
		return "none"
	case listStart:
		return "start"
	case listItem:
		return "item"
	case listComplete:
		return "complete"
	case listCancelled:
		return "cancelled"
	}
	return "listMark(" + strconv.Itoa(int(m)) + ")"
}

// listMarkOf says what part p plays in an event list.
//
// A response starts a list when any of these holds (compared without case):
// "EventList: Start", "Response: Follows" (unless it is a legacy Command
// reply carrying its output), "Response: Result will follow", or a Message
// that says a list follows: one ending in "will follow" or "follows"
// ("Result will follow", "Channels will follow", and, on Asterisk 11 to 13
// where such lists have no EventList header, "Queue status will follow",
// "Channel status will follow", "Agents will follow"). The one exception
// is a Command reply ("Message: Command output follows", or any response
// with Output lines), whose output is in the response itself.
//
// An event ends a list when it has "EventList: Complete" or its name ends
// in "Complete" (CoreShowChannelsComplete, StatusComplete, DBGetComplete),
// and aborts it with "EventList: Cancelled". Any other event is an item.
// Whether an event belongs to a particular list is decided by its
// ActionID, or, for items that carry none, by the rule Client describes.
func listMarkOf(p Packet) listMark {
	switch p.kind() {
	case kindEvent:
		el := p.Get("EventList")
		switch {
		case strings.EqualFold(el, "Cancelled"):
			return listCancelled
		case strings.EqualFold(el, "Complete"):
			return listComplete
		}
		if ev := p.Get("Event"); len(ev) >= 8 && strings.EqualFold(ev[len(ev)-8:], "Complete") {
			return listComplete
		}
		return listItem
	case kindResponse:
		resp := p.Get("Response")
		switch {
		case strings.EqualFold(resp, "Follows"):
			return legacyCommandOr(p, listStart)
		case strings.EqualFold(resp, "Result will follow"):
			return listStart
		case strings.EqualFold(p.Get("EventList"), "Start"):
			return listStart
		}
		if msg := p.Get("Message"); saysListFollows(msg) && !strings.EqualFold(msg, "Command output follows") && !p.Has("Output") {
			return listStart
		}
	}
	return listNone
}

// saysListFollows reports whether a response's Message announces that
// something follows: "... will follow" or "... follows", in any case.
func saysListFollows(msg string) bool {
	msg = strings.TrimSpace(msg)
	return hasSuffixFold(msg, " will follow") || strings.EqualFold(msg, "will follow") ||
		hasSuffixFold(msg, " follows") || strings.EqualFold(msg, "follows")
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// legacyCommandOr returns listNone for the legacy form of a Command reply
// ("Response: Follows" with "Privilege: Command" or its output inline), which
// carries its payload itself, and mark otherwise.
func legacyCommandOr(p Packet, mark listMark) listMark {
	if strings.EqualFold(p.Get("Privilege"), "Command") || p.Has("Output") {
		return listNone
	}
	return mark
}

// listItems returns the item count announced by a list's final event
// ("ListItems: N", or "Items: N" on older servers), or -1 when it has none.
func listItems(final Packet) int {
	for _, k := range []string{"ListItems", "Items"} {
		if v, ok := final.Lookup(k); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
				return n
			}
		}
	}
	return -1
}

// checkListItems cross-checks a completed list: when its final event
// announces a count (ListItems) other than the number of items received,
// it returns a miscounted *IncompleteListError; eventsOn says whether items without
// ActionID may have been taken for async events.
func checkListItems(action string, final Packet, received int, eventsOn bool) error {
	if listMarkOf(final) != listComplete {
		return nil
	}
	if n := listItems(final); n >= 0 && n != received {
		return &IncompleteListError{Action: action, Expected: n, Received: received, Miscounted: true, EventsOn: eventsOn}
	}
	return nil
}

// eventsOff reports whether value, as the Events header of a Login or the
// EventMask of an Events action, turns async events off: "off", "no",
// "false", "n", "f" or a number that is 0 (Asterisk's ast_false and its
// numeric masks). Anything else, the empty value included, lets events
// through.
func eventsOff(value string) bool {
	v := strings.TrimSpace(value)
	switch strings.ToLower(v) {
	case "off", "no", "false", "n", "f":
		return true
	}
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] != '0' {
			return false
		}
	}
	return true
}

// eventsChange says how action changes whether async events arrive once
// the server has handled it: an Events action sets them from its EventMask
// (changes, and off tells how); any other action leaves them as they were.
// Asterisk handles one session's actions in order, so the change holds for
// every answer to the actions sent after it.
func eventsChange(action Packet) (off, changes bool) {
	if !strings.EqualFold(action.Get("Action"), "Events") {
		return false, false
	}
	return eventsOff(action.Get("EventMask")), true
}

// openLists are the lists started on a connection with async events off
// (Pending.quiet) whose completion has not come yet, in the order their
// starts arrived. With events off Asterisk sends no async event, so an
// event without ActionID is an item of a list in flight; and since it
// answers one session's actions in order, it is an item of the list whose
// start came last: owner. Only the read loop uses it.
type openLists []*Pending

// owner returns the list that an event without ActionID belongs to, or
// nil when it is an async event.
func (o openLists) owner() *Pending {
	if len(o) == 0 {
		return nil
	}
	return o[len(o)-1]
}

// remove takes p out once its list has ended.
func (o *openLists) remove(p *Pending) {
	for i, q := range *o {
		if q == p {
			*o = append((*o)[:i], (*o)[i+1:]...)
			return
		}
	}
}
