// Command rawlist is the reference reader for scripts/benchlist.sh: the least work a
// program can do to drain an AMI event list. It logs in with events off, sends one list
// action (CoreShowChannels by default), reads the socket with one 256 KiB buffer until
// the list's "EventList: Complete" line, and prints the number of items (lines starting
// "Event: <item>") on stdout. What it costs is what the server costs: `ami list` is
// measured against it.
package main

import (
	"bufio"
	"bytes"
	"errors"
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
	action := flag.String("action", "CoreShowChannels", "the list action to send")
	item := flag.String("item", "CoreShowChannel", "the event name of one item")
	flag.Parse()
	n, err := run(*addr, *user, *secret, *action, *item)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawlist:", err)
		os.Exit(1)
	}
	fmt.Println(n)
}

func run(addr, user, secret, action, item string) (int, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Minute))
	br := bufio.NewReaderSize(conn, 64<<10)
	if _, err := br.ReadString('\n'); err != nil {
		return 0, fmt.Errorf("banner: %w", err)
	}
	// Login and the list action pipelined: the server answers in order.
	if _, err := fmt.Fprintf(conn, "Action: Login\r\nUsername: %s\r\nSecret: %s\r\nEvents: off\r\n\r\nAction: %s\r\nActionID: l1\r\n\r\n", user, secret, action); err != nil {
		return 0, err
	}
	marker := []byte("\nEvent: " + item + "\r\n")
	end := []byte("\nEventList: Complete\r\n")
	keep := max(len(marker), len(end)) - 1
	buf := make([]byte, keep+256<<10)
	carry := 0 // bytes kept from the end of the previous read, so a marker split across reads is seen once
	n := 0
	for {
		m, err := br.Read(buf[carry:])
		if m > 0 {
			chunk := buf[:carry+m]
			// A marker wholly inside the carried bytes was counted last time,
			// and the carry is shorter than a marker: no double count.
			n += bytes.Count(chunk, marker)
			if bytes.Contains(chunk, end) {
				return n, nil
			}
			carry = copy(buf, chunk[max(0, len(chunk)-keep):])
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, errors.New("connection closed before the list completed")
			}
			return n, err
		}
	}
}
