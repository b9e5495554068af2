package main

import (
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

func TestCommand(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	r := amiRun(t, "", with(t, srv, "command", "core show version")...)
	r.want(t, 0)
	if r.stdout != "Asterisk 22.10.1 built by root @ vm on a x86_64 running Linux on 2026-11-22 21:37:51 UTC\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	// Several words are joined.
	r = amiRun(t, "", with(t, srv, "command", "core", "show", "calls")...)
	r.want(t, 0)
	if r.stdout != "0 active calls\n0 calls processed\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	// The simulator fails an unknown command as Asterisk 22 does.
	r = amiRun(t, "", with(t, srv, "command", "core show nothing")...)
	r.want(t, exitActionError, "ami: No such command 'core show nothing'")
	if r.stdout != "" {
		t.Fatalf("stdout %q", r.stdout)
	}
	amiRun(t, "", with(t, srv, "command")...).want(t, exitUsage, "no CLI command")
}

// TestCommandFails checks what a failed CLI command says, with the replies
// Asterisk 22.10.1 sends (Response: Error, "Message: Command output
// follows", the output saying what went wrong; or a Message alone): the
// output on stderr, once, in place of Asterisk's announcement, exit 1.
func TestCommandFails(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	usage := []string{"Usage: core show channel <channel>", "       Shows lots of information about the specified channel."}
	srv.HandlePerm("Command", "", func(s *amitest.Session, a amiwire.Packet) {
		switch cmd := a.Get("Command"); cmd {
		case "core show channel":
			kv := []string{"Message", "Command output follows"}
			for _, l := range usage {
				kv = append(kv, "Output", l)
			}
			s.Respond(a, "Error", kv...)
		case "module load nosuch.so":
			s.Error(a, "Command blacklisted")
		default:
			s.Respond(a, "Error", "Message", "Command output follows", "Output",
				"No such command '"+cmd+"' (type 'core show help "+cmd+"' for other possible commands)")
		}
	})
	nonsense := "No such command 'core show nonsense' (type 'core show help core show nonsense' for other possible commands)"
	for _, tt := range []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"core show nonsense"}, "", "ami: " + nonsense + "\n"},
		{[]string{"core show channel"}, "", "ami: " + usage[0] + "\n" + usage[1] + "\n"},
		{[]string{"module load nosuch.so"}, "", "ami: command \"module load nosuch.so\": Command blacklisted\n"},
		// With -o json the packet is the data; stderr says what went wrong.
		{[]string{"-o", "json", "core show nonsense"}, `{"Response":"Error",`, "ami: " + nonsense + "\n"},
	} {
		r := amiRun(t, "", with(t, srv, append([]string{"command"}, tt.args...)...)...)
		r.want(t, exitActionError)
		if !strings.HasPrefix(r.stdout, tt.stdout) || (tt.stdout == "" && r.stdout != "") {
			t.Errorf("%q: stdout %q, want %q", tt.args, r.stdout, tt.stdout)
		}
		if r.stderr != tt.stderr {
			t.Errorf("%q: stderr %q, want %q", tt.args, r.stderr, tt.stderr)
		}
		if strings.Contains(r.stderr, "Command output follows") {
			t.Errorf("%q: stderr repeats Asterisk's announcement: %q", tt.args, r.stderr)
		}
	}
}

func TestCommandForms(t *testing.T) {
	modern := newServer(t, amitest.Options{})
	legacy := newServer(t, amitest.Options{})
	legacy.HandlePerm("Command", "", legacyCommand)
	tests := []struct {
		golden string
		srv    *amitest.Server
		args   []string
	}{
		{"command-modern.text", modern, []string{"command", "pjsip show endpoints"}},
		{"command-legacy.text", legacy, []string{"command", "sip show peers"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := amiRun(t, "", with(t, tt.srv, tt.args...)...)
			r.want(t, 0)
			goldenCheck(t, tt.golden, r.stdout)
		})
	}
	r := amiRun(t, "", with(t, legacy, "command", "-o", "json", "sip show peers")...)
	r.want(t, 0)
	if !strings.Contains(r.stdout, `"Output":["Name/username`) {
		t.Errorf("json: %s", r.stdout)
	}
	r = amiRun(t, "", with(t, modern, "command", "-o", "raw", "core show version")...)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "Output: Asterisk 22.10.1") || !strings.HasSuffix(r.stdout, "\r\n\r\n") {
		t.Errorf("raw: %q", r.stdout)
	}
}
