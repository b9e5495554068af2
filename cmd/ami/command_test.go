package main

import (
	"strings"
	"testing"

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
	// An error prints the output it carries, exit 1.
	r = amiRun(t, "", with(t, srv, "command", "core show nothing")...)
	r.want(t, exitActionError, "ami: ")
	if !strings.HasPrefix(r.stdout, "No such command 'core show nothing'") {
		t.Fatalf("stdout %q", r.stdout)
	}
	amiRun(t, "", with(t, srv, "command")...).want(t, exitUsage, "no CLI command")
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
