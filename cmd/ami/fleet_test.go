package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// fleet is a set of test servers reachable as profiles: good1 and good2
// (admin with the test secret), bad (which wants another secret) and down
// (a closed port).
type fleet struct {
	good1, good2, bad *amitest.Server
	downAddr          string
	config            string
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	f := &fleet{
		good1: newServer(t, amitest.Options{}),
		good2: newServer(t, amitest.Options{}),
		bad:   newServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: "another-secret"}}}),
	}
	down := newServer(t, amitest.Options{})
	f.downAddr = down.Addr()
	down.Close()
	var b strings.Builder
	for name, addr := range map[string]string{"good1": f.good1.Addr(), "good2": f.good2.Addr(), "bad": f.bad.Addr(), "down": f.downAddr} {
		h, p := hostPort(t, addr)
		b.WriteString("[" + name + "]\nhost = " + h + "\nport = " + p + "\nusername = admin\nsecret = " + testSecret + "\n")
	}
	f.config = b.String()
	return f
}

// run runs ami --profile PROFILES --timeout 5s ARGS with the fleet's
// config file.
func (f *fleet) run(t *testing.T, profiles string, args ...string) result {
	t.Helper()
	clearEnv(t)
	writeConfig(t, f.config)
	r := amiRun(t, "", append([]string{"--profile", profiles, "--timeout", "5s"}, args...)...)
	noSecret(t, r)
	return r
}

// actionIDs matches the ActionIDs ami chooses (a random prefix and a
// count), which differ from run to run.
var actionIDs = regexp.MustCompile(`[0-9a-f]{8}-[0-9]+`)

// TestFleetGolden: list, command and send on several hosts print a block
// per host in the order given, each packet tagged with the host's name
// (JSON "@host" first, a text first line "@host: NAME", a table HOST
// column, command text lines "NAME: "); the hosts that fail are named on
// stderr and the exit code is the worst of theirs.
func TestFleetGolden(t *testing.T) {
	f := newFleet(t)
	for _, tc := range []struct {
		golden   string
		profiles string
		args     []string
		code     int
		stderr   []string
	}{
		{"fleet-list.json", "good2,good1", []string{"list", "-o", "json", "Three", "ActionID=g2"}, 0, nil},
		{"fleet-list.text", "good2,good1", []string{"list", "--fields", "Channel,State", "Three", "ActionID=g2"}, 0, nil},
		{"fleet-list.table", "good2,good1", []string{"list", "-o", "table", "Three"}, 0, nil},
		{"fleet-list-fields.table", "good1,good2", []string{"list", "-o", "table", "--fields", "Channel", "Three"}, 0, nil},
		{"fleet-command.text", "good1,good2", []string{"command", "core", "show", "version"}, 0, nil},
		{"fleet-command.json", "good1,good2", []string{"command", "-o", "json", "core show version"}, 0, nil},
		{"fleet-send.json", "good1,good2", []string{"send", "-o", "json", "Fixed", "ActionID=g1"}, 0, nil},
		{"fleet-send.text", "good1,good2", []string{"send", "Fixed", "ActionID=g1"}, 0, nil},
		{"fleet-list-failures.json", "good1,bad,down,good2", []string{"list", "-o", "json", "Three", "ActionID=g2"}, exitConn,
			[]string{"ami: bad: login ", "authentication failed", "ami: down: connect ", "connection refused", "ami: 2 of 4 hosts failed: bad, down\n"}},
		{"fleet-command-failures.text", "bad,good1", []string{"command", "core show version"}, exitAuth,
			[]string{"ami: bad: login ", "ami: 1 of 2 hosts failed: bad\n"}},
		{"fleet-send-failures.text", "good1,good2", []string{"send", "Fail", "ActionID=g1"}, exitActionError,
			[]string{"ami: good1: Fail: No such thing", "ami: good2: Fail: No such thing", "ami: 2 of 2 hosts failed: good1, good2\n"}},
		{"fleet-command-error.text", "good1,down", []string{"command", "core show nothing"}, exitConn,
			[]string{"ami: good1: No such command 'core show nothing'", "ami: down: connect", "ami: 2 of 2 hosts failed: good1, down\n"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := f.run(t, tc.profiles, tc.args...)
			r.want(t, tc.code, tc.stderr...)
			if tc.code != 0 && !strings.HasSuffix(r.stderr, tc.stderr[len(tc.stderr)-1]) {
				t.Fatalf("the last stderr line is not the count of failed hosts:\n%s", r.stderr)
			}
			goldenCheck(t, tc.golden, actionIDs.ReplaceAllString(r.stdout, "ID"))
		})
	}
}

// TestFleetRawRefused: -o raw with several hosts is a usage error, and
// nothing is sent.
func TestFleetRawRefused(t *testing.T) {
	f := newFleet(t)
	for _, args := range [][]string{
		{"list", "-o", "raw", "Three"},
		{"command", "-o", "raw", "core show version"},
		{"send", "-o", "raw", "Ping"},
	} {
		r := f.run(t, "good1,good2", args...)
		r.want(t, exitUsage, "-o raw is the bytes of one connection")
		if got := sentActions(f.good1); len(got) > 0 {
			t.Fatalf("%s sent %v", args[0], got)
		}
	}
}

// TestFleetOneHostUnchanged: one host, however it is named, prints what
// ami always printed for one host: no @host.
func TestFleetOneHostUnchanged(t *testing.T) {
	f := newFleet(t)
	want := f.run(t, "good1", "list", "-o", "json", "Three", "ActionID=g2")
	want.want(t, 0)
	h, p := hostPort(t, f.good1.Addr())
	clearEnv(t)
	got := amiRun(t, "", "-H", h+":"+p, "-u", "admin", "--secret-file", secretFile(t, testSecret), "list", "-o", "json", "Three", "ActionID=g2")
	got.want(t, 0)
	if got.stdout != want.stdout || strings.Contains(got.stdout, hostKey) {
		t.Fatalf("one host by -H:\n%s\nby --profile:\n%s", got.stdout, want.stdout)
	}
}

// TestFleetParallelAndFile: --parallel 1 logs in to one host at a time
// and still prints every host's block in order; --hosts-file names the
// hosts as the user wrote them; send reads its actions from stdin once
// for every host.
func TestFleetParallelAndFile(t *testing.T) {
	f := newFleet(t)
	clearEnv(t)
	writeConfig(t, f.config)
	g1 := f.good1.Addr()
	file := secretFile(t, "@good2\n"+g1+"  # by address\n")
	r := amiRun(t, "Action: Fixed\nActionID: a\n\nAction: Fixed\nActionID: b\n\n", "-u", "admin", "--secret-file", secretFile(t, testSecret),
		"--hosts-file", file, "--parallel", "1", "send", "-o", "json")
	r.want(t, 0)
	var want string
	for _, host := range []string{"good2", g1} {
		for _, id := range []string{"a", "b"} {
			want += `{"@host":"` + host + `","Response":"Success","ActionID":"` + id + `","Message":"Fixed reply","Variable":["a=1","b=2"],"Empty":""}` + "\n"
		}
	}
	if r.stdout != want {
		t.Fatalf("got\n%s\nwant\n%s", r.stdout, want)
	}
}
