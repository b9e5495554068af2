package amisim_test

import (
	"fmt"
	"net"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// The simulated PBX, as `ami mock` runs it: a Server plus a Simulator.
func ExampleNew() {
	srv, err := amitest.New(amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "admin"}}})
	if err != nil {
		panic(err)
	}
	defer srv.Close() // also stops the simulator
	if _, err := amisim.New(srv, amisim.Options{Calls: 2}); err != nil {
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
		if p.Has("Event") && !p.Has("EventList") {
			fmt.Println(p.Get("Event"), p.Get("Channel"))
		}
		if p.Get("EventList") == "Complete" {
			fmt.Println("ListItems:", p.Get("ListItems"))
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
