package amiwire_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// Replies written by hand in the shapes real servers send, with LF line
// ends; lineEnds gives them with CRLF too. "{ActionID}" becomes the
// action's ActionID (amitest.RawReply).
const (
	// chan_iax2's IAXpeers on Asterisk 22.10.1: the start and the
	// completion carry the ActionID, the PeerEntry items do not.
	iaxPeersReply = "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Peer status list will follow\n\n" +
		"Event: PeerEntry\nChanneltype: IAX2\nObjectName: peer-b\nChanObjectType: peer\nIPaddress: 127.0.0.1\nIPport: 4570\nDynamic: no\nStatus: Unmonitored\nDescription: \n\n" +
		"Event: PeerEntry\nChanneltype: IAX2\nObjectName: peer-a\nChanObjectType: peer\nIPaddress: (null)\nIPport: (null)\nDynamic: yes\nStatus: Unmonitored\nDescription: \n\n" +
		"Event: PeerlistComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 2\n\n"

	// A list whose items all carry the ActionID.
	channelsReply = "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Channels will follow\n\n" +
		"Event: CoreShowChannel\nActionID: {ActionID}\nChannel: PJSIP/100-00000001\n\n" +
		"Event: CoreShowChannel\nActionID: {ActionID}\nChannel: PJSIP/200-00000002\n\n" +
		"Event: CoreShowChannelsComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 2\n\n"

	// Items with and without the ActionID in one list.
	mixedReply = "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Result will follow\n\n" +
		"Event: Item\nActionID: {ActionID}\nN: 1\n\n" +
		"Event: Item\nN: 2\n\n" +
		"Event: Item\nN: 3\nActionID: {ActionID}\n\n" +
		"Event: Item\nN: 4\n\n" +
		"Event: ItemsComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 4\n\n"

	// A completion event that announces one item more than came.
	shortReply = "Response: Success\nActionID: {ActionID}\nEventList: start\nMessage: Channels will follow\n\n" +
		"Event: CoreShowChannel\nActionID: {ActionID}\nChannel: PJSIP/100-00000001\n\n" +
		"Event: CoreShowChannel\nActionID: {ActionID}\nChannel: PJSIP/200-00000002\n\n" +
		"Event: CoreShowChannelsComplete\nActionID: {ActionID}\nEventList: Complete\nListItems: 3\n\n"

	// Asterisk 11's QueueStatus: no EventList header; the items carry the
	// ActionID last; the completion has no ListItems.
	queueStatus11Reply = "Response: Success\nActionID: {ActionID}\nMessage: Queue status will follow\n\n" +
		"Event: QueueParams\nQueue: support\nMax: 0\nStrategy: ringall\nCalls: 0\nActionID: {ActionID}\n\n" +
		"Event: QueueMember\nQueue: support\nName: Agent/220\nLocation: Local/id-9@agentcallback\nPaused: 0\nActionID: {ActionID}\n\n" +
		"Event: QueueStatusComplete\nActionID: {ActionID}\n\n"

	// The same with no queue configured: an empty list.
	queueStatus11EmptyReply = "Response: Success\nActionID: {ActionID}\nMessage: Queue status will follow\n\n" +
		"Event: QueueStatusComplete\nActionID: {ActionID}\n\n"

	// Asterisk 11's Status: "Channel status will follow", Items, no EventList.
	status11Reply = "Response: Success\nActionID: {ActionID}\nMessage: Channel status will follow\n\n" +
		"Event: Status\nPrivilege: Call\nChannel: SIP/100-00000001\nState: Up\nActionID: {ActionID}\n\n" +
		"Event: StatusComplete\nActionID: {ActionID}\nItems: 1\n\n"

	// Command output ended by the packet's empty line, no --END COMMAND--.
	commandNoEndReply = "Response: Follows\nPrivilege: Command\nActionID: {ActionID}\n" +
		"No such command 'core show hi' (type 'core show help core show hi' for other possible commands)\n\n"

	// Asterisk 11's Queues: the CLI's text, no Response line, no ActionID,
	// an empty line after each queue and two more at the end.
	queuesReply = "support has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s\n" +
		"   Members: \n      Local/hold@default (ringinuse enabled) (dynamic) (Not in use) has taken no calls yet\n   No Callers\n\n" +
		"sales has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s\n" +
		"   No Members\n   No Callers\n\n\n\n"
)

