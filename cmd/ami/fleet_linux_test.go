package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestFleetEscapesOnTerminal: with several hosts on a terminal, a server's
// control bytes are shown escaped and the keys coloured, as they are for
// one host; a value must not be able to drive the user's terminal.
func TestFleetEscapesOnTerminal(t *testing.T) {
	const hostile = "\x1b]0;owned\a\x1b[31mred"
	servers := make([]*amitest.Server, 2)
	for i := range servers {
		servers[i] = newServer(t, amitest.Options{})
		servers[i].HandlePerm("Ping", "", func(s *amitest.Session, a amiwire.Packet) {
			s.Success(a, "Ping", "Pong", "Note", hostile)
		})
	}
	for _, args := range [][]string{
		{"send", "Ping", "-o", "text"},
		{"listen", "--count", "2", "--event", "FullyBooted", "-o", "text"},
	} {
		t.Run(args[0], func(t *testing.T) {
			master, slave := openPty(t)
			var screen bytes.Buffer
			read := make(chan struct{})
			go func() {
				defer close(read)
				io.Copy(&screen, master) // ends with EIO once the slave is closed
			}()
			ctx := testCtx(t)
			var stderr bytes.Buffer
			hosts := servers[0].Addr() + "," + servers[1].Addr()
			full := append([]string{"ami", "-H", hosts, "-u", "admin", "--secret-file", secretFile(t, testSecret), "--timeout", "5s"}, args...)
			code := run(ctx, full, strings.NewReader(""), slave, &stderr)
			slave.Close()
			select {
			case <-read:
			case <-ctx.Done():
				t.Fatal("the terminal's output did not end")
			}
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			out := screen.String()
			if strings.Count(out, "@host") != 2 {
				t.Fatalf("want a packet from each host:\n%q", out)
			}
			if args[0] == "send" && (strings.Contains(out, hostile) || strings.Count(out, `\x1b]0;owned\x07\x1b[31mred`) != 2) {
				t.Errorf("the server's control bytes reached the terminal unescaped:\n%q", out)
			}
			if !strings.Contains(out, "\x1b[36m@host\x1b[0m") {
				t.Errorf("keys not coloured on a terminal:\n%q", out)
			}
		})
	}
}
