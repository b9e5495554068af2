package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amitest"
)

func hostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

// clearEnv unsets the AMI_* variables for one test (t.Setenv restores
// them afterwards).
func clearEnv(t *testing.T) {
	for _, k := range []string{envHost, envPort, envUser, envSecret, envSecretFile, envProfile, "NO_COLOR"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
}

// TestConnectionSources: env vars, URL, flags before and after the
// subcommand, and their precedence.
func TestConnectionSources(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	sf := secretFile(t, testSecret)

	t.Run("env", func(t *testing.T) {
		clearEnv(t)
		t.Setenv(envHost, host)
		t.Setenv(envPort, port)
		t.Setenv(envUser, "admin")
		t.Setenv(envSecret, testSecret)
		r := amiRun(t, "", "send", "Fixed")
		r.want(t, 0)
		noSecret(t, r)
	})
	t.Run("secret file env", func(t *testing.T) {
		clearEnv(t)
		t.Setenv(envSecretFile, sf)
		amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "send", "Fixed").want(t, 0)
	})
	t.Run("flags before the subcommand", func(t *testing.T) {
		clearEnv(t)
		amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "--secret-file", sf, "send", "Fixed").want(t, 0)
	})
	t.Run("flags after the subcommand", func(t *testing.T) {
		clearEnv(t)
		amiRun(t, "", "send", "-H", host, "-p", port, "-u", "admin", "--secret-file", sf, "Fixed").want(t, 0)
		amiRun(t, "", "list", "Three", "-H", host, "--port", port, "--user", "admin", "--secret-file", sf).want(t, 0)
	})
	t.Run("after wins over before and env", func(t *testing.T) {
		clearEnv(t)
		t.Setenv(envPort, "1")
		amiRun(t, "", "-p", "2", "-H", host, "-u", "admin", "--secret-file", sf, "send", "-p", port, "Fixed").want(t, 0)
		amiRun(t, "", "-H", host, "-u", "admin", "--secret-file", sf, "send", "Fixed").want(t, exitConn, "connect "+host+":1: ")
	})
	t.Run("url", func(t *testing.T) {
		clearEnv(t)
		t.Setenv(envSecret, testSecret)
		amiRun(t, "", "--url", "ami://admin@"+host+":"+port, "send", "Fixed").want(t, 0)
		amiRun(t, "", "send", "--url", "ami://admin@"+host+":"+port, "Fixed").want(t, 0)
		// -p beats the URL's port.
		amiRun(t, "", "--url", "ami://admin@"+host+":1", "-p", port, "send", "Fixed").want(t, 0)
		amiRun(t, "", "--url", "ami://admin:pw@"+host+":"+port, "send", "Fixed").want(t, exitUsage, "secret in the URL")
		amiRun(t, "", "--url", "http://"+host, "send", "Fixed").want(t, exitUsage, "--url")
		// A URL refused for another reason does not repeat its secret.
		for _, u := range []string{"amj://admin:" + testSecret + "@" + host, "ami://admin:" + testSecret + "@" + host + "%zz"} {
			r := amiRun(t, "", "--url", u, "send", "Fixed")
			r.want(t, exitUsage, "--url")
			noSecret(t, r)
		}
	})
	t.Run("--secret warns", func(t *testing.T) {
		clearEnv(t)
		r := amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "--secret", testSecret, "send", "Fixed")
		r.want(t, 0, "--secret is visible to other users in ps")
		noSecret(t, r)
	})
	t.Run("md5", func(t *testing.T) {
		clearEnv(t)
		amiRun(t, "", with(t, srv, "--auth", "md5", "send", "Fixed")...).want(t, 0)
		amiRun(t, "", with(t, srv, "--auth", "rsa", "send", "Fixed")...).want(t, exitUsage, "--auth")
	})
	t.Run("no user, no secret", func(t *testing.T) {
		clearEnv(t)
		amiRun(t, "", "-H", host, "-p", port, "send", "Fixed").want(t, exitUsage, "no user")
		// stdin is not a terminal: no prompt.
		amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "send", "Fixed").want(t, exitUsage, "no secret")
	})
	t.Run("secret file readable by others", func(t *testing.T) {
		clearEnv(t)
		loose := filepath.Join(t.TempDir(), "loose")
		os.WriteFile(loose, []byte(testSecret), 0o644)
		os.Chmod(loose, 0o644)
		r := amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "--secret-file", loose, "send", "Fixed")
		r.want(t, exitUsage, "chmod o-rwx "+loose)
		noSecret(t, r)
	})
}

