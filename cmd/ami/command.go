package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/format"
)

func commandCommand() *cli.Command {
	return &cli.Command{
		Name:      "command",
		Usage:     "run an Asterisk CLI command and print its output, like asterisk -rx",
		ArgsUsage: "'CLI COMMAND'",
		UsageText: `ami command [flags] 'CLI COMMAND'
ami command [flags] CLI COMMAND WORDS...`,
		Description: `Sends the Command action and prints the command's output as plain text, one line per
Output line, as asterisk -rx does, but over AMI. Both reply forms are understood: the
modern "Output:" headers and the legacy "Response: Follows" text ending in
--END COMMAND--. Several arguments are joined with spaces.

With -o json or -o raw the whole response packet is printed instead. A command that
fails (no such command, wrong usage, permission denied) exits 1; the output it carries
("No such command ...", the usage text) is what went wrong, so it goes to stderr.

EXAMPLES:
   ami command 'core show channels'
   ami command core show version
   ami -H pbx command 'pjsip show endpoints' | grep -c Avail
   ami command -o json 'core show uptime'
   # on several hosts, each line after its host's name, like pdsh:
   ami -H pbx1,pbx2 command 'core show uptime seconds'`,
		Flags:  append(outputFlags(false), connectionFlags()...),
		Action: runCommand,
	}
}

func runCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("command: no CLI command (for example: ami command 'core show version')")
	}
	cmdline := strings.Join(c.Args().Slice(), " ")
	if strings.TrimSpace(cmdline) == "" {
		// Asterisk would answer with an error, after a login: say so now.
		return usageError("command: the CLI command is empty (for example: ami command 'core show version')")
	}
	action := amiwire.NewAction("Command", "Command", cmdline)
	if err := checkAction(action, "command"); err != nil {
		return err
	}
	name, err := outputName(c)
	if err != nil {
		return err
	}
	if _, err := choiceValue(c, "color"); err != nil { // text output has no keys to colour, but a typo is still one
		return err
	}
	var out format.Writer
	if name != fmtText {
		w, err := newOutput(c, c.App.Writer)
		if err != nil {
			return err
		}
		out = w
	}
	ts, err := targetsFrom(c, nil)
	if err != nil {
		return err
	}
	if len(ts) > 1 {
		return runCommandFleet(c, ts, action, cmdline)
	}
	cw := commandWriters{out: out, stdout: c.App.Writer, stderr: c.App.ErrWriter, escape: onTerminal(c.App.Writer)}
	return commandOn(c.Context, ts[0].s, action, cmdline, cw, func() {})
}

// commandWriters are where command's output goes: out for -o json (nil
// for text), stdout for the text lines, each after prefix, stderr for the
// output of a command that failed.
type commandWriters struct {
	out            format.Writer
	stdout, stderr io.Writer
	prefix         string
	escape         bool // control bytes of the text lines are escaped (a terminal)
}

// commandOn runs the CLI command on the host of s; loggedIn is called
// once the login has succeeded.
func commandOn(ctx context.Context, s connSettings, action amiwire.Packet, cmdline string, w commandWriters, loggedIn func()) error {
	// The action and the Logoff go with the Login: one round trip. A
	// command line is far shorter than amiwire.MaxPipelined.
	cl, pend, err := s.dialSend(ctx, "off", []amiwire.Packet{action}, true)
	if err != nil {
		return err
	}
	loggedIn()
	defer s.logoff(ctx, cl)

	wctx, cancel := context.WithTimeout(ctx, s.Timeout)
	resp, err := pend[0].Wait(wctx)
	cancel()
	var ae *amiwire.ActionError
	failed := errors.As(err, &ae)
	if resp != nil {
		var werr error
		switch {
		case w.out != nil:
			if werr = w.out.WritePacket(resp.Packet); werr == nil {
				werr = w.out.Flush()
			}
		case failed:
			// The output of a command that failed is the diagnostic
			// (No such command ..., a usage text), not data: stderr.
			if lines := resp.Packet.Values("Output"); len(lines) > 0 {
				return commandFailed(w.stderr, lines)
			}
		default:
			werr = writeOutputLines(w.stdout, w.escape, w.prefix, resp.Packet)
		}
		if werr != nil {
			return werr
		}
	}
	if err == nil {
		return nil
	}
	if failed {
		// Asterisk 22 answers a failed CLI command with Response: Error
		// and "Message: Command output follows" before the output that
		// says what went wrong: the output is the news, not the Message.
		if lines := ae.Response.Values("Output"); len(lines) > 0 {
			return exitWith(exitActionError, fmt.Errorf("%s", oneLine(lines[0])))
		}
		return exitWith(exitActionError, fmt.Errorf("command %q: %s", cmdline, oneLine(ae.Message)))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return exitWith(exitConn, fmt.Errorf("command: no response within %v from %s", s.Timeout, s.Config.Addr))
	}
	return fmt.Errorf("command: %w", err)
}

// commandFailed prints the output of a failed CLI command on stderr, the
// first line after "ami: ", and ends with exit 1.
func commandFailed(stderr io.Writer, lines []string) error {
	w := bufio.NewWriter(stderr)
	w.WriteString("ami: ")
	for _, l := range lines {
		w.WriteString(strings.TrimRight(l, "\r\n"))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return exitWith(exitActionError, nil)
}

// writeOutputLines prints the Output lines of a Command response as plain
// text, one per line, each after prefix (the host's "NAME: " with several
// hosts, like pdsh). A line that itself holds line ends (a reply from a
// server that sent them inside one header) is printed as it is, except on
// a terminal (escape), which gets control bytes escaped
// (format.AppendVisible).
func writeOutputLines(stdout io.Writer, escape bool, prefix string, resp amiwire.Packet) error {
	w := bufio.NewWriter(stdout)
	var line []byte
	for _, f := range resp.Fields {
		if !strings.EqualFold(f.Key, "Output") {
			continue
		}
		w.WriteString(prefix)
		if escape {
			line = format.AppendVisible(line[:0], f.Value, false)
			w.Write(line)
			w.WriteByte('\n')
			continue
		}
		w.WriteString(f.Value)
		if !strings.HasSuffix(f.Value, "\n") {
			w.WriteByte('\n')
		}
	}
	return w.Flush()
}
