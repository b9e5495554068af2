package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amisim"
	"github.com/ami-cli/ami/amiwire/amitest"
)

// testTimeout bounds every test's waiting; nothing in these tests sleeps.
const testTimeout = 20 * time.Second

// testCtx is the context of every bounded wait of a test: it ends after
// testTimeout, or when the test does. It is the one context helper of
// these tests.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// result is what one in-process run of ami produced.
type result struct {
	code           int
	stdout, stderr string
}

// amiRun runs ami in-process with a bounded context.
func amiRun(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx := testCtx(t)
	code, out, errOut := runAMI(t, ctx, stdin, args...)
	return result{code, out, errOut}
}

// want checks the exit code and that stderr holds each of the substrings.
func (r result) want(t *testing.T, code int, stderrHas ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Fatalf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

// testSecret is the admin secret of the test servers; tests check that it
// never shows up in any output.
const testSecret = "s3cr3t-Zq9"

// newServer starts a fake server with admin/testSecret and the simulator's
// handlers, plus the fixed handlers the golden files use.
func newServer(t *testing.T, opts amitest.Options) *amitest.Server {
	t.Helper()
	if opts.Users == nil {
		opts.Users = []amitest.User{{Name: "admin", Secret: testSecret}}
	}
	srv := amitest.NewServer(t, opts)
	if _, err := amisim.New(srv, amisim.Options{}); err != nil {
		t.Fatal(err)
	}
	installGoldenHandlers(srv)
	return srv
}

// installGoldenHandlers adds actions with fixed answers (no timestamps), so
// outputs can be compared with golden files.
func installGoldenHandlers(srv *amitest.Server) {
	srv.HandlePerm("Fixed", "", func(s *amitest.Session, a amiwire.Packet) {
		s.Success(a, "Message", "Fixed reply", "Variable", "a=1", "Variable", "b=2", "Empty", "")
	})
	srv.HandlePerm("Fail", "", func(s *amitest.Session, a amiwire.Packet) {
		s.Error(a, "No such thing")
	})
	srv.HandlePerm("Three", "", func(s *amitest.Session, a amiwire.Packet) {
		s.SendList(a, "Result will follow", threeItems(a), "ThreeComplete")
	})
	srv.HandlePerm("Empty", "", func(s *amitest.Session, a amiwire.Packet) {
		s.SendList(a, "Result will follow", nil, "EmptyComplete")
	})
	srv.HandlePerm("Cancel", "", func(s *amitest.Session, a amiwire.Packet) {
		ev := amiwire.Packet{}
		ev.Add("Event", "CancelCancelled")
		ev.Add("ActionID", a.Get("ActionID"))
		ev.Add("EventList", "Cancelled")
		ev.Add("ListItems", "6")
		writeList(s, a, threeItems(a)[:2], &ev)
	})
}

// writeList writes a list reply packet by packet, unbuffered: the start
// response, the items and, when final is not nil, the final event.
func writeList(s *amitest.Session, a amiwire.Packet, items []amiwire.Packet, final *amiwire.Packet) {
	s.Respond(a, "Success", "EventList", "start", "Message", "Result will follow")
	for _, it := range items {
		s.WritePacket(it)
	}
	if final != nil {
		s.WritePacket(*final)
	}
}

// bigList answers with a list of n small items.
func bigList(n int) amitest.Handler {
	return func(s *amitest.Session, a amiwire.Packet) {
		lw := s.StartList(a, "Result will follow")
		for i := 0; i < n; i++ {
			p := amiwire.Packet{}
			p.Add("Event", "BigItem")
			p.Add("ActionID", a.Get("ActionID"))
			p.Add("Seq", strconv.Itoa(i))
			if lw.Item(p) != nil {
				return
			}
		}
		lw.Complete("BigComplete")
	}
}

// legacyCommand answers Command the way Asterisk 1.4 to 13 did: "Response:
// Follows", raw output lines, "--END COMMAND--".
func legacyCommand(s *amitest.Session, a amiwire.Packet) {
	id := ""
	if v := a.Get("ActionID"); v != "" {
		id = "ActionID: " + v + "\r\n"
	}
	s.WriteRaw([]byte("Response: Follows\r\nPrivilege: Command\r\n" + id +
		"Name/username             Host                                    Dyn Forcerport\r\n" +
		"100/100                   10.0.0.2                                 D   N\r\n" +
		"1 sip peers [Monitored: 1 online]\r\n--END COMMAND--\r\n\r\n"))
}

func threeItems(a amiwire.Packet) []amiwire.Packet {
	var items []amiwire.Packet
	for i, ch := range []string{"PJSIP/100-00000001", "PJSIP/200-00000002", "Local/hold@default-00000003;1"} {
		p := amiwire.Packet{}
		p.Add("Event", "Item")
		p.Add("ActionID", a.Get("ActionID"))
		p.Add("Channel", ch)
		p.Add("State", []string{"Up", "Ringing", "Up"}[i])
		p.Add("Duration", []string{"00:01:02", "00:00:03", "01:00:00"}[i])
		p.Add("Variable", "x=1")
		p.Add("Variable", "y=2")
		items = append(items, p)
	}
	return items
}

// secretFile writes secret to a private file and returns its path.
func secretFile(t *testing.T, secret string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// srvArgs are the flags that point ami at srv as admin.
func srvArgs(t *testing.T, srv *amitest.Server) []string {
	t.Helper()
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return []string{"-H", host, "-p", port, "-u", "admin", "--secret-file", secretFile(t, testSecret), "--timeout", "5s"}
}

// with returns srvArgs followed by args.
func with(t *testing.T, srv *amitest.Server, args ...string) []string {
	return append(srvArgs(t, srv), args...)
}

// sentActions returns the names of the actions srv received apart from the
// login conversation (Login, Challenge) and Logoff.
func sentActions(srv *amitest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		switch strings.ToLower(r.Action.Get("Action")) {
		case "login", "challenge", "logoff":
			continue
		}
		out = append(out, r.Action.Get("Action"))
	}
	return out
}

// goldenCheck compares got with testdata/name (or rewrites it with
// -update).
func goldenCheck(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ami -update)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs (run go test ./cmd/ami -update to accept)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// noSecret fails when the test secret shows up in any output.
func noSecret(t *testing.T, r result) {
	t.Helper()
	if strings.Contains(r.stdout, testSecret) || strings.Contains(r.stderr, testSecret) {
		t.Fatalf("the secret leaked:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// fields builds fields from key, value pairs.
func fields(kv ...string) []amiwire.Field {
	var out []amiwire.Field
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, amiwire.Field{Key: kv[i], Value: kv[i+1]})
	}
	return out
}
