// Command rawcopy is the reference reader for scripts/bench.sh: the least work a
// program can do to consume an AMI event stream. It logs in, then copies the socket
// to stdout with one 64 KiB buffer, parsing nothing but the count of events, and stops
// after -count events or at the end of the stream. `ami listen` is measured against it.
package main

import (
	"bufio"
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
	count := flag.Int("count", 0, "stop after this many events (0: at the end of the stream)")
	flag.Parse()
	if err := run(*addr, *user, *secret, *count, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rawcopy:", err)
		os.Exit(1)
	}
}

func run(addr, user, secret string, count int, out io.Writer) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 64<<10)
	if _, err := br.ReadString('\n'); err != nil {
		return fmt.Errorf("banner: %w", err)
	}
	if _, err := fmt.Fprintf(conn, "Action: Login\r\nUsername: %s\r\nSecret: %s\r\nEvents: on\r\n\r\n", user, secret); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	defer bw.Flush()
	marker := []byte("\nEvent: ")
	buf := make([]byte, 64<<10)
	seen := 0
	var carry []byte // the last bytes of the previous chunk, so a marker split across reads is counted
	for {
		n, err := br.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if count > 0 {
				// Markers wholly inside this chunk, plus one straddling the boundary.
				seen += bytes.Count(chunk, marker)
				edge := append(carry, chunk[:min(len(chunk), len(marker)-1)]...)
				seen += bytes.Count(edge, marker)
				tail := chunk[max(0, len(chunk)-(len(marker)-1)):]
				carry = append(carry[:0], tail...)
			}
			if _, werr := bw.Write(chunk); werr != nil {
				return werr
			}
			if count > 0 && seen >= count {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
