package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// A source of a connection setting, highest precedence first.
const (
	srcFlagAfter   = "flag after the command"
	srcFlagBefore  = "flag before the command"
	srcURL         = "--url"
	srcProfileFlag = "--profile"
	srcProfileEnv  = "$AMI_PROFILE"
	srcEnv         = "environment"
	srcEnvFile     = "$AMI_SECRET_FILE"
	srcDefault     = "default"
)

// settingRun is one run of ami with settings from several sources.
type settingRun struct {
	t             *testing.T
	before, after []string
	env           map[string]string
	sections      map[string]map[string]string // profile name -> key -> value
}

func newSettingRun(t *testing.T) *settingRun {
	return &settingRun{t: t, env: map[string]string{}, sections: map[string]map[string]string{}}
}

// section returns the profile section name, named on the command line
// (viaFlag) or in $AMI_PROFILE.
func (r *settingRun) section(name string, viaFlag bool) map[string]string {
	if r.sections[name] == nil {
		r.sections[name] = map[string]string{}
		if viaFlag {
			r.before = append(r.before, "--profile", name)
		} else {
			r.env[envProfile] = name
		}
	}
	return r.sections[name]
}

// set gives setting (host, port, user, secret) the value v from src.
func (r *settingRun) set(src, setting, v string) {
	flag := map[string]string{"host": "-H", "port": "-p", "user": "-u", "secret": "--secret-file"}[setting]
	val := v
	if setting == "secret" && (src == srcFlagAfter || src == srcFlagBefore || src == srcEnvFile) {
		val = secretFile(r.t, v)
	}
	switch src {
	case srcFlagAfter:
		r.after = append(r.after, flag, val)
	case srcFlagBefore:
		r.before = append(r.before, flag, val)
	case srcURL:
		u := map[string]string{"host": "ami://" + v, "port": "ami://:" + v, "user": "ami://" + v + "@"}[setting]
		r.before = append(r.before, "--url", u)
	case srcProfileFlag, srcProfileEnv:
		name := map[string]string{srcProfileFlag: "viaflag", srcProfileEnv: "viaenv"}[src]
		key := map[string]string{"host": "host", "port": "port", "user": "username", "secret": "secret"}[setting]
		r.section(name, src == srcProfileFlag)[key] = v
	case srcEnv:
		r.env[map[string]string{"host": envHost, "port": envPort, "user": envUser, "secret": envSecret}[setting]] = v
	case srcEnvFile:
		r.env[envSecretFile] = val
	default:
		r.t.Fatalf("no source %q", src)
	}
}

// run writes the config file, sets the environment and runs
// ami [before] send [after] Fixed.
func (r *settingRun) run() result {
	t := r.t
	clearEnv(t)
	if len(r.sections) > 0 {
		var b strings.Builder
		names := make([]string, 0, len(r.sections))
		for name := range r.sections {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(&b, "[%s]\n", name)
			for k, v := range r.sections[name] {
				fmt.Fprintf(&b, "%s = %s\n", k, v)
			}
		}
		cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ami", "config")
		if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range r.env {
		t.Setenv(k, v)
	}
	args := append(append(append([]string{}, r.before...), "send"), r.after...)
	return amiRun(t, "", append(args, "--timeout", "5s", "Fixed")...)
}

// lastLogin returns the user and secret of the last Login srv received.
func lastLogin(srv *amitest.Server) (user, secret string, ok bool) {
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if a := reqs[i].Action; strings.EqualFold(a.Get("Action"), "Login") {
			return a.Get("Username"), a.Get("Secret"), true
		}
	}
	return "", "", false
}

