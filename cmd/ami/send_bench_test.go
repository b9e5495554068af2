package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/urfave/cli/v2"
)

// BenchmarkSendPing is `ami send Ping` in-process, from argument parsing to
// logoff, against an amitest server on loopback: what ami's own code costs a
// run, without the process start that bench.sh's ping comparison includes.
func BenchmarkSendPing(b *testing.B) {
	srv, err := amitest.New(amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "admin"}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	b.Setenv(envSecret, "admin")
	help, version := cli.HelpFlag, cli.VersionFlag
	cacheHelpFlagNames() // as main does
	b.Cleanup(func() { cli.HelpFlag, cli.VersionFlag = help, version })
	args := []string{"ami", "send", "-H", host, "-p", port, "-u", "admin", "Ping"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if code := run(ctx, args, strings.NewReader(""), &out, &errOut); code != exitOK {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
	if !strings.Contains(out.String(), "Ping: Pong") {
		b.Fatalf("no pong in %q", out.String())
	}
}
