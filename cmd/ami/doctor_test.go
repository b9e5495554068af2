package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// doctorServer is a server with the simulator's actions (CoreStatus,
// Hangup, Originate, Command, UserEvent) and ListCommands, whose admin
// has the permissions given.
func doctorServer(t *testing.T, opts amitest.Options, read, write string) *amitest.Server {
	t.Helper()
	opts.Users = []amitest.User{{Name: "admin", Secret: testSecret, Read: read, Write: write}}
	srv := newServer(t, opts)
	srv.Handle("ListCommands", amitest.ListCommands)
	return srv
}

// stepLine matches the line of step name with status st.
func stepLine(st, name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + st + ` +` + regexp.QuoteMeta(name) + ` +.*$`)
}

// TestDoctor walks each failure the doctor diagnoses: a wrong port, a
// server that is not AMI, a TLS name mismatch, a bad secret, a user
// without write permission, a user that cannot read user events; and a
// healthy server.
func TestDoctor(t *testing.T) {
	ca, err := amitest.NewTLSCA("Asterisk Private CA", "ami test PBX")
	if err != nil {
		t.Fatal(err)
	}
	otherName, err := ca.Issue("pbx.example.net", "pbx.example.net")
	if err != nil {
		t.Fatal(err)
	}
	caFile := writePEM(t, ca.PEM)
	now := time.Now()
	rightName, err := ca.IssueValid("pbx", now.Add(-time.Hour), now.Add(90*24*time.Hour), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	expiring, err := ca.IssueValid("pbx", now.Add(-time.Hour), now.Add(5*24*time.Hour+time.Hour), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tlsGood := doctorServer(t, amitest.Options{TLS: rightName.Server}, "all", "all")
	tlsSoon := doctorServer(t, amitest.Options{TLS: expiring.Server}, "all", "all")
	good := doctorServer(t, amitest.Options{}, "all", "all")
	noWrite := doctorServer(t, amitest.Options{}, "all", "none")
	noUser := doctorServer(t, amitest.Options{}, "system,call", "all")
	notAMI := amitest.NewServer(t, amitest.Options{Banner: "SSH-2.0-OpenSSH_9.2p1"})
	wrongName := doctorServer(t, amitest.Options{TLS: otherName.Server}, "all", "all")
	refused := closedAddr(t)

	type want struct {
		status, step string
		has          []string // in the step's line and its fix line
	}
	tests := []struct {
		name string
		args []string
		code int
		want []want
		not  []string // steps that must not be there
	}{
		{"healthy", with(t, good, "doctor"), 0, []want{
			{"OK", "resolve", nil}, {"OK", "connect", nil}, {"NOTE", "TLS", []string{"not used", "tlsenable = yes"}},
			{"OK", "banner", []string{"Asterisk Call Manager/11.0.0"}}, {"OK", "login", []string{"user admin, auth plain"}},
			{"OK", "actions", []string{"actions allowed"}}, {"OK", "read", nil},
			{"OK", "write", []string{"call, originate, command"}},
			{"OK", "events", []string{"a UserEvent sent and received back"}}, {"OK", "rtt", []string{"best of 3"}},
		}, nil},
		{"TLS verified", with(t, tlsGood, "--tls", "--tls-ca", caFile, "doctor"), 0, []want{
			{"OK", "TLS", []string{"verified; subject CN=pbx,O=ami test PBX", "issuer CN=Asterisk Private CA,O=ami test PBX",
				"expires " + rightName.Cert.Leaf.NotAfter.UTC().Format("2006-01-02") + " (in 89 days)", "SHA-256 " + rightName.OpenSSLFingerprint()}},
			{"OK", "events", nil},
		}, nil},
		{"TLS expiring", with(t, tlsSoon, "--tls", "--tls-ca", caFile, "doctor"), 0, []want{
			{"WARN", "TLS", []string{"(in 5 days)", "renew the server's certificate soon"}},
		}, nil},
		{"host name", connArgsFor(t, "localhost:"+portOf(good), "doctor", "--need", "read"), 0, []want{
			{"OK", "resolve", []string{"localhost is "}}, {"OK", "connect", []string{"localhost:"}},
		}, nil},
		{"wrong port", connArgsFor(t, refused, "doctor"), 3, []want{
			{"FAIL", "connect", []string{"connection refused", "enabled = yes", "port = "}},
		}, []string{"banner", "login"}},
		{"not AMI", with(t, notAMI, "doctor"), 3, []want{
			{"OK", "connect", nil}, {"FAIL", "banner", []string{"SSH-2.0", "does not speak AMI"}},
		}, []string{"login"}},
		{"TLS name mismatch", with(t, wrongName, "--tls", "--tls-ca", caFile, "doctor"), 3, []want{
			{"OK", "connect", nil},
			{"FAIL", "TLS", []string{"127.0.0.1", "pbx.example.net", "issuer CN=Asterisk Private CA", "expires ", "--tls-server-name pbx.example.net"}},
		}, []string{"banner", "login"}},
		{"bad secret", append(badSecretArgs(t, good), "doctor"), 1, []want{
			{"OK", "banner", nil},
			{"FAIL", "login", []string{`refused user "admin"`, "the user or its secret is wrong", "outside the user's permit/deny",
				"secret = ", "permit = 127.0.0.1/255.255.255.255"}},
		}, []string{"actions", "events"}},
		{"no write permission", with(t, noWrite, "doctor"), 1, []want{
			{"OK", "login", nil},
			{"FAIL", "read", []string{"Permission denied", "write = reporting"}},
			{"FAIL", "write", []string{"no write class works", "write = call,originate"}},
			{"OK", "events", []string{"events arrive", "needs write class user"}},
		}, nil},
		{"no write permission, events only", with(t, noWrite, "doctor", "--need", "events"), 0, []want{
			{"NOTE", "read", []string{"write = reporting"}}, {"NOTE", "write", nil}, {"OK", "events", nil},
		}, nil},
		{"no read permission for user events", with(t, noUser, "--timeout", "1s", "doctor"), 1, []want{
			{"OK", "read", nil}, {"OK", "write", nil},
			{"FAIL", "events", []string{"did not come back", "read = ...,user"}},
		}, nil},
		{"no read permission, not needed", with(t, noUser, "--timeout", "1s", "doctor", "--need", "read,write"), 0, []want{
			{"NOTE", "events", []string{"did not come back"}},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := amiRun(t, "", tt.args...)
			noSecret(t, r)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				loc := stepLine(w.status, w.step).FindStringIndex(r.stdout)
				if loc == nil {
					t.Errorf("no %s %s line:\n%s", w.status, w.step, r.stdout)
					continue
				}
				// The step's line and its fix line, if any.
				text := r.stdout[loc[0]:]
				lines := strings.SplitN(text, "\n", 3)
				text = lines[0]
				if len(lines) > 1 && strings.Contains(lines[1], " fix: ") {
					text += "\n" + lines[1]
				}
				for _, h := range w.has {
					if !strings.Contains(text, h) {
						t.Errorf("%s %s lacks %q:\n%s", w.status, w.step, h, text)
					}
				}
			}
			for _, step := range tt.not {
				if regexp.MustCompile(`(?m)^\w+ +` + step + ` `).MatchString(r.stdout) {
					t.Errorf("a %s line after the failure:\n%s", step, r.stdout)
				}
			}
		})
	}
	// It changed nothing: the only actions sent are the harmless ones.
	for _, srv := range []*amitest.Server{good, noWrite, noUser} {
		for _, req := range srv.Requests() {
			switch a := req.Action; a.Get("Action") {
			case "Login", "Logoff", "ListCommands", "CoreStatus", "UserEvent", "Ping":
			case "Hangup", "Originate":
				if a.Get("Channel") != "" {
					t.Errorf("%s with a Channel", a.Get("Action"))
				}
			case "Command":
				if a.Get("Command") != "core show version" {
					t.Errorf("Command %q", a.Get("Command"))
				}
			default:
				t.Errorf("doctor sent %s", a.Get("Action"))
			}
		}
	}
}

// connArgsFor returns the flags that point ami at addr as admin, then args.
func connArgsFor(t *testing.T, addr string, args ...string) []string {
	host, port, _ := strings.Cut(addr, ":")
	return append([]string{"-H", host, "-p", port, "-u", "admin", "--secret-file", secretFile(t, testSecret), "--timeout", "5s"}, args...)
}

// portOf returns the port of srv.
func portOf(srv *amitest.Server) string {
	_, port, _ := strings.Cut(srv.Addr(), ":")
	return port
}

// badSecretArgs are srvArgs with a wrong secret.
func badSecretArgs(t *testing.T, srv *amitest.Server) []string {
	args := srvArgs(t, srv)
	args[len(args)-3] = secretFile(t, "wrong")
	return args
}

func TestDoctorJSON(t *testing.T) {
	srv := doctorServer(t, amitest.Options{}, "all", "none")
	r := amiRun(t, "", with(t, srv, "doctor", "-o", "json", "--need", "read")...)
	var got struct {
		Target string   `json:"target"`
		Needs  []string `json:"needs"`
		Result string   `json:"result"`
		Code   int      `json:"code"`
		Steps  []struct {
			Step, Status, Text, Fix string
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %q", err, r.stdout)
	}
	if r.code != 1 || got.Result != "failed" || got.Code != 1 || len(got.Needs) != 1 || got.Needs[0] != "read" || !strings.HasPrefix(got.Target, "admin@127.0.0.1:") {
		t.Errorf("exit %d: %+v", r.code, got)
	}
	found := false
	for _, s := range got.Steps {
		if s.Step == "read" {
			found = s.Status == "FAIL" && strings.Contains(s.Fix, "write = reporting")
		}
	}
	if !found {
		t.Errorf("no FAIL read step with its fix: %+v", got.Steps)
	}
}

func TestDoctorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--mock", "doctor", "--need", "everything"},
		{"--mock", "doctor", "-o", "raw"},
		{"--mock", "doctor", "extra"},
		{"-H", "127.0.0.1:1,127.0.0.1:2", "-u", "admin", "--secret-file", secretFile(t, testSecret), "doctor"},
	} {
		r := amiRun(t, "", args...)
		if r.code != exitUsage || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestMockDoctor: the built-in simulator passes every step.
func TestMockDoctor(t *testing.T) {
	r := amiRun(t, "", "--mock", "doctor")
	if r.code != 0 || !strings.Contains(r.stdout, "OK    events   a UserEvent sent and received back") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestDoctorRefusedFix: the fix for a refused connection names the
// manager.conf options that set the port tried: port and bindaddr for
// plain AMI, tlsbindaddr (which holds the TLS port) with --tls.
func TestDoctorRefusedFix(t *testing.T) {
	refused := closedAddr(t)
	_, port, _ := strings.Cut(refused, ":")
	for _, tt := range []struct {
		args       []string
		has, lacks []string
	}{
		{[]string{"doctor"}, []string{"enabled = yes, port = " + port + ", bindaddr = "}, []string{"tls"}},
		{[]string{"--tls", "doctor"}, []string{"tlsenable = yes, tlsbindaddr = 0.0.0.0:" + port}, []string{"tlsbindport", "port = "}},
	} {
		r := amiRun(t, "", connArgsFor(t, refused, tt.args...)...)
		r.want(t, exitConn)
		_, fix, _ := strings.Cut(r.stdout, "fix: ")
		fix, _, _ = strings.Cut(fix, "\n")
		for _, h := range tt.has {
			if !strings.Contains(fix, h) {
				t.Errorf("%v: the fix lacks %q: %s", tt.args, h, fix)
			}
		}
		for _, l := range tt.lacks {
			if strings.Contains(fix, l) {
				t.Errorf("%v: the fix has %q: %s", tt.args, l, fix)
			}
		}
	}
}
