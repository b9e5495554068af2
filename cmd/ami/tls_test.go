package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// writePEM writes a CA certificate for --tls-ca.
func writePEM(t *testing.T, pem []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(path, pem, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// astCerts are a private CA and server certificates made the way
// Asterisk's ast_tls_cert makes them (the first with CN and O only), plus
// one with subjectAltNames, and a CA that signed none of them.
type astCerts struct {
	ca, other       *amitest.TLSCA
	cnOnly, withSAN amitest.TLSCert
}

func newAstCerts(t *testing.T) astCerts {
	t.Helper()
	var c astCerts
	var err error
	if c.ca, err = amitest.NewTLSCA("Asterisk Private CA", "ami test PBX"); err != nil {
		t.Fatal(err)
	}
	if c.other, err = amitest.NewTLSCA("Other CA", "elsewhere"); err != nil {
		t.Fatal(err)
	}
	if c.cnOnly, err = c.ca.Issue("localhost"); err != nil {
		t.Fatal(err)
	}
	if c.withSAN, err = c.ca.Issue("localhost", "pbx.example.net", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTLSCertificates runs ami against TLS servers with an ast_tls_cert
// style certificate (CN only, private CA) and one with subjectAltNames:
// --tls-ca with the CN fallback, --tls-fingerprint, and the refusals with
// their one-line errors.
func TestTLSCertificates(t *testing.T) {
	clearEnv(t)
	certs := newAstCerts(t)
	cnSrv := newServer(t, amitest.Options{TLS: certs.cnOnly.Server})
	sanSrv := newServer(t, amitest.Options{TLS: certs.withSAN.Server})
	caFile := writePEM(t, certs.ca.PEM)
	otherFile := writePEM(t, certs.other.PEM)
	cnFP, sanFP := certs.cnOnly.OpenSSLFingerprint(), certs.withSAN.OpenSSLFingerprint()
	const note = "has no subjectAltName; \"localhost\" was matched against its Common Name (CN)"
	cnSubject := `server certificate "CN=localhost,O=ami test PBX" has SHA-256 fingerprint ` + cnFP

	tests := []struct {
		name   string
		srv    *amitest.Server
		args   []string
		code   int
		has    []string // on stderr
		hasNot []string // not on stderr
	}{
		{name: "cn only, right name", srv: cnSrv, args: []string{"--tls", "--tls-ca", caFile, "--tls-server-name", "localhost"},
			code: 0, has: []string{"ami: note: the certificate of 127.0.0.1:", note}},
		{name: "cn only, wrong name", srv: cnSrv, args: []string{"--tls", "--tls-ca", caFile}, code: exitConn,
			has: []string{`certificate has no subjectAltName and its Common Name "localhost" is not "127.0.0.1"`, cnSubject,
				"use --tls-server-name localhost", "--tls-fingerprint"}},
		{name: "cn only, wrong CA", srv: cnSrv, args: []string{"--tls", "--tls-ca", otherFile, "--tls-server-name", "localhost"}, code: exitConn,
			has: []string{`certificate signed by an unknown authority "CN=Asterisk Private CA,O=ami test PBX"`, cnSubject,
				"give --tls-ca the certificate of the CA that signed it", "openssl x509 -noout -fingerprint -sha256", "--tls-fingerprint"}},
		{name: "cn only, system roots", srv: cnSrv, args: []string{"--tls", "--tls-server-name", "localhost"}, code: exitConn,
			has: []string{"certificate signed by an unknown authority", cnSubject, "--tls-ca"}},
		{name: "pinned", srv: cnSrv, args: []string{"--tls", "--tls-fingerprint", cnFP}, code: 0, hasNot: []string{"note"}},
		{name: "pinned, openssl's whole line", srv: cnSrv, args: []string{"--tls", "--tls-fingerprint", "sha256 Fingerprint=" + cnFP}, code: 0},
		{name: "pinned, lower case without colons", srv: cnSrv,
			args: []string{"--tls", "--tls-fingerprint", strings.ToLower(strings.ReplaceAll(cnFP, ":", ""))}, code: 0},
		{name: "pinned, other certificate", srv: cnSrv, args: []string{"--tls", "--tls-fingerprint", sanFP}, code: exitConn,
			has: []string{"certificate does not match the pinned SHA-256 fingerprint " + sanFP, cnSubject, "someone may be intercepting"}},
		{name: "san, address", srv: sanSrv, args: []string{"--tls", "--tls-ca", caFile}, code: 0, hasNot: []string{"note"}},
		{name: "san, name only in the cn", srv: sanSrv, args: []string{"--tls", "--tls-ca", caFile, "--tls-server-name", "localhost"}, code: exitConn,
			has: []string{`certificate is for "pbx.example.net", 127.0.0.1, not "localhost"`, "use --tls-server-name pbx.example.net", sanFP}},
		{name: "san, wrong CA", srv: sanSrv, args: []string{"--tls", "--tls-ca", otherFile}, code: exitConn,
			has: []string{"certificate signed by an unknown authority", sanFP}},
		{name: "insecure", srv: cnSrv, args: []string{"--tls", "--tls-insecure"}, code: 0, has: []string{"--tls-insecure"}},
		{name: "pin and CA", srv: cnSrv, args: []string{"--tls", "--tls-ca", caFile, "--tls-fingerprint", cnFP}, code: exitUsage,
			has: []string{"drop --tls-ca and --tls-insecure"}},
		{name: "pin and insecure", srv: cnSrv, args: []string{"--tls", "--tls-insecure", "--tls-fingerprint", cnFP}, code: exitUsage},
		{name: "pin without TLS", srv: cnSrv, args: []string{"--tls-fingerprint", cnFP}, code: exitUsage, has: []string{"need --tls"}},
		{name: "SHA-1 fingerprint", srv: cnSrv, args: []string{"--tls", "--tls-fingerprint", cnFP[:59]}, code: exitUsage,
			has: []string{"--tls-fingerprint: ", "a SHA-1 fingerprint; want SHA-256"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := amiRun(t, "", append(with(t, tt.srv, tt.args...), "send", "Fixed")...)
			r.want(t, tt.code, tt.has...)
			for _, s := range tt.hasNot {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, r.stderr)
				}
			}
			noSecret(t, r)
			if tt.code == 0 {
				if !strings.Contains(r.stdout, "Response: Success") {
					t.Errorf("stdout:\n%s", r.stdout)
				}
				return
			}
			// One line, the error.
			if lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "ami: ") {
				t.Errorf("stderr is not one error line:\n%s", r.stderr)
			}
			if tt.code == exitConn && !strings.HasPrefix(r.stderr, "ami: tls 127.0.0.1:") {
				t.Errorf("stderr does not name the stage and address:\n%s", r.stderr)
			}
		})
	}
}

// TestTLSNoteOnce checks that the CN fallback is remarked on once per
// address, not at every connection: login-check dials the same server
// twice here.
func TestTLSNoteOnce(t *testing.T) {
	clearEnv(t)
	certs := newAstCerts(t)
	srv := newServer(t, amitest.Options{TLS: certs.cnOnly.Server})
	_, port := hostPort(t, srv.Addr())
	r := amiRun(t, "", with(t, srv, "--tls", "--tls-ca", writePEM(t, certs.ca.PEM), "--tls-server-name", "localhost",
		"login-check", "127.0.0.1:"+port, "127.0.0.1:"+port)...)
	r.want(t, 0)
	if n := strings.Count(r.stderr, "has no subjectAltName"); n != 1 {
		t.Errorf("the note came %d times:\n%s", n, r.stderr)
	}
}

// TestTLSProfileFingerprint pins the certificate from a profile
// (tls_fingerprint), and checks that --tls-ca on the command line
// replaces the profile's pin.
func TestTLSProfileFingerprint(t *testing.T) {
	clearEnv(t)
	certs := newAstCerts(t)
	srv := newServer(t, amitest.Options{TLS: certs.cnOnly.Server})
	host, port := hostPort(t, srv.Addr())
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ami", "config")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	section := func(name, extra string) string {
		return "[" + name + "]\nhost = " + host + "\nport = " + port + "\nusername = admin\nsecret = " + testSecret + "\n" + extra + "\n"
	}
	text := section("pinned", "tls = true\ntls_fingerprint = sha256 Fingerprint="+certs.cnOnly.OpenSSLFingerprint()) +
		section("wrongpin", "tls = true\ntls_fingerprint = "+certs.withSAN.OpenSSLFingerprint()) +
		section("notls", "tls_fingerprint = "+certs.cnOnly.OpenSSLFingerprint())
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	amiRun(t, "", "--profile", "pinned", "send", "Fixed").want(t, 0)
	amiRun(t, "", "--profile", "wrongpin", "send", "Fixed").want(t, exitConn, "does not match the pinned SHA-256 fingerprint")
	amiRun(t, "", "--profile", "wrongpin", "--tls-ca", writePEM(t, certs.ca.PEM), "--tls-server-name", "localhost", "send", "Fixed").want(t, 0)
	amiRun(t, "", "--profile", "wrongpin", "--tls-fingerprint", certs.cnOnly.OpenSSLFingerprint(), "send", "Fixed").want(t, 0)
	amiRun(t, "", "--profile", "notls", "send", "Fixed").want(t, exitUsage, "tls_fingerprint needs tls = true")

	if err := os.WriteFile(cfg, []byte(section("bad", "tls = true\ntls_fingerprint = AB:CD")), 0o600); err != nil {
		t.Fatal(err)
	}
	amiRun(t, "", "--profile", "bad", "send", "Fixed").want(t, exitUsage, "config "+cfg+":7: tls_fingerprint: ", "2 bytes")
}

// TestTLSWrongPort checks the hints when plain AMI meets a TLS port and
// TLS meets a plain one. The plain case is told well within --timeout: a
// timeout would say "timed out" instead.
func TestTLSWrongPort(t *testing.T) {
	clearEnv(t)
	cert, err := amitest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := newServer(t, amitest.Options{TLS: cert.Server})
	plainSrv := newServer(t, amitest.Options{})

	r := amiRun(t, "", append(with(t, tlsSrv, "--timeout", "15s"), "send", "Fixed")...)
	r.want(t, exitConn, "ami: banner 127.0.0.1:", "a TLS handshake with the same address succeeded: this looks like a TLS port: try --tls")

	r = amiRun(t, "", append(with(t, plainSrv, "--tls", "--tls-insecure"), "send", "Fixed")...)
	r.want(t, exitConn, "ami: tls 127.0.0.1:", `answered the TLS handshake with plain text "Aster"`, "this looks like a plain AMI port: drop --tls")

	r = amiRun(t, "", append(with(t, tlsSrv, "--timeout", "15s"), "login-check")...)
	r.want(t, nagiosCritical)
	if !strings.Contains(r.stdout, "try --tls") {
		t.Errorf("login-check: %s", r.stdout)
	}
}
