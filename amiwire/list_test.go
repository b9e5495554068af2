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
		want listMark
	}{
		{"Message: Result will follow", pk("Response", "Success", "ActionID", "1", "Message", "Result will follow"), listStart},
		{"Message: Result follows", pk("Response", "Success", "Message", "Result follows"), listStart},
		{"Response: Follows", pk("Response", "Follows", "ActionID", "1"), listStart},
		{"Response: Result will follow", pk("Response", "Result will follow"), listStart},
		{"EventList: start", pk("Response", "Success", "EventList", "start", "Message", "Channels will follow"), listStart},
		{"EventList: Start", pk("Response", "Success", "EventList", "Start", "Message", "A listing of Endpoints follows"), listStart},
		{"case: message", pk("response", "success", "message", "RESULT WILL FOLLOW"), listStart},
		{"case: follows", pk("RESPONSE", "follows"), listStart},
		{"case: eventlist", pk("Response", "Success", "eventlist", "START"), listStart},
		{"Asterisk 11 QueueStatus, no EventList", pk("Response", "Success", "Message", "Queue status will follow"), listStart},
		{"Asterisk 11 Status, no EventList", pk("Response", "Success", "ActionID", "2", "Message", "Channel status will follow"), listStart},
		{"Asterisk 11 Agents, case", pk("Response", "Success", "Message", "AGENTS WILL FOLLOW"), listStart},
		{"a listing follows", pk("Response", "Success", "Message", "A listing of Endpoints follows"), listStart},
		{"follows, stray line end", pk("Response", "Success", "Message", "Parked calls will follow\n"), listStart},
		{"modern Command, no output", pk("Response", "Success", "Message", "Command output follows"), listNone},
		{"modern Command error", pk("Response", "Error", "Message", "Command output follows", "Output", "No such command"), listNone},
		{"follows in the middle", pk("Response", "Success", "Message", "What follows is nothing"), listNone},
		{"followsx", pk("Response", "Success", "Message", "Result followsx"), listNone},
		{"follow without will", pk("Response", "Success", "Message", "Please follow"), listNone},
		{"legacy Command is not a list", pk("Response", "Follows", "Privilege", "Command", "Output", "x"), listNone},
		{"legacy Command with empty output", pk("Response", "Follows", "Privilege", "Command", "ActionID", "3"), listNone},
		{"modern Command", pk("Response", "Success", "Message", "Command output follows", "Output", "x"), listNone},
		{"plain success", pk("Response", "Success", "Message", "Authentication accepted"), listNone},
		{"error", pk("Response", "Error", "Message", "No active conferences."), listNone},
		{"error with EventList", pk("Response", "Error", "EventList", "start"), listStart},
		{"Complete by EventList", pk("Event", "CoreShowChannelsComplete", "EventList", "Complete", "ListItems", "0"), listComplete},
		{"Complete by EventList only", pk("Event", "Whatever", "EventList", "complete"), listComplete},
		{"Complete by name", pk("Event", "StatusComplete", "Items", "6"), listComplete},
		{"Complete by name, case", pk("Event", "PeerlistCOMPLETE"), listComplete},
		{"name just Complete", pk("Event", "Complete"), listComplete},
		{"Cancelled", pk("Event", "CoreShowChannelsComplete", "EventList", "Cancelled"), listCancelled},
		{"Cancelled case", pk("Event", "X", "eventlist", "CANCELLED"), listCancelled},
		{"item", pk("Event", "CoreShowChannel", "ActionID", "1"), listItem},
		{"Completed is an item", pk("Event", "CompletedCall"), listItem},
		{"OriginateResponse is an item", pk("Event", "OriginateResponse", "Response", "Success", "Message", "Result will follow"), listItem},
		{"action", pk("Action", "Status", "Message", "Result will follow"), listNone},
		{"unknown", pk("Foo", "bar"), listNone},
		{"empty", Packet{}, listNone},
	}
	for _, tc := range tests {
		if got := listMarkOf(tc.p); got != tc.want {
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
		if got := listItems(tc.p); got != tc.want {
			t.Errorf("listItems(%q) = %d, want %d", tc.p.Fields, got, tc.want)
		}
	}
}