// queuesLines are the Output lines of queuesReply.
var queuesLines = []string{
	"support has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s",
	"   Members: ", "      Local/hold@default (ringinuse enabled) (dynamic) (Not in use) has taken no calls yet", "   No Callers", "",
	"sales has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s",
	"   No Members", "   No Callers",
}

// lineEnds are the two line ends the replies are served with.
var lineEnds = []struct {
	name string
	conv func(string) string
}{
	{"LF", func(s string) string { return s }},
	{"CRLF", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
}

// oldShapesServer serves the hand-written replies, with the line end conv.
func oldShapesServer(t *testing.T, conv func(string) string) *amitest.Server {
	t.Helper()
	srv := newServer(t, amitest.Options{})
	for name, reply := range map[string]string{
		"IAXpeers": iaxPeersReply, "CoreShowChannels": channelsReply, "Mixed": mixedReply, "Short": shortReply,
		"QueueStatus": queueStatus11Reply, "QueueStatusEmpty": queueStatus11EmptyReply, "Status": status11Reply,
		"Command": commandNoEndReply, "Queues": queuesReply,
	} {
		srv.HandlePerm(name, "", amitest.RawReply(conv(reply)))
	}
	return srv
}

// collect runs a list action with Do or, with stream, Stream (items
// cloned), returning the items.
func collectList(ctx context.Context, c *amiwire.Client, a amiwire.Packet, stream bool) (*amiwire.Response, []amiwire.Packet, error) {
	if !stream {
		resp, err := c.Do(ctx, a)
		if resp == nil {
			return nil, nil, err
		}
		return resp, resp.Events, err
	}
	var items []amiwire.Packet
	resp, err := c.Stream(ctx, a, func(p amiwire.Packet) error {
		items = append(items, p.Clone())
		return nil
	})
	return resp, items, err
}

// field returns key of each packet, parsed whole (Stream may skim).
func field(t *testing.T, ps []amiwire.Packet, key string) []string {
	t.Helper()
	var out []string
	for _, p := range ps {
		out = append(out, p.Complete(nil).Get(key))
	}
	return out
}

func TestListItemsWithoutActionID(t *testing.T) {
	for _, le := range lineEnds {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", le.name, stream), func(t *testing.T) {
				srv := oldShapesServer(t, le.conv)
				c := dial(t, srv, amiwire.Config{Events: "off", Lend: stream})
				ctx := testCtx(t)

				// Alone.
				_, items, err := collectList(ctx, c, amiwire.NewAction("IAXpeers"), stream)
				if err != nil || strings.Join(field(t, items, "ObjectName"), ",") != "peer-b,peer-a" {
					t.Fatalf("IAXpeers alone: %v items, %v", field(t, items, "ObjectName"), err)
				}

				// Mixed with items that carry the ActionID, in order.
				_, items, err = collectList(ctx, c, amiwire.NewAction("Mixed"), stream)
				if err != nil || strings.Join(field(t, items, "N"), ",") != "1,2,3,4" {
					t.Fatalf("mixed: %v, %v", field(t, items, "N"), err)
				}

				// Pipelined behind a normal list, and another such list behind it.
				var pend []*amiwire.Pending
				for _, name := range []string{"CoreShowChannels", "IAXpeers", "IAXpeers", "CoreShowChannels"} {
					p, err := c.Send(ctx, amiwire.NewAction(name))
					if err != nil {
						t.Fatal(err)
					}
					pend = append(pend, p)
				}
				want := []string{"PJSIP/100-00000001,PJSIP/200-00000002", "peer-b,peer-a", "peer-b,peer-a", "PJSIP/100-00000001,PJSIP/200-00000002"}
				for i, p := range pend {
					resp, err := p.Wait(ctx)
					if err != nil {
						t.Fatalf("pipelined %d: %v", i, err)
					}
					key := "Channel"
					if i == 1 || i == 2 {
						key = "ObjectName"
					}
					if got := strings.Join(field(t, resp.Events, key), ","); got != want[i] {
						t.Fatalf("pipelined %d: %s, want %s", i, got, want[i])
					}
				}
				if q := c.ConnState().EventsQueued; q != 0 {
					t.Fatalf("%d items went to the event queue", q)
				}
			})
		}
	}
}

