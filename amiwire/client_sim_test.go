package amiwire_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// simServer starts a server running the simulated PBX.
func simServer(t testing.TB, opts amisim.Options) *amitest.Server {
	t.Helper()
	srv := newServer(t, amitest.Options{})
	if _, err := amisim.New(srv, opts); err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestDoSimulator(t *testing.T) {
	tests := []struct {
		name      string
		calls     int
		action    amiwire.Packet
		errMsg    string // want an *ActionError with this Message
		items     int    // -1: not a list
		itemEvent string
		final     string
		finalN    string // ListItems of the final event
		idLast    bool   // the ActionID is the last header of each item
	}{
		{name: "ping", action: amiwire.NewAction("Ping"), items: -1},
		{name: "unknown action", action: amiwire.NewAction("NoSuchThing"), errMsg: "Invalid/unknown command", items: -1},
		{name: "status of a missing channel", calls: 1, action: amiwire.NewAction("Status", "Channel", "SIP/nobody"), errMsg: "No such channel", items: -1},
		{name: "core show channels", calls: 3, action: amiwire.NewAction("CoreShowChannels"),
			items: 6, itemEvent: "CoreShowChannel", final: "CoreShowChannelsComplete", finalN: "6"},
		{name: "status", calls: 3, action: amiwire.NewAction("Status"),
			items: 6, itemEvent: "Status", final: "StatusComplete", finalN: "6", idLast: true},
		{name: "empty list", calls: 0, action: amiwire.NewAction("CoreShowChannels"),
			items: 0, final: "CoreShowChannelsComplete", finalN: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, simServer(t, amisim.Options{Calls: tt.calls}), amiwire.Config{Events: "off"})
			const id = "sim-1"
			action := tt.action.Clone()
			action.Add("ActionID", id)
			p, err := c.Send(testCtx(t), action)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := p.Wait(testCtx(t))
			if tt.errMsg != "" {
				var ae *amiwire.ActionError
				if !errors.As(err, &ae) || !strings.HasPrefix(ae.Message, tt.errMsg) || ae.ActionID != id || ae.Action != tt.action.Get("Action") {
					t.Fatalf("err = %#v, want *ActionError %q", err, tt.errMsg)
				}
				if resp == nil || !strings.EqualFold(resp.Packet.Get("Response"), "Error") || resp.Packet.Get("ActionID") != id {
					t.Fatalf("resp = %+v, want the error response", resp)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Packet.Get("Response"); got != "Success" || resp.Packet.Get("ActionID") != id {
				t.Errorf("response = %v", resp.Packet)
			}
			if tt.items < 0 {
				if resp.Events != nil || resp.Final != nil {
					t.Errorf("plain response with list parts: %+v", resp)
				}
				return
			}
			if resp.Events == nil || len(resp.Events) != tt.items {
				t.Fatalf("%d items (nil %v), want %d", len(resp.Events), resp.Events == nil, tt.items)
			}
			for i, ev := range resp.Events {
				if ev.Get("Event") != tt.itemEvent || ev.Get("ActionID") != id {
					t.Errorf("item %d = %v", i, ev)
				}
				if last := ev.Fields[len(ev.Fields)-1]; tt.idLast && last.Key != "ActionID" {
					t.Errorf("item %d ends with %q, want ActionID", i, last.Key)
				}
			}
			if resp.Final == nil || resp.Final.Get("Event") != tt.final || resp.Final.Get("ListItems") != tt.finalN ||
				amiwire.ListItems(*resp.Final) != tt.items {
				t.Errorf("final = %v", resp.Final)
			}
			if q := c.ConnState().EventsQueued; q != 0 {
				t.Errorf("%d events leaked into the async queue", q)
			}
		})
	}
}

// TestPipelineReverseWait sends many actions, plain ones and lists, before
// collecting any result, and collects them last first.
func TestPipelineReverseWait(t *testing.T) {
	srv := simServer(t, amisim.Options{Calls: 2})
	c := dial(t, srv, amiwire.Config{Events: "off"})
	idForm := regexp.MustCompile(`^[0-9a-f]{8}-[0-9]+$`)
	const n = 200
	pend := make([]*amiwire.Pending, n)
	for i := range pend {
		a := amiwire.NewAction("Ping")
		if i%5 == 0 {
			a = amiwire.NewAction("CoreShowChannels")
		}
		p, err := c.Send(testCtx(t), a)
		if err != nil {
			t.Fatal(err)
		}
		pend[i] = p
	}
	resps := make([]*amiwire.Response, n)
	for i := n - 1; i >= 0; i-- {
		resp, err := pend[i].Wait(testCtx(t))
		if err != nil {
			t.Fatalf("action %d: %v", i, err)
		}
		resps[i] = resp
	}
	// The ActionIDs the client added, in the order sent; every action has
	// been answered, so the server has read them all.
	var ids []string
	for _, r := range srv.Requests() {
		if a := r.Action.Get("Action"); a == "Ping" || a == "CoreShowChannels" {
			ids = append(ids, r.Action.Get("ActionID"))
		}
	}
	if len(ids) != n {
		t.Fatalf("server got %d actions, want %d", len(ids), n)
	}
	for i, resp := range resps {
		if !idForm.MatchString(ids[i]) {
			t.Fatalf("ActionID %q", ids[i])
		}
		if resp.Packet.Get("ActionID") != ids[i] {
			t.Fatalf("action %d got the response of %s", i, resp.Packet.Get("ActionID"))
		}
		if want := map[bool]int{true: 4, false: 0}[i%5 == 0]; len(resp.Events) != want {
			t.Fatalf("action %d: %d items, want %d", i, len(resp.Events), want)
		}
	}
	// An ActionID given by the caller is kept.
	resp, err := c.Do(testCtx(t), amiwire.NewAction("Ping", "ActionID", "mine-1"))
	if err != nil || resp.Packet.Get("ActionID") != "mine-1" {
		t.Fatalf("own ActionID: %v, %v", resp, err)
	}
}

// TestEmitDuringList interleaves async events (Server.Emit) with the items
// of a list: the list gets exactly its items, NextEvents exactly the
// events, each in order.
func TestEmitDuringList(t *testing.T) {
	const n = 500
	srv := newServer(t, amitest.Options{})
	srv.Handle("Interleave", func(s *amitest.Session, a amiwire.Packet) {
		id := a.Get("ActionID")
		s.WriteRaw([]byte("Response: Success\r\nActionID: " + id + "\r\nEventList: start\r\nMessage: Items will follow\r\n\r\n"))
		for i := range n {
			s.WriteRaw([]byte("Event: Item\r\nActionID: " + id + "\r\nN: " + strconv.Itoa(i) + "\r\n\r\n"))
			srv.Emit(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "Async"}, {Key: "Privilege", Value: "user,all"}, {Key: "N", Value: strconv.Itoa(i)}}})
		}
		s.WriteRaw([]byte("Event: ItemsComplete\r\nActionID: " + id + "\r\nEventList: Complete\r\nListItems: " + strconv.Itoa(n) + "\r\n\r\n"))
	})
	c := dial(t, srv, amiwire.Config{Events: "on"})
	got := 0
	resp, err := c.Stream(testCtx(t), amiwire.NewAction("Interleave"), func(ev amiwire.Packet) error {
		if ev.Get("Event") != "Item" || ev.Get("N") != strconv.Itoa(got) {
			return fmt.Errorf("item %d = %v", got, ev)
		}
		got++
		return nil
	})
	if err != nil || got != n || resp.Final == nil {
		t.Fatalf("Stream: %d items, %v", got, err)
	}
	var evs []amiwire.Packet
	next := 0
	for next < n {
		evs, err = c.NextEvents(testCtx(t), evs[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			switch ev.Get("Event") {
			case "Async":
				if ev.Get("N") != strconv.Itoa(next) {
					t.Fatalf("async event %d = %v", next, ev)
				}
				next++
			case "Item", "ItemsComplete":
				t.Fatalf("list event in the async queue: %v", ev)
			}
		}
	}
}