// TestPrecedence checks every pair of sources for every connection
// setting: the command line (after the command, then before it, then
// --url), then the profile (--profile, then $AMI_PROFILE), then the
// environment, then the defaults. For each pair the higher source gives a
// good value and the lower one a bad value (a name that does not resolve,
// a closed port, an unknown user, a wrong secret); the run succeeds, and
// the server saw the good user and secret, only when the higher one won.
func TestPrecedence(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	closed := closedAddr(t)
	_, closedPort := hostPort(t, closed)

	good := map[string]string{"host": host, "port": port, "user": "admin", "secret": testSecret}
	bad := map[string]string{"host": "bad-host.invalid", "port": closedPort, "user": "nobody", "secret": "wrong-secret"}
	sources := map[string][]string{
		"host":   {srcFlagAfter, srcFlagBefore, srcURL, srcProfileFlag, srcProfileEnv, srcEnv},
		"port":   {srcFlagAfter, srcFlagBefore, srcURL, srcProfileFlag, srcProfileEnv, srcEnv},
		"user":   {srcFlagAfter, srcFlagBefore, srcURL, srcProfileFlag, srcProfileEnv, srcEnv},
		"secret": {srcFlagAfter, srcFlagBefore, srcProfileFlag, srcProfileEnv, srcEnv, srcEnvFile},
	}
	pairs := 0
	for _, setting := range []string{"host", "port", "user", "secret"} {
		srcs := sources[setting]
		for i, hi := range srcs {
			for _, lo := range append(srcs[i+1:], srcDefault) {
				if lo == srcDefault && (setting != "port") {
					continue // the other defaults cannot be told from a good value, or are none
				}
				pairs++
				t.Run(setting+"/"+hi+" over "+lo, func(t *testing.T) {
					r := newSettingRun(t)
					r.set(hi, setting, good[setting])
					if lo != srcDefault {
						r.set(lo, setting, bad[setting])
					}
					// The other settings: from the profiles in play when
					// the secret comes from one (its secret goes only to
					// the host and port it names), else from flags.
					profiles := 0
					for _, s := range []string{hi, lo} {
						if s == srcProfileFlag || s == srcProfileEnv {
							profiles++
						}
					}
					for _, other := range []string{"host", "port", "user", "secret"} {
						if other == setting {
							continue
						}
						if setting == "secret" && profiles > 0 && other != "user" {
							for _, s := range []string{hi, lo} {
								if s == srcProfileFlag || s == srcProfileEnv {
									r.set(s, other, good[other])
								}
							}
							continue
						}
						r.set(srcFlagAfter, other, good[other])
					}
					res := r.run()
					res.want(t, exitOK)
					user, secret, ok := lastLogin(srv)
					if !ok || user != "admin" || secret != testSecret {
						t.Fatalf("last login %q/%q (%v), want admin and the good secret", user, secret, ok)
					}
				})
			}
		}
	}
	if pairs < 50 {
		t.Fatalf("%d pairs checked", pairs)
	}

	t.Run("--profile over $AMI_PROFILE", func(t *testing.T) {
		r := newSettingRun(t)
		r.set(srcProfileFlag, "port", port)
		r.set(srcProfileEnv, "port", closedPort)
		r.set(srcFlagAfter, "user", "admin")
		r.set(srcFlagAfter, "secret", testSecret)
		r.run().want(t, exitOK)
	})
	t.Run("defaults", func(t *testing.T) {
		// No host anywhere: 127.0.0.1. An empty variable counts as unset.
		r := newSettingRun(t)
		r.env[envHost] = ""
		r.set(srcFlagAfter, "port", port)
		r.set(srcFlagAfter, "user", "admin")
		r.set(srcFlagAfter, "secret", testSecret)
		r.run().want(t, exitOK)
		// No port anywhere: 5038 (the error names it; nothing may
		// listen there, or a real Asterisk may, which does not know
		// this secret either way).
		r = newSettingRun(t)
		r.set(srcFlagAfter, "host", "bad-host.invalid")
		r.set(srcFlagAfter, "user", "admin")
		r.set(srcFlagAfter, "secret", testSecret)
		r.run().want(t, exitConn, "bad-host.invalid:5038")
	})
	t.Run("bad $AMI_PORT", func(t *testing.T) {
		r := newSettingRun(t)
		r.env[envPort] = "http"
		r.set(srcFlagAfter, "user", "admin")
		r.set(srcFlagAfter, "secret", testSecret)
		r.run().want(t, exitUsage, `$AMI_PORT "http": want 1 to 65535`)
		// A higher source makes it irrelevant.
		r.set(srcFlagAfter, "port", port)
		r.run().want(t, exitOK)
	})
}

