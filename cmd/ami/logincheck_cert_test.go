package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire/amitest"
)

// certServer returns a TLS server whose certificate, issued by ca for
// 127.0.0.1, expires at notAfter.
func certServer(t *testing.T, ca *amitest.TLSCA, notAfter time.Time) (*amitest.Server, amitest.TLSCert) {
	t.Helper()
	cert, err := ca.IssueValid("pbx", notAfter.Add(-90*24*time.Hour), notAfter, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return newServer(t, amitest.Options{TLS: cert.Server}), cert
}

// TestLoginCheckCertWarning checks --cert-warning against certificates
// that expire soon, later, or have expired (pinned, since no CA check
// would accept it), on one host and several.
func TestLoginCheckCertWarning(t *testing.T) {
	ca, err := amitest.NewTLSCA("Asterisk Private CA", "ami test PBX")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	soon, soonCert := certServer(t, ca, now.Add(10*24*time.Hour+time.Hour))
	later, _ := certServer(t, ca, now.Add(90*24*time.Hour))
	expired, expiredCert := certServer(t, ca, now.Add(-24*time.Hour))
	caFile := writePEM(t, ca.PEM)
	tlsArgs := func(srv *amitest.Server, extra ...string) []string {
		return append(with(t, srv, "--tls", "--tls-ca", caFile, "login-check"), extra...)
	}
	soonDate := soonCert.Cert.Leaf.NotAfter.UTC().Format("2006-01-02")

	r := amiRun(t, "", tlsArgs(soon, "--cert-warning", "30d")...)
	if r.code != 1 || !strings.HasPrefix(r.stdout, "AMI WARNING - admin@"+soon.Addr()) ||
		!strings.Contains(r.stdout, ", TLS certificate expires in 10 days ("+soonDate+") |") {
		t.Errorf("soon: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	// Not within the time given: OK, with no word on the certificate.
	r = amiRun(t, "", tlsArgs(soon, "--cert-warning", "240h")...)
	if r.code != 0 || strings.Contains(r.stdout, "certificate") {
		t.Errorf("240h: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = amiRun(t, "", tlsArgs(later, "--cert-warning", "30d")...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "AMI OK - ") {
		t.Errorf("later: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	// Without --cert-warning an expiring certificate is fine.
	r = amiRun(t, "", tlsArgs(soon)...)
	if r.code != 0 {
		t.Errorf("no --cert-warning: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	// An expired certificate gets through only pinned: CRITICAL.
	r = amiRun(t, "", with(t, expired, "--tls", "--tls-fingerprint", expiredCert.OpenSSLFingerprint(), "login-check", "--cert-warning", "30d")...)
	if r.code != 2 || !strings.Contains(r.stdout, "TLS certificate expired "+expiredCert.Cert.Leaf.NotAfter.UTC().Format("2006-01-02")) {
		t.Errorf("expired: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	// Several hosts: the one expiring soon is named in the summary.
	r = amiRun(t, "", append(onHosts(t, soon, soon.Addr()+","+later.Addr()), "--tls", "--tls-ca", caFile, "login-check", "--cert-warning", "30d")...)
	lines := strings.Split(r.stdout, "\n")
	if r.code != 1 || len(lines) < 3 || !strings.HasPrefix(lines[0], "AMI WARNING - 1 of 2 hosts not OK: "+soon.Addr()+" total ") ||
		!strings.Contains(lines[1], "TLS certificate expires in 10 days") || strings.Contains(lines[2], "certificate") {
		t.Errorf("several: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	// JSON says when it expires.
	r = amiRun(t, "", tlsArgs(soon, "--cert-warning", "30d", "-o", "json")...)
	var obj struct {
		Status  string   `json:"status"`
		Expires string   `json:"cert_expires"`
		Days    *float64 `json:"cert_days_left"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &obj); err != nil || obj.Status != "WARNING" || obj.Days == nil || *obj.Days < 9.9 || *obj.Days > 10.1 ||
		obj.Expires != soonCert.Cert.Leaf.NotAfter.UTC().Format(time.RFC3339) {
		t.Errorf("json: %v %+v from %q", err, obj, r.stdout)
	}

	// Usage: a bare number, and no TLS at all.
	for _, args := range [][]string{tlsArgs(soon, "--cert-warning", "30"), with(t, later, "login-check", "--cert-warning", "30d")} {
		r = amiRun(t, "", args...)
		if r.code != 3 || !strings.HasPrefix(r.stdout, "AMI UNKNOWN - --cert-warning") {
			t.Errorf("%v: exit %d, %q", args, r.code, r.stdout)
		}
	}
}
