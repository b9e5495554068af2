package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// TestHostSelection: -H (repeated, comma lists), --profile lists and
// --hosts-file name the hosts, in the order given, each logged in to with
// the secret that belongs to it; the ways of naming hosts do not mix.
// login-check shows which host got which login (one JSON object per host).
func TestHostSelection(t *testing.T) {
	const westSecret = "west-secret-Pq1"
	east := newServer(t, amitest.Options{})
	west := newServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: westSecret}}})
	eh, ep := hostPort(t, east.Addr())
	_, wp := hostPort(t, west.Addr())
	eastAddr, westAddr := eh+":"+ep, eh+":"+wp
	config := "[east]\nhost = " + eh + "\nport = " + ep + "\nusername = admin\nsecret = " + testSecret + "\n" +
		"[west]\nhost = " + eh + "\nport = " + wp + "\nusername = admin\nsecret = " + westSecret + "\n"
	hostsFile := filepath.Join(t.TempDir(), "fleet")
	if err := os.WriteFile(hostsFile, []byte("# the fleet\n"+eastAddr+"\n\n@west # TLS one day\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		want  []string // addresses checked OK, in order
		code  int
		msg   string // in stdout (login-check prints its UNKNOWN there)
	}{
		{name: "-H comma list", env: map[string]string{envSecret: testSecret},
			args: []string{"-u", "admin", "-H", eastAddr + "," + eastAddr}, want: []string{eastAddr, eastAddr}},
		{name: "-H repeated", env: map[string]string{envSecret: testSecret},
			args: []string{"-u", "admin", "-H", eastAddr, "-H", eh + ",[" + eh + "]:" + ep, "-p", ep},
			want: []string{eastAddr, eastAddr, eastAddr}},
		{name: "--profile list", args: []string{"--profile", "east,west"}, want: []string{eastAddr, westAddr}},
		{name: "--profile list, TLS flags for the TLS ones", args: []string{"--profile", "east,west", "--tls-server-name", "pbx"},
			want: []string{eastAddr, westAddr}},
		{name: "$AMI_PROFILE list", env: map[string]string{envProfile: "west,east"}, want: []string{westAddr, eastAddr}},
		{name: "--hosts-file", env: map[string]string{envSecret: testSecret},
			args: []string{"-u", "admin", "--hosts-file", hostsFile}, want: []string{eastAddr, westAddr}},
		{name: "--hosts-file stdin", env: map[string]string{envSecret: testSecret}, stdin: "@west\n" + eastAddr + "\n",
			args: []string{"-u", "admin", "--hosts-file", "-"}, want: []string{westAddr, eastAddr}},
		{name: "one profile, -H list: its secret only to its host", env: map[string]string{envSecret: westSecret},
			args: []string{"--profile", "east", "-H", eastAddr + "," + westAddr}, want: []string{eastAddr, westAddr}},
		{name: "one profile, -H list, no other secret", args: []string{"--profile", "east", "-H", eastAddr + "," + westAddr},
			code: 3, msg: "no secret for " + westAddr},
		{name: "-H and --hosts-file", args: []string{"-u", "admin", "-H", eastAddr, "--hosts-file", hostsFile},
			code: 3, msg: "--hosts-file and -H both name hosts"},
		{name: "--profile list and -H", args: []string{"--profile", "east,west", "-H", eastAddr},
			code: 3, msg: "-H and a --profile list both name hosts"},
		{name: "--profile list and --hosts-file", args: []string{"--profile", "east,west", "--hosts-file", hostsFile},
			code: 3, msg: "--hosts-file and a --profile list both name hosts"},
		{name: "bad -H item", args: []string{"-u", "admin", "-H", eastAddr + ",pbx:0"}, code: 3, msg: `"pbx:0": port`},
		{name: "bad file line", stdin: "pbx1\npbx 2\n", args: []string{"-u", "admin", "--hosts-file", "-"},
			code: 3, msg: "--hosts-file -:2: one host per line"},
		{name: "no such profile", args: []string{"--profile", "east,north"}, code: 3, msg: "north: --profile north"},
		{name: "--parallel 0", args: []string{"--profile", "east,west", "--parallel", "0"}, code: 3, msg: "--parallel 0: want 1 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			writeConfig(t, config)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			r := amiRun(t, tc.stdin, append(tc.args, "login-check", "-o", "json", "--timeout", "10s")...)
			if strings.Contains(r.stdout+r.stderr, testSecret) || strings.Contains(r.stdout+r.stderr, westSecret) {
				t.Fatalf("a secret is in the output:\n%s\n%s", r.stdout, r.stderr)
			}
			if r.code != tc.code || !strings.Contains(r.stdout, tc.msg) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, tc.msg, r.stdout, r.stderr)
			}
			if tc.code != 0 {
				return
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				var obj struct {
					Host, Status string
					Port         int
				}
				if err := json.Unmarshal([]byte(line), &obj); err != nil {
					t.Fatalf("%v: %s", err, line)
				}
				if obj.Status != "OK" {
					t.Fatalf("not OK: %s", line)
				}
				got = append(got, obj.Host+":"+strconv.Itoa(obj.Port))
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("checked %q, want %q", got, tc.want)
			}
		})
	}
}

// writeConfig writes the ami config file under $XDG_CONFIG_HOME.
func writeConfig(t *testing.T, text string) {
	t.Helper()
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ami", "config")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