// TestListItemsWithoutActionIDEventsOn: with events on, an item without
// ActionID cannot be told from an async event; it stays one, and the
// ListItems check says what is missing.
func TestListItemsWithoutActionIDEventsOn(t *testing.T) {
	for _, le := range lineEnds {
		t.Run(le.name, func(t *testing.T) {
			srv := oldShapesServer(t, le.conv)
			c := dial(t, srv, amiwire.Config{Events: "user"}) // on, but nothing the fake server sends by itself
			resp, err := c.Do(testCtx(t), amiwire.NewAction("IAXpeers"))
			var lce *amiwire.IncompleteListError
			if !errors.As(err, &lce) || !lce.Miscounted || !lce.EventsOn || lce.Expected != 2 || lce.Received != 0 {
				t.Fatalf("err = %v, want a miscounted *IncompleteListError with events on", err)
			}
			if want := "IAXpeers: server said 2 items, received 0 (events are on: the missing items may have arrived as events)"; err.Error() != want {
				t.Fatalf("message %q, want %q", err, want)
			}
			if resp == nil || len(resp.Events) != 0 || resp.Final == nil {
				t.Fatalf("resp = %+v", resp)
			}
			evs, err := c.NextEvents(testCtx(t), nil)
			if err != nil || len(evs) != 2 || evs[0].Get("ObjectName") != "peer-b" {
				t.Fatalf("events = %v, %v", evs, err)
			}
		})
	}
}

