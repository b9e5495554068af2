package amiwire_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// exampleServer starts a fake Asterisk (package amitest) with the user
// admin/s3cret, a "Greet" action and a "Peers" list; a test would use
// amitest.NewServer(t, opts), which closes it when the test ends.
func exampleServer() *amitest.Server {
	srv, err := amitest.New(amitest.Options{
		Users: []amitest.User{{Name: "admin", Secret: "s3cret"}},
		Handlers: map[string]amitest.Handler{
			"Greet": func(s *amitest.Session, a amiwire.Packet) {
				s.Success(a, "Message", "hello "+a.Get("Name"))
			},
			"Peers": func(s *amitest.Session, a amiwire.Packet) {
				lw := s.StartList(a, "Peer status will follow")
				for _, name := range []string{"alice", "bob", "carol"} {
					lw.Item(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "PeerEntry"}, {Key: "ObjectName", Value: name}}})
				}
				lw.Complete("PeerlistComplete")
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	return srv
}

func ExampleDial() {
	srv := exampleServer()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err) // a *ConnectError naming the stage: connect, tls, banner or login
	}
	fmt.Println("AMI", c.ConnState().Version)
	if _, err := c.Do(ctx, amiwire.NewAction("Ping")); err != nil {
		log.Fatal(err)
	}
	if err := c.Logoff(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// AMI 11.0.0
}

func ExampleClient_Do() {
	srv := exampleServer()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// A plain action: the response, matched by the ActionID Do adds.
	resp, err := c.Do(ctx, amiwire.NewAction("Greet", "Name", "world"))
	if err != nil {
		log.Fatal(err) // an *ActionError for "Response: Error"
	}
	fmt.Println(resp.Packet.Get("Message"))

	// A list: every item, kept in Response.Events, and the final event.
	resp, err = c.Do(ctx, amiwire.NewAction("Peers"))
	if err != nil {
		log.Fatal(err)
	}
	for _, item := range resp.Events {
		fmt.Println(item.Get("ObjectName"))
	}
	fmt.Println(resp.Final.Get("Event"))
	// Output:
	// hello world
	// alice
	// bob
	// carol
	// PeerlistComplete
}

func ExampleClient_Stream() {
	srv := exampleServer()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Each item as it arrives, not kept by the Client: for lists of any
	// size. The items, and their strings, are the callback's to keep.
	seen := map[string]bool{}
	resp, err := c.Stream(ctx, amiwire.NewAction("Peers"), func(item amiwire.Packet) error {
		seen[item.Get("ObjectName")] = true
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(seen), "peers;", resp.Final.Get("Event"))
	// Output:
	// 3 peers; PeerlistComplete
}

func ExampleClient_NextEvents() {
	srv := exampleServer()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Events are off unless Config.Events asks for them.
	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret", Events: "user"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	for _, n := range []string{"1", "2"} {
		srv.Emit(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "UserEvent"}, {Key: "Privilege", Value: "user,all"}, {Key: "N", Value: n}}})
	}
	var batch []amiwire.Packet
	for got := 0; got < 2; {
		batch, err = c.NextEvents(ctx, batch[:0]) // every event queued, at least one
		if err != nil {
			log.Fatal(err)
		}
		for _, ev := range batch {
			fmt.Println(ev.Get("Event"), ev.Get("N"))
			got++
		}
	}
	// Output:
	// UserEvent 1
	// UserEvent 2
}

func ExampleClient_WatchEvent() {
	srv := exampleServer()
	defer srv.Close()
	// An Originate answered at once, and its OriginateResponse after it.
	srv.Handle("Originate", func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Message", "Originate successfully queued")
		s.SendEvent(amiwire.Packet{Fields: []amiwire.Field{{Key: "Event", Value: "OriginateResponse"}, {Key: "Privilege", Value: "call,all"},
			{Key: "ActionID", Value: a.Get("ActionID")}, {Key: "Response", Value: "Success"}, {Key: "Channel", Value: a.Get("Channel")}}})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret", Events: "call"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// The OriginateResponse carries the Originate's ActionID but comes after
	// its response: it is an async event. Watch for it before sending.
	wait, stop := c.WatchEvent(func(ev amiwire.Packet) bool {
		return ev.Get("Event") == "OriginateResponse" && ev.Get("ActionID") == "call-1"
	})
	defer stop()
	if _, err := c.Do(ctx, amiwire.NewAction("Originate", "ActionID", "call-1", "Channel", "PJSIP/alice", "Async", "true",
		"Application", "Playback", "Data", "hello-world")); err != nil {
		log.Fatal(err)
	}
	ev, err := wait(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Get("Response"), ev.Get("Channel"))
	// Output:
	// Success PJSIP/alice
}

// Failures are typed: branch with errors.As and errors.Is, not on
// message text.
func Example_errors() {
	srv := exampleServer()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "wrong"})
	var ce *amiwire.ConnectError
	var act *amiwire.ActionError
	if errors.As(err, &ce) && errors.As(err, &act) && act.Action == "Login" {
		fmt.Println(ce.Stage, "refused:", act.Message)
	}
	_, err = amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret", TLS: &tls.Config{}})
	if errors.As(err, &ce) && errors.Is(err, amiwire.ErrServerPlain) {
		fmt.Println(ce.Stage, "failed: a plain AMI port, dial without TLS")
	}

	c, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, err = c.Do(ctx, amiwire.NewAction("Greet", "Name", "line\r\nAction: Logoff"))
	var fe *amiwire.FieldError
	if errors.As(err, &fe) {
		fmt.Println("not sent: header", fe.Key)
	}
	_, err = c.Do(ctx, amiwire.NewAction("NoSuchAction"))
	if errors.As(err, &act) {
		fmt.Println("server said:", act.Message)
	}
	resp, err := c.Do(ctx, amiwire.NewAction("Peers"))
	var ile *amiwire.IncompleteListError
	switch {
	case errors.As(err, &ile) && ile.Miscounted:
		fmt.Println("announced", ile.Expected, "items, received", ile.Received)
	case errors.As(err, &ile):
		fmt.Println("cut short after", ile.Received, "items")
	case err != nil:
		log.Fatal(err)
	case resp.List:
		fmt.Println("a list of", len(resp.Events))
	}

	// Do keeps a list's items: more than EventBuffer of them ends the
	// connection (Stream hands them over one by one instead).
	small, err := amiwire.Dial(ctx, amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "s3cret", EventBuffer: 64})
	if err != nil {
		log.Fatal(err)
	}
	defer small.Close()
	_, err = small.Do(ctx, amiwire.NewAction("Peers"))
	if errors.Is(err, amiwire.ErrOverflow) && errors.As(err, &ile) {
		fmt.Println("taken too slowly: the connection ended after", ile.Received, "item")
	}
	// Output:
	// login refused: Authentication failed
	// tls failed: a plain AMI port, dial without TLS
	// not sent: header Name
	// server said: Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.
	// a list of 3
	// taken too slowly: the connection ended after 1 item
}
