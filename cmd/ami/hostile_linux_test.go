package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// hostileData retitles and recolours a terminal that prints it as it is.
const hostileData = "\x1b]0;pwned\x07\x1b[31m"

// hostileServer answers Hostile with hostile values, HostileList with a
// list of them, HostileFail with a hostile error message and the Command
// action with hostile output; it sends a hostile UserEvent at each login.
func hostileServer(t *testing.T) *amitest.Server {
	t.Helper()
	event := amiwire.Packet{}
	event.Add("Event", "UserEvent")
	event.Add("Privilege", "user,all")
	event.Add("UserEvent", "Hostile")
	event.Add("Data", hostileData)
	srv := newServer(t, amitest.Options{OnLogin: func(s *amitest.Session) { s.SendEvent(event) }})
	srv.HandlePerm("Hostile", "", func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Data", hostileData, "CallerIDName", "a\rEvil\u009b2J")
	})
	srv.HandlePerm("HostileList", "", func(s *amitest.Session, a amiwire.Packet) {
		item := amiwire.Packet{}
		item.Add("Event", "Item")
		item.Add("ActionID", a.Get("ActionID"))
		item.Add("Channel", "PJSIP/100\x1b[2J")
		item.Add("Data", hostileData)
		s.SendList(a, "Result will follow", []amiwire.Packet{item}, "HostileListComplete")
	})
	srv.HandlePerm("HostileFail", "", func(s *amitest.Session, a amiwire.Packet) {
		s.Error(a, "no \x1b[2J such thing")
	})
	srv.HandlePerm("Command", "", func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Message", "Command output follows", "Output", "name "+hostileData, "Output", "second\tline")
	})
	return srv
}

// onPty runs ami with stdout on a terminal and returns what the terminal
// received (its CR LF line ends made LF again) and stderr.
func onPty(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	master, slave := openPty(t)
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the slave is closed
		got <- b
	}()
	ctx := testCtx(t)
	var stderr bytes.Buffer
	code := run(ctx, append([]string{"ami"}, args...), strings.NewReader(""), slave, &stderr)
	slave.Close()
	var out []byte
	select {
	case out = <-got:
	case <-ctx.Done():
		t.Fatal("the terminal's output did not end")
	}
	return code, strings.ReplaceAll(string(out), "\r\n", "\n"), stderr.String()
}

// acted reports a byte in s that a terminal would act on, other than line
// ends, tabs and ami's own key colours.
func acted(s string) (byte, bool) {
	s = strings.NewReplacer(colorKeyForTest, "", colorResetForTest, "").Replace(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return c, true
		}
	}
	if strings.ContainsRune(s, '\u009b') {
		return 0x9b, true
	}
	return 0, false
}

// The key colours of text output (format's colorKey and colorReset).
const (
	colorKeyForTest   = "\x1b[36m"
	colorResetForTest = "\x1b[0m"
)

// TestHostileBytesOnATerminal: text output to a terminal shows the control
// bytes of server data escaped (\x1b), for send, list, listen and command;
// the same output to a pipe keeps the exact bytes; tables always escape;
// -o raw is byte-exact everywhere; error lines are escaped.
func TestHostileBytesOnATerminal(t *testing.T) {
	srv := hostileServer(t)
	clearEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string // on the terminal
	}{
		{"send", []string{"send", "Hostile"}, []string{`Data: \x1b]0;pwned\x07\x1b[31m`, `CallerIDName: a\rEvil\u009b2J`}},
		{"send no colour", []string{"send", "--color", "never", "Hostile"}, []string{"Data: " + `\x1b]0;pwned\x07\x1b[31m` + "\n"}},
		{"list", []string{"list", "HostileList"}, []string{`Channel: PJSIP/100\x1b[2J`}},
		{"list table", []string{"list", "-o", "table", "HostileList"}, []string{`PJSIP/100\x1b[2J`}},
		{"listen", []string{"listen", "--color", "never", "-n", "1", "--event", "UserEvent"}, []string{`Data: \x1b]0;pwned\x07\x1b[31m`}},
		{"command", []string{"command", "core show hostile"}, []string{`name \x1b]0;pwned\x07\x1b[31m` + "\n", "second\tline\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := onPty(t, with(t, srv, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if c, ok := acted(out); ok {
				t.Errorf("the terminal got %q as it is:\n%q", c, out)
			}
			plain := strings.NewReplacer(colorKeyForTest, "", colorResetForTest, "").Replace(out)
			for _, w := range tc.want {
				if !strings.Contains(plain, w) {
					t.Errorf("the terminal lacks %q:\n%q", w, out)
				}
			}
			// To a pipe, text keeps the bytes; tables escape anyway.
			r := amiRun(t, "", with(t, srv, tc.args...)...)
			r.want(t, exitOK)
			if tc.name == "list table" {
				if _, ok := acted(r.stdout); ok {
					t.Errorf("the table kept a control byte: %q", r.stdout)
				}
			} else if !strings.Contains(r.stdout, hostileData) {
				t.Errorf("a pipe should get the exact bytes: %q", r.stdout)
			}
		})
	}
	t.Run("raw", func(t *testing.T) {
		// (The terminal turns each LF into CR LF: CR LF came out CR CR LF.)
		code, out, _ := onPty(t, with(t, srv, "send", "-o", "raw", "Hostile")...)
		if code != exitOK || !strings.Contains(out, "Data: "+hostileData+"\r\n") {
			t.Errorf("exit %d, raw on a terminal must be exact: %q", code, out)
		}
	})
	t.Run("error line", func(t *testing.T) {
		r := amiRun(t, "", with(t, srv, "send", "HostileFail")...)
		r.want(t, exitActionError, `no \x1b[2J such thing`)
		if _, ok := acted(r.stderr); ok {
			t.Errorf("stderr: %q", r.stderr)
		}
	})
}