func TestProfiles(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	host, port := hostPort(t, srv.Addr())
	clearEnv(t)
	dir := os.Getenv("XDG_CONFIG_HOME")
	cfg := filepath.Join(dir, "ami", "config")
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	os.WriteFile(filepath.Join(dir, "ami", "pbx.secret"), []byte(testSecret+"\n"), 0o600)
	text := "[pbx]\nhost = " + host + "\nport = " + port + "\nusername = admin\nsecret_file = pbx.secret\nauth = md5\n\n" +
		"[inline]\nhost = " + host + "\nport = " + port + "\nusername = admin\nsecret = " + testSecret + "\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	amiRun(t, "", "--profile", "pbx", "send", "Fixed").want(t, 0)
	amiRun(t, "", "send", "--profile", "inline", "Fixed").want(t, 0)
	t.Setenv(envProfile, "inline")
	amiRun(t, "", "send", "Fixed").want(t, 0)
	// Flags override the profile; its secret then stays with it.
	amiRun(t, "", "-p", "1", "--secret-file", secretFile(t, testSecret), "send", "Fixed").want(t, exitConn, "connect "+host+":1")
	amiRun(t, "", "-p", "1", "send", "Fixed").want(t, exitUsage, "not sent to "+host+":1")
	amiRun(t, "", "--profile", "nope", "send", "Fixed").want(t, exitUsage, "no section [nope]")

	os.Chmod(cfg, 0o644)
	r := amiRun(t, "", "--profile", "pbx", "send", "Fixed")
	r.want(t, exitUsage, "chmod o-rwx "+cfg)
	noSecret(t, r)
	if n := len(sentActions(srv)); n != 3 {
		t.Errorf("server got %d actions, want 3", n)
	}
}

// TestTraceMasksSecret: --trace shows the conversation on stderr but never
// the secret, with plain and MD5 login.
func TestTraceMasksSecret(t *testing.T) {
	srv := newServer(t, amitest.Options{})
	for _, auth := range []string{"plain", "md5"} {
		r := amiRun(t, "", with(t, srv, "--trace", "--auth", auth, "send", "Fixed")...)
		r.want(t, 0, "Action: Login")
		noSecret(t, r)
	}
	// A failed login: exit 4, one line naming the user, no secret.
	host, port := hostPort(t, srv.Addr())
	r := amiRun(t, "", "-H", host, "-p", port, "-u", "admin", "--secret-file", secretFile(t, testSecret+"x"), "--trace", "send", "Fixed")
	r.want(t, exitAuth, `authentication failed for user "admin"`)
	noSecret(t, r)
	if strings.Contains(r.stderr, testSecret+"x") {
		t.Fatal("wrong secret leaked")
	}
}

func TestConnectFailures(t *testing.T) {
	// A port nobody listens on: listen, note the port, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	_, deadPort := hostPort(t, dead)
	sf := secretFile(t, testSecret)

	r := amiRun(t, "", "-H", "127.0.0.1", "-p", deadPort, "-u", "admin", "--secret-file", sf, "send", "Ping")
	r.want(t, exitConn)
	if want := "ami: connect " + dead + ": connection refused\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}

	r = amiRun(t, "", "-H", "no-such-host.invalid", "-u", "admin", "--secret-file", sf, "--timeout", "3s", "send", "Ping")
	r.want(t, exitConn, "ami: connect no-such-host.invalid:5038: ")

	srv := newServer(t, amitest.Options{})
	_, port := hostPort(t, srv.Addr())
	// Plain server on the TLS port.
	r = amiRun(t, "", "-H", "127.0.0.1", "-p", port, "-u", "admin", "--secret-file", sf, "--tls", "--timeout", "2s", "send", "Ping")
	r.want(t, exitConn, "ami: tls 127.0.0.1:"+port+": ")

	// A slow server (one byte per write) still works.
	drip := newServer(t, amitest.Options{Faults: []amitest.Fault{{Kind: amitest.FaultDrip}}})
	amiRun(t, "", with(t, drip, "send", "Fixed")...).want(t, 0)
}

// TestTLS runs ami against the fake server speaking TLS with a self-signed
// certificate for 127.0.0.1.
func TestTLS(t *testing.T) {
	cert, err := amitest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, amitest.Options{TLS: cert.Server})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, cert.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	_, port := hostPort(t, srv.Addr())
	sf := secretFile(t, testSecret)
	base := []string{"-H", "127.0.0.1", "-p", port, "-u", "admin", "--secret-file", sf, "--timeout", "3s"}
	run := func(args ...string) result { return amiRun(t, "", append(append([]string{}, base...), args...)...) }

	run("--tls", "--tls-ca", caFile, "send", "Fixed").want(t, 0)
	run("--tls", "send", "Fixed").want(t, exitConn, "ami: tls 127.0.0.1:"+port+": ")
	run("--tls", "--tls-ca", caFile, "--tls-server-name", "wrong.example", "send", "Fixed").want(t, exitConn, "ami: tls ")
	r := run("--tls", "--tls-insecure", "send", "Fixed")
	r.want(t, 0, "--tls-insecure")
	run("--tls-insecure", "send", "Fixed").want(t, exitUsage, "need --tls")
	amiRun(t, "", "--url", "amis://admin@127.0.0.1:"+port, "--secret-file", sf, "--tls-ca", caFile, "send", "Fixed").want(t, 0)
}