// TestListItemsEventsAction: an Events action turns the rule off for the
// actions sent after it, and on again.
func TestListItemsEventsAction(t *testing.T) {
	srv := oldShapesServer(t, lineEnds[1].conv)
	c := dial(t, srv, amiwire.Config{Events: "off"})
	ctx := testCtx(t)
	var pend []*amiwire.Pending
	for _, a := range []amiwire.Packet{
		amiwire.NewAction("Events", "EventMask", "user"),
		amiwire.NewAction("IAXpeers"),
		amiwire.NewAction("Events", "EventMask", "off"),
		amiwire.NewAction("IAXpeers"),
	} {
		p, err := c.Send(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		pend = append(pend, p)
	}
	for i, p := range pend {
		resp, err := p.Wait(ctx)
		switch i {
		case 1:
			var lce *amiwire.IncompleteListError
			if !errors.As(err, &lce) || !lce.Miscounted || !lce.EventsOn || len(resp.Events) != 0 {
				t.Fatalf("IAXpeers with events on: %+v, %v", resp, err)
			}
		case 3:
			if err != nil || len(resp.Events) != 2 {
				t.Fatalf("IAXpeers with events off again: %+v, %v", resp, err)
			}
		default:
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if q := c.ConnState().EventsQueued; q != 2 {
		t.Fatalf("%d async events, want the 2 items of the list sent with events on", q)
	}
}

func TestListCountMismatch(t *testing.T) {
	for _, le := range lineEnds {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", le.name, stream), func(t *testing.T) {
				srv := oldShapesServer(t, le.conv)
				c := dial(t, srv, amiwire.Config{Events: "off"})
				resp, items, err := collectList(testCtx(t), c, amiwire.NewAction("Short"), stream)
				var lce *amiwire.IncompleteListError
				if !errors.As(err, &lce) || !lce.Miscounted || lce.EventsOn || lce.Expected != 3 || lce.Received != 2 {
					t.Fatalf("err = %v, want a miscounted *IncompleteListError", err)
				}
				if want := "Short: server said 3 items, received 2"; err.Error() != want {
					t.Fatalf("message %q, want %q", err, want)
				}
				if len(items) != 2 || resp == nil || resp.Final == nil {
					t.Fatalf("the items received are lost: %d, %+v", len(items), resp)
				}
				// The connection goes on.
				if err := ping(testCtx(t), c); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestLegacyListStarts(t *testing.T) {
	tests := []struct {
		action string
		items  []string // Event of each item
		final  string
	}{
		{"QueueStatus", []string{"QueueParams", "QueueMember"}, "QueueStatusComplete"},
		{"QueueStatusEmpty", []string{}, "QueueStatusComplete"},
		{"Status", []string{"Status"}, "StatusComplete"},
	}
	for _, le := range lineEnds {
		for _, tt := range tests {
			t.Run(le.name+"/"+tt.action, func(t *testing.T) {
				srv := oldShapesServer(t, le.conv)
				c := dial(t, srv, amiwire.Config{Events: "off"})
				resp, err := c.Do(testCtx(t), amiwire.NewAction(tt.action))
				if err != nil {
					t.Fatal(err)
				}
				if amiwire.ListMarkOf(resp.Packet) != amiwire.ListStart || resp.Events == nil || resp.Final == nil || resp.Final.Get("Event") != tt.final {
					t.Fatalf("not read as a list: %+v", resp)
				}
				if got := field(t, resp.Events, "Event"); strings.Join(got, ",") != strings.Join(tt.items, ",") {
					t.Fatalf("items %q, want %q", got, tt.items)
				}
			})
		}
	}
}

// TestFollowsEndedByBlankLine: a legacy Command reply without --END
// COMMAND-- ends at its empty line, when the next packet comes or the
// server closes.
func TestFollowsEndedByBlankLine(t *testing.T) {
	const want = "No such command 'core show hi' (type 'core show help core show hi' for other possible commands)"
	for _, le := range lineEnds {
		t.Run(le.name, func(t *testing.T) {
			srv := oldShapesServer(t, le.conv)
			c := dial(t, srv, amiwire.Config{Events: "off"})
			ctx := testCtx(t)
			cmd, err := c.Send(ctx, amiwire.NewAction("Command", "Command", "core show hi"))
			if err != nil {
				t.Fatal(err)
			}
			ping, err := c.Send(ctx, amiwire.NewAction("Ping"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := cmd.Wait(ctx)
			if err != nil || strings.Join(resp.Packet.Values("Output"), "|") != want || resp.Events != nil {
				t.Fatalf("Command: %+v, %v", resp, err)
			}
			if _, err := ping.Wait(ctx); err != nil {
				t.Fatalf("Ping behind it: %v", err)
			}

			// The server closing right after the empty line ends it too.
			srv.HandlePerm("Command", "", func(s *amitest.Session, a amiwire.Packet) {
				amitest.RawReply(le.conv(commandNoEndReply))(s, a)
				s.Close()
			})
			resp, err = c.Do(ctx, amiwire.NewAction("Command", "Command", "core show hi"))
			if err != nil || strings.Join(resp.Packet.Values("Output"), "|") != want {
				t.Fatalf("Command at the end of the stream: %+v, %v", resp, err)
			}
		})
	}
}

// TestBareTextAnswer: old Asterisk answers Queues with the CLI's text, no
// packet at all. With events off it is the answer of the action waiting.
func TestBareTextAnswer(t *testing.T) {
	for _, le := range lineEnds {
		t.Run(le.name, func(t *testing.T) {
			srv := oldShapesServer(t, le.conv)
			c := dial(t, srv, amiwire.Config{Events: "off"})
			ctx := testCtx(t)
			queues, err := c.Send(ctx, amiwire.NewAction("Queues"))
			if err != nil {
				t.Fatal(err)
			}
			ping, err := c.Send(ctx, amiwire.NewAction("Ping"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := queues.Wait(ctx)
			if err != nil || resp.Events != nil {
				t.Fatalf("Queues: %+v, %v", resp, err)
			}
			if got := resp.Packet.Values("Output"); strings.Join(got, "|") != strings.Join(queuesLines, "|") || len(resp.Packet.Fields) != len(queuesLines) {
				t.Fatalf("Queues answered %q, want %q", resp.Packet.Fields, queuesLines)
			}
			if string(resp.Packet.Raw) != le.conv(queuesReply[:len(queuesReply)-2]) {
				t.Fatalf("Raw %q", resp.Packet.Raw)
			}
			if r, err := ping.Wait(ctx); err != nil || r.Packet.Get("Ping") != "Pong" {
				t.Fatalf("Ping behind it: %+v, %v", r, err)
			}
			if q := c.ConnState().EventsQueued; q != 0 {
				t.Fatalf("%d async events", q)
			}
		})
	}

	// With events on the text cannot be told from something unasked: it
	// is queued, and Queues stays unanswered.
	srv := oldShapesServer(t, lineEnds[0].conv)
	c := dial(t, srv, amiwire.Config{Events: "user"})
	ctx := testCtx(t)
	queues, err := c.Send(ctx, amiwire.NewAction("Queues"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, c); err != nil {
		t.Fatal(err)
	}
	evs, err := c.NextEvents(ctx, nil)
	if err != nil || len(evs) != 1 || evs[0].Get("Output") != queuesLines[0] {
		t.Fatalf("events = %v, %v", evs, err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if resp, err := queues.Wait(done); resp != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Queues answered with events on: %+v, %v", resp, err)
	}
}
