package amitest_test

import (
	"fmt"
	"net"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// A fake server with one handler, dialled with the amiwire codec. In a
// test, use amitest.NewServer(t, opts), which closes it at the end.
func Example() {
	srv, err := amitest.New(amitest.Options{
		Users: []amitest.User{{Name: "admin", Secret: "s3cret"}},
		Handlers: map[string]amitest.Handler{
			"Greet": func(s *amitest.Session, a amiwire.Packet) {
				s.Success(a, "Message", "hello "+a.Get("Name"))
			},
		},
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	rd, wr := amiwire.NewReader(conn), amiwire.NewWriter(conn)
	banner, _ := rd.ReadBanner()
	fmt.Println(banner)

	wr.WriteAction(amiwire.NewAction("Login", "Username", "admin", "Secret", "s3cret", "Events", "off"))
	resp, _ := rd.ReadPacket()
	fmt.Println(resp.Get("Message"))

	wr.WriteAction(amiwire.NewAction("Greet", "ActionID", "g1", "Name", "world"))
	resp, _ = rd.ReadPacket()
	fmt.Print(resp)
	// Output:
	// Asterisk Call Manager/11.0.0
	// Authentication accepted
	// Response: Success
	// ActionID: g1
	// Message: hello world
}

// The simulated PBX, as `ami mock` runs it: a Server plus a Simulator.
func ExampleNewSimulator() {
	srv, err := amitest.New(amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "admin"}}})
	if err != nil {
		panic(err)
	}
	defer srv.Close() // also stops the simulator
	if _, err := amitest.NewSimulator(srv, amitest.SimOptions{Calls: 2}); err != nil {
		panic(err)
	}

	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	rd, wr := amiwire.NewReader(conn), amiwire.NewWriter(conn)
	rd.ReadBanner()
	wr.WriteAction(amiwire.NewAction("Login", "Username", "admin", "Secret", "admin", "Events", "off"))
	rd.ReadPacket()
	wr.WriteAction(amiwire.NewAction("CoreShowChannels", "ActionID", "c1"))
	for {
		p, err := rd.ReadPacket()
		if err != nil {
			panic(err)
		}
		if amiwire.ListMarkOf(p) == amiwire.ListItem {
			fmt.Println(p.Event(), p.Get("Channel"))
		}
		if amiwire.ListMarkOf(p) == amiwire.ListComplete {
			fmt.Println("ListItems:", amiwire.ListItems(p))
			break
		}
	}
	// Output:
	// CoreShowChannel Local/hold@default-00000051;1
	// CoreShowChannel Local/hold@default-00000051;2
	// CoreShowChannel Local/hold@default-00000052;1
	// CoreShowChannel Local/hold@default-00000052;2
	// ListItems: 4
}
