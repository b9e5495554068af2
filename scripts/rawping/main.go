// Command rawping is the reference for `ami send Ping` in scripts/bench.sh: the
// least a program can do to log in, ping and log off over AMI. It writes the three
// actions at once and reads until the server closes after its Goodbye, checking
// only that a Pong came back.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5038", "AMI server address")
	user := flag.String("user", "admin", "AMI username")
	secret := flag.String("secret", "admin", "AMI secret (benchmarks only: never use a real one on argv)")
	flag.Parse()
	conn, err := net.DialTimeout("tcp", *addr, 5*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawping:", err)
		os.Exit(1)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "Action: Login\r\nUsername: %s\r\nSecret: %s\r\nEvents: off\r\n\r\n"+
		"Action: Ping\r\n\r\nAction: Logoff\r\n\r\n", *user, *secret)
	reply, err := io.ReadAll(conn)
	if err != nil || !bytes.Contains(reply, []byte("Ping: Pong")) {
		fmt.Fprintf(os.Stderr, "rawping: no Pong (%v)\n", err)
		os.Exit(1)
	}
}