// TestOriginateResponseIsAsync: an event carrying the ActionID of an action
// already answered is an async event.
func TestOriginateResponseIsAsync(t *testing.T) {
	c := dial(t, simServer(t, amisim.Options{}), amiwire.Config{Events: "on"})
	p, err := c.Send(testCtx(t), amiwire.NewAction("Originate", "ActionID", "orig-1", "Channel", "Bogus/1", "Async", "true", "Application", "Wait", "Data", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	var evs []amiwire.Packet
	for range 100 {
		evs, err = c.NextEvents(testCtx(t), evs[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Get("Event") == "OriginateResponse" {
				if ev.Get("ActionID") != "orig-1" || ev.Get("Response") != "Failure" {
					t.Fatalf("OriginateResponse = %v", ev)
				}
				return
			}
		}
	}
	t.Fatal("no OriginateResponse among the async events")
}

// TestLogoffThenUse: after a clean Logoff the client reports no error, and
// every call says the connection is closed.
func TestLogoffThenUse(t *testing.T) {
	c := dial(t, simServer(t, amisim.Options{}), amiwire.Config{Events: "off"})
	if err := c.Logoff(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done not closed after Logoff")
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err = %v, want nil", err)
	}
	if err := ping(testCtx(t), c); !errors.Is(err, amiwire.ErrClosed) {
		t.Errorf("Ping after Logoff = %v", err)
	}
	if _, err := c.NextEvents(context.Background(), nil); !errors.Is(err, amiwire.ErrClosed) {
		t.Errorf("NextEvents after Logoff = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close after Logoff = %v", err)
	}
}

// TestStreamSimulatorList streams the simulator's 100,000-channel
// CoreShowChannels: every item once, in order, and the list's own count.
func TestStreamSimulatorList(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000-item list")
	}
	const calls = 50000
	c := dial(t, simServer(t, amisim.Options{Calls: calls}), amiwire.Config{Events: "off", EventBuffer: 1 << 20})
	n := 0
	prev := ""
	resp, err := c.Stream(testCtx(t), amiwire.NewAction("CoreShowChannels"), func(ev amiwire.Packet) error {
		if ev.Get("Event") != "CoreShowChannel" {
			return fmt.Errorf("item %d = %v", n, ev)
		}
		// Channels come in creation order: Local/hold@default-00000050;1, ;2, ...51;1
		ch := ev.Get("Channel")
		if ch <= prev {
			return fmt.Errorf("item %d: %q after %q", n, ch, prev)
		}
		prev = strings.Clone(ch) // an item's memory is reused once the callback returns
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2*calls || resp.Events != nil || resp.Final == nil || amiwire.ListItems(*resp.Final) != 2*calls {
		t.Fatalf("%d items, final %v", n, resp.Final)
	}
	if q := c.ConnState().EventsQueued; q != 0 {
		t.Errorf("%d events in the async queue", q)
	}
}
