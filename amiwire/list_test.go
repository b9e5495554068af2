package amiwire

import "testing"

func pk(kv ...string) Packet {
	var p Packet
	for i := 0; i+1 < len(kv); i += 2 {
		p.Add(kv[i], kv[i+1])
	}
	return p
}

func TestListMarkOf(t *testing.T) {
	tests := []struct {
		name string
		p    Packet
		want ListMark
	}{
		{"Message: Result will follow", pk("Response", "Success", "ActionID", "1", "Message", "Result will follow"), ListStart},
		{"Message: Result follows", pk("Response", "Success", "Message", "Result follows"), ListStart},
		{"Response: Follows", pk("Response", "Follows", "ActionID", "1"), ListStart},
		{"Response: Result will follow", pk("Response", "Result will follow"), ListStart},
		{"EventList: start", pk("Response", "Success", "EventList", "start", "Message", "Channels will follow"), ListStart},
		{"EventList: Start", pk("Response", "Success", "EventList", "Start", "Message", "A listing of Endpoints follows"), ListStart},
		{"case: message", pk("response", "success", "message", "RESULT WILL FOLLOW"), ListStart},
		{"case: follows", pk("RESPONSE", "follows"), ListStart},
		{"case: eventlist", pk("Response", "Success", "eventlist", "START"), ListStart},
		{"Asterisk 11 QueueStatus, no EventList", pk("Response", "Success", "Message", "Queue status will follow"), ListStart},
		{"Asterisk 11 Status, no EventList", pk("Response", "Success", "ActionID", "2", "Message", "Channel status will follow"), ListStart},
		{"Asterisk 11 Agents, case", pk("Response", "Success", "Message", "AGENTS WILL FOLLOW"), ListStart},
		{"a listing follows", pk("Response", "Success", "Message", "A listing of Endpoints follows"), ListStart},
		{"follows, stray line end", pk("Response", "Success", "Message", "Parked calls will follow\n"), ListStart},
		{"modern Command, no output", pk("Response", "Success", "Message", "Command output follows"), ListNone},
		{"modern Command error", pk("Response", "Error", "Message", "Command output follows", "Output", "No such command"), ListNone},
		{"follows in the middle", pk("Response", "Success", "Message", "What follows is nothing"), ListNone},
		{"followsx", pk("Response", "Success", "Message", "Result followsx"), ListNone},
		{"follow without will", pk("Response", "Success", "Message", "Please follow"), ListNone},
		{"legacy Command is not a list", pk("Response", "Follows", "Privilege", "Command", "Output", "x"), ListNone},
		{"legacy Command with empty output", pk("Response", "Follows", "Privilege", "Command", "ActionID", "3"), ListNone},
		{"modern Command", pk("Response", "Success", "Message", "Command output follows", "Output", "x"), ListNone},
		{"plain success", pk("Response", "Success", "Message", "Authentication accepted"), ListNone},
		{"error", pk("Response", "Error", "Message", "No active conferences."), ListNone},
		{"error with EventList", pk("Response", "Error", "EventList", "start"), ListStart},
		{"Complete by EventList", pk("Event", "CoreShowChannelsComplete", "EventList", "Complete", "ListItems", "0"), ListComplete},
		{"Complete by EventList only", pk("Event", "Whatever", "EventList", "complete"), ListComplete},
		{"Complete by name", pk("Event", "StatusComplete", "Items", "6"), ListComplete},
		{"Complete by name, case", pk("Event", "PeerlistCOMPLETE"), ListComplete},
		{"name just Complete", pk("Event", "Complete"), ListComplete},
		{"Cancelled", pk("Event", "CoreShowChannelsComplete", "EventList", "Cancelled"), ListCancelled},
		{"Cancelled case", pk("Event", "X", "eventlist", "CANCELLED"), ListCancelled},
		{"item", pk("Event", "CoreShowChannel", "ActionID", "1"), ListItem},
		{"Completed is an item", pk("Event", "CompletedCall"), ListItem},
		{"OriginateResponse is an item", pk("Event", "OriginateResponse", "Response", "Success", "Message", "Result will follow"), ListItem},
		{"action", pk("Action", "Status", "Message", "Result will follow"), ListNone},
		{"unknown", pk("Foo", "bar"), ListNone},
		{"empty", Packet{}, ListNone},
	}
	for _, tc := range tests {
		if got := ListMarkOf(tc.p); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestListItems(t *testing.T) {
	tests := []struct {
		p    Packet
		want int
	}{
		{pk("Event", "XComplete", "ListItems", "6"), 6},
		{pk("Event", "StatusComplete", "Items", "6", "ListItems", "6"), 6},
		{pk("Event", "StatusComplete", "Items", "3"), 3},
		{pk("Event", "XComplete", "listitems", " 0 "), 0},
		{pk("Event", "XComplete"), -1},
		{pk("Event", "XComplete", "ListItems", "x", "Items", "2"), 2},
		{pk("Event", "XComplete", "ListItems", "-1"), -1},
	}
	for _, tc := range tests {
		if got := ListItems(tc.p); got != tc.want {
			t.Errorf("ListItems(%q) = %d, want %d", tc.p.Fields, got, tc.want)
		}
	}
}
