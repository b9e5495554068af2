package check

import (
	"strings"

	"github.com/ami-cli/ami/amiwire"
)

// emptyListMessages are the answers with which Asterisk modules say "the
// list you asked for is empty" instead of sending an event list with no
// items. Most are Response: Error. Compared without case, spaces and a
// final period or line break trimmed.
var emptyListMessages = [...]string{
	// app_confbridge (ConfBridgeList, ConfBridgeListRooms) and
	// app_meetme (MeetmeList, MeetmeListRooms) when no conference is up.
	"No active conferences",
	// app_confbridge's ConfBridgeList of a Conference that is not up:
	// a conference exists only while someone is in it.
	"No Conference by that name found",
	// res_pjsip's PJSIPShowEndpoints with no endpoint configured.
	"No endpoints found",
	// app_voicemail's VoicemailUsersList (Response: Success, no list),
	// as Asterisk 22 answers it.
	"There are no voicemail users currently defined",
}

// EmptyList reports whether the response p, which started no event list,
// says that the list asked for has no items ("No active conferences." and
// its kin; see emptyListMessages). A program counting a list's items takes
// such an answer, Error or not, as zero items rather than as a failure.
func EmptyList(p amiwire.Packet) bool {
	if p.Has("Event") || !p.Has("Response") {
		return false
	}
	msg := strings.TrimRight(strings.TrimSpace(p.Get("Message")), ".")
	for _, m := range emptyListMessages {
		if strings.EqualFold(msg, m) {
			return true
		}
	}
	return false
}
