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