// TestProfileSecretStaysWithItsHost: a profile's secret goes only to the
// host and port the profile names. Pointed elsewhere (by a flag, --url or
// the environment), ami takes the profile's user and TLS settings but
// asks for the secret, or takes one given otherwise; it never sends the
// profile's.
func TestProfileSecretStaysWithItsHost(t *testing.T) {
	const profSecret = "profile-secret-Kx7"
	home := newServer(t, amitest.Options{Users: []amitest.User{{Name: "admin", Secret: profSecret}}})
	other := newServer(t, amitest.Options{})
	host, homePort := hostPort(t, home.Addr())
	_, otherPort := hostPort(t, other.Addr())
	writeProfile := func(t *testing.T, text string) {
		t.Helper()
		clearEnv(t)
		cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ami", "config")
		if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(filepath.Dir(cfg), "pbx1.secret"), []byte(profSecret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	noLeak := func(t *testing.T, r result) {
		t.Helper()
		if strings.Contains(r.stdout+r.stderr, profSecret) {
			t.Fatalf("the profile's secret is in the output:\n%s\n%s", r.stdout, r.stderr)
		}
		for _, req := range other.Requests() {
			if strings.Contains(req.Action.Get("Secret"), profSecret) {
				t.Fatalf("the profile's secret went to %s", other.Addr())
			}
		}
	}
	inline := "[pbx1]\nhost = " + host + "\nport = " + homePort + "\nusername = admin\nsecret = " + profSecret + "\n"
	viaFile := "[pbx1]\nhost = " + host + "\nport = " + homePort + "\nusername = admin\nsecret_file = pbx1.secret\n"

	for name, text := range map[string]string{"secret": inline, "secret_file": viaFile} {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				env  map[string]string
				args []string
				code int
				msg  string
			}{
				{name: "-p elsewhere", args: []string{"--profile", "pbx1", "-p", otherPort}, code: exitUsage, msg: "no secret for " + host + ":" + otherPort},
				{name: "-H elsewhere", args: []string{"--profile", "pbx1", "-H", "localhost"}, code: exitUsage, msg: "no secret for localhost:" + homePort},
				{name: "--url elsewhere", args: []string{"--profile", "pbx1", "--url", "ami://" + host + ":" + otherPort}, code: exitUsage, msg: "not sent to " + host + ":" + otherPort},
				{name: "$AMI_PROFILE, -p elsewhere", env: map[string]string{envProfile: "pbx1"}, args: []string{"-p", otherPort}, code: exitUsage, msg: "not sent to"},
				{name: "--mock", args: []string{"--profile", "pbx1", "--mock"}, code: exitOK},
			} {
				t.Run(tc.name, func(t *testing.T) {
					writeProfile(t, text)
					for k, v := range tc.env {
						t.Setenv(k, v)
					}
					before := len(home.Requests()) + len(other.Requests())
					r := amiRun(t, "", append(tc.args, "send", "--timeout", "5s", "Ping")...)
					r.want(t, tc.code, tc.msg)
					noLeak(t, r)
					if tc.code == exitUsage && len(home.Requests())+len(other.Requests()) != before {
						t.Fatal("ami connected without a secret")
					}
				})
			}
			t.Run("the profile's own host", func(t *testing.T) {
				writeProfile(t, text)
				amiRun(t, "", "--profile", "pbx1", "-H", host, "-p", homePort, "send", "Fixed").want(t, exitOK)
				if user, secret, _ := lastLogin(home); user != "admin" || secret != profSecret {
					t.Fatalf("home got %q/%q, want the profile's user and secret", user, secret)
				}
			})
			t.Run("a secret given otherwise", func(t *testing.T) {
				writeProfile(t, text)
				// The profile's user, the explicit secret.
				amiRun(t, "", "--profile", "pbx1", "-p", otherPort, "--secret-file", secretFile(t, testSecret), "send", "Fixed").want(t, exitOK)
				if user, secret, _ := lastLogin(other); user != "admin" || secret != testSecret {
					t.Fatalf("other got %q/%q, want the profile's user and the given secret", user, secret)
				}
				// $AMI_SECRET ranks below the profile, but the profile
				// has no secret for this server: it counts.
				t.Setenv(envSecret, testSecret)
				r := amiRun(t, "", "--profile", "pbx1", "-p", otherPort, "send", "Fixed")
				r.want(t, exitOK, "profile pbx1 holds the secret for "+host+":"+homePort+" only; it is not sent to "+host+":"+otherPort)
				noLeak(t, r)
			})
			t.Run("login-check hosts", func(t *testing.T) {
				writeProfile(t, text)
				r := amiRun(t, "", "--profile", "pbx1", "login-check", host+":"+homePort, host+":"+otherPort)
				if r.code != nagiosUnknown || !strings.Contains(r.stdout, "no secret for "+host+":"+otherPort) {
					t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
				}
				noLeak(t, r)
				r = amiRun(t, "", "--profile", "pbx1", "--secret-file", secretFile(t, testSecret), "login-check", host+":"+homePort, host+":"+otherPort)
				if r.code != nagiosCritical || !strings.Contains(r.stdout, `authentication failed for user "admin"`) {
					// home does not know testSecret: the explicit secret
					// went to both, as given.
					t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
				}
				if user, secret, _ := lastLogin(home); user != "admin" || secret != testSecret {
					t.Fatalf("home got %q/%q, want the given secret", user, secret)
				}
				noLeak(t, r)
			})
		})
	}
}

