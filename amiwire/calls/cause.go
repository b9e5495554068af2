package calls

import "strconv"

// cause is one entry of Asterisk's hangup cause table (main/channel.c,
// include/asterisk/causes.h): the Q.850 code, the AST_CAUSE_ name and the
// text that Hangup events carry as Cause-txt.
type cause struct {
	code       int
	name, text string
}

// causes is the table of Asterisk 22, in code order.
var causes = [...]cause{
	{1, "UNALLOCATED", "Unallocated (unassigned) number"},
	{2, "NO_ROUTE_TRANSIT_NET", "No route to specified transmit network"},
	{3, "NO_ROUTE_DESTINATION", "No route to destination"},
	{5, "MISDIALLED_TRUNK_PREFIX", "Misdialed trunk prefix"},
	{6, "CHANNEL_UNACCEPTABLE", "Channel unacceptable"},
	{7, "CALL_AWARDED_DELIVERED", "Call awarded and being delivered in an established channel"},
	{8, "PRE_EMPTED", "Pre-empted"},
	{14, "NUMBER_PORTED_NOT_HERE", "Number ported elsewhere"},
	{16, "NORMAL_CLEARING", "Normal Clearing"},
	{17, "USER_BUSY", "User busy"},
	{18, "NO_USER_RESPONSE", "No user responding"},
	{19, "NO_ANSWER", "User alerting, no answer"},
	{20, "SUBSCRIBER_ABSENT", "Subscriber absent"},
	{21, "CALL_REJECTED", "Call Rejected"},
	{22, "NUMBER_CHANGED", "Number changed"},
	{23, "REDIRECTED_TO_NEW_DESTINATION", "Redirected to new destination"},
	{26, "ANSWERED_ELSEWHERE", "Answered elsewhere"},
	{27, "DESTINATION_OUT_OF_ORDER", "Destination out of order"},
	{28, "INVALID_NUMBER_FORMAT", "Invalid number format"},
	{29, "FACILITY_REJECTED", "Facility rejected"},
	{30, "RESPONSE_TO_STATUS_ENQUIRY", "Response to STATus ENQuiry"},
	{31, "NORMAL_UNSPECIFIED", "Normal, unspecified"},
	{34, "NORMAL_CIRCUIT_CONGESTION", "Circuit/channel congestion"},
	{38, "NETWORK_OUT_OF_ORDER", "Network out of order"},
	{41, "NORMAL_TEMPORARY_FAILURE", "Temporary failure"},
	{42, "SWITCH_CONGESTION", "Switching equipment congestion"},
	{43, "ACCESS_INFO_DISCARDED", "Access information discarded"},
	{44, "REQUESTED_CHAN_UNAVAIL", "Requested channel not available"},
	{50, "FACILITY_NOT_SUBSCRIBED", "Facility not subscribed"},
	{52, "OUTGOING_CALL_BARRED", "Outgoing call barred"},
	{54, "INCOMING_CALL_BARRED", "Incoming call barred"},
	{57, "BEARERCAPABILITY_NOTAUTH", "Bearer capability not authorized"},
	{58, "BEARERCAPABILITY_NOTAVAIL", "Bearer capability not available"},
	{65, "BEARERCAPABILITY_NOTIMPL", "Bearer capability not implemented"},
	{66, "CHAN_NOT_IMPLEMENTED", "Channel not implemented"},
	{69, "FACILITY_NOT_IMPLEMENTED", "Facility not implemented"},
	{81, "INVALID_CALL_REFERENCE", "Invalid call reference value"},
	{88, "INCOMPATIBLE_DESTINATION", "Incompatible destination"},
	{95, "INVALID_MSG_UNSPECIFIED", "Invalid message unspecified"},
	{96, "MANDATORY_IE_MISSING", "Mandatory information element is missing"},
	{97, "MESSAGE_TYPE_NONEXIST", "Message type nonexist."},
	{98, "WRONG_MESSAGE", "Wrong message"},
	{99, "IE_NONEXIST", "Info. element nonexist or not implemented"},
	{100, "INVALID_IE_CONTENTS", "Invalid information element contents"},
	{101, "WRONG_CALL_STATE", "Message not compatible with call state"},
	{102, "RECOVERY_ON_TIMER_EXPIRE", "Recover on timer expiry"},
	{103, "MANDATORY_IE_LENGTH_ERROR", "Mandatory IE length error"},
	{111, "PROTOCOL_ERROR", "Protocol error, unspecified"},
	{127, "INTERWORKING", "Interworking, unspecified"},
}

func lookupCause(code int) (cause, bool) {
	lo, hi := 0, len(causes)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := causes[m]; {
		case c.code == code:
			return c, true
		case c.code < code:
			lo = m + 1
		default:
			hi = m
		}
	}
	return cause{}, false
}

// CauseText returns the text Asterisk gives a hangup cause code, as its
// Hangup events carry it in Cause-txt: CauseText(16) is "Normal Clearing",
// CauseText(17) "User busy". A code Asterisk does not name (0 among them)
// is "Unknown", as Asterisk says.
func CauseText(code int) string {
	if c, ok := lookupCause(code); ok {
		return c.text
	}
	return "Unknown"
}

// CauseName returns Asterisk's name of a hangup cause code without its
// AST_CAUSE_ prefix, a name the Hangup() application accepts in place of
// the number: CauseName(16) is "NORMAL_CLEARING". It is "" for a code
// Asterisk does not name.
func CauseName(code int) string {
	c, _ := lookupCause(code)
	return c.name
}

// causeTextOf returns the text for a Cause header value, "" when the value
// is not a number.
func causeTextOf(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil {
		return ""
	}
	return CauseText(n)
}