// TestEmptySecretsRefused: an empty secret file, --secret-file with no
// path, an empty --secret, an empty secret line in a profile: refused
// before connecting, exit 2. An empty $AMI_SECRET counts as unset.
func TestEmptySecretsRefused(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	base := []string{"-H", host, "-p", port, "-u", "admin"}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	clearEnv(t)
	for _, tc := range []struct {
		args []string
		env  map[string]string
		msg  string
	}{
		{args: []string{"--secret-file", empty}, msg: "--secret-file: secret file " + empty + ": empty"},
		{args: []string{"--secret-file", ""}, msg: "--secret-file is empty"},
		{args: []string{"--secret", ""}, msg: "--secret is empty"},
		{env: map[string]string{envSecretFile: empty}, msg: "$AMI_SECRET_FILE: secret file " + empty + ": empty"},
		{env: map[string]string{envSecret: ""}, msg: "no secret"},
	} {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		r := amiRun(t, "", append(append([]string{}, base...), append(tc.args, "send", "Fixed")...)...)
		r.want(t, exitUsage, tc.msg)
		for k := range tc.env {
			os.Unsetenv(k)
		}
	}
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ami", "config")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("[e]\nhost = "+host+"\nport = "+port+"\nusername = admin\nsecret = ; forgotten\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	amiRun(t, "", "--profile", "e", "send", "Fixed").want(t, exitUsage, "config "+cfg+":1: [e]: the secret is empty")
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("the server received %d actions", n)
	}
}

// TestProfileComments: profiles take ';' comments after values, as
// Asterisk's .conf files do, end to end.
func TestProfileComments(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	clearEnv(t)
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ami", "config")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	text := "[pbx] ; the test server\nhost = " + host + " ; loopback\nport = " + port + "; its port\nusername = admin ; the admin\nsecret = \"" + testSecret + "\" ; quoted\n"
	if err := os.WriteFile(cfg, []byte(text), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg, 0o640); err != nil { // group-readable: accepted
		t.Fatal(err)
	}
	amiRun(t, "", "--profile", "pbx", "send", "Fixed").want(t, exitOK)
	if user, secret, _ := lastLogin(srv); user != "admin" || secret != testSecret {
		t.Fatalf("login %q/%q", user, secret)
	}
}

// TestGroupReadableSecretFile: a secret file of mode 0640 (root:nagios,
// the usual monitoring setup) is accepted; one others can read is not.
func TestGroupReadableSecretFile(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	clearEnv(t)
	path := filepath.Join(t.TempDir(), "monitor.secret")
	for _, tc := range []struct {
		mode os.FileMode
		code int
	}{{0o640, exitOK}, {0o600, exitOK}, {0o644, exitUsage}, {0o604, exitUsage}} {
		if err := os.WriteFile(path, []byte(testSecret+"\n"), tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		r := amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "--secret-file", path, "send", "Fixed")
		if tc.code == exitOK {
			r.want(t, exitOK)
		} else {
			r.want(t, tc.code, "open to others", "chmod o-rwx "+path)
		}
		noSecret(t, r)
		t.Setenv(envSecretFile, path)
		r = amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "send", "Fixed")
		if tc.code == exitOK {
			r.want(t, exitOK)
		} else {
			r.want(t, tc.code, "open to others")
		}
		os.Unsetenv(envSecretFile)
	}
}
