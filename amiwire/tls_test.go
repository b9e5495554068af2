package amiwire_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/amiwire/amitls"
)

// tlsServer starts a fake AMI server (admin/admin) speaking TLS with cert.
func tlsServer(t *testing.T, cert amitest.TLSCert) string {
	t.Helper()
	return amitest.NewServer(t, amitest.Options{TLS: cert.Server}).Addr()
}

func mustCA(t *testing.T, cn string) *amitest.TLSCA {
	t.Helper()
	ca, err := amitest.NewTLSCA(cn, "ami test PBX")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func mustIssue(t *testing.T, ca *amitest.TLSCA, cn string, names ...string) amitest.TLSCert {
	t.Helper()
	c, err := ca.Issue(cn, names...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDialCertificates dials TLS servers with certificates made as
// Asterisk's ast_tls_cert makes them (a private CA, a server certificate
// with CN and O only) and with subjectAltNames, and checks which are
// accepted, how, and why the others are refused.
func TestDialCertificates(t *testing.T) {
	ca := mustCA(t, "Asterisk Private CA")
	other := mustCA(t, "Other CA")
	cnOnly := mustIssue(t, ca, "localhost")
	cnIP := mustIssue(t, ca, "127.0.0.1")
	wild := mustIssue(t, ca, "*.pbx.test")
	// A subjectAltName without "localhost": its CN must be ignored.
	withSAN := mustIssue(t, ca, "localhost", "pbx.example.net", "127.0.0.1")
	expired, err := ca.IssueValid("localhost", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	fp := func(c amitest.TLSCert) amitls.Fingerprint { return sha256.Sum256(c.Cert.Leaf.Raw) }

	addrs := map[*amitest.TLSCert]string{}
	for _, c := range []*amitest.TLSCert{&cnOnly, &cnIP, &wild, &withSAN, &expired} {
		addrs[c] = tlsServer(t, *c)
	}

	tests := []struct {
		name     string
		cert     *amitest.TLSCert
		roots    *x509.CertPool
		server   string // "" means the host of the address, 127.0.0.1
		cn       bool
		pin      amitls.Fingerprint
		insecure bool
		want     amitls.Check
		reason   amitls.Reason // refused for this reason when not 0
	}{
		{name: "cn only, right name", cert: &cnOnly, roots: ca.Pool, server: "localhost", cn: true, want: amitls.VerifiedCN},
		{name: "cn only, name in other case with a dot", cert: &cnOnly, roots: ca.Pool, server: "LocalHost.", cn: true, want: amitls.VerifiedCN},
		{name: "cn only, without TLSCommonName", cert: &cnOnly, roots: ca.Pool, server: "localhost", reason: amitls.WrongName},
		{name: "cn only, wrong name", cert: &cnOnly, roots: ca.Pool, cn: true, reason: amitls.WrongName},
		{name: "cn only, wrong CA", cert: &cnOnly, roots: other.Pool, server: "localhost", cn: true, reason: amitls.Untrusted},
		{name: "cn only, system roots", cert: &cnOnly, server: "localhost", cn: true, reason: amitls.Untrusted},
		{name: "cn is the address", cert: &cnIP, roots: ca.Pool, cn: true, want: amitls.VerifiedCN},
		{name: "cn is the address, name is not", cert: &cnIP, roots: ca.Pool, server: "localhost", cn: true, reason: amitls.WrongName},
		{name: "cn wildcard, one label", cert: &wild, roots: ca.Pool, server: "a.pbx.test", cn: true, want: amitls.VerifiedCN},
		{name: "cn wildcard, two labels", cert: &wild, roots: ca.Pool, server: "a.b.pbx.test", cn: true, reason: amitls.WrongName},
		{name: "cn wildcard, no label", cert: &wild, roots: ca.Pool, server: "pbx.test", cn: true, reason: amitls.WrongName},
		{name: "san, dns name", cert: &withSAN, roots: ca.Pool, server: "pbx.example.net", cn: true, want: amitls.Verified},
		{name: "san, address", cert: &withSAN, roots: ca.Pool, cn: true, want: amitls.Verified},
		{name: "san, address, without TLSCommonName", cert: &withSAN, roots: ca.Pool, want: amitls.Verified},
		{name: "san, name only in the cn", cert: &withSAN, roots: ca.Pool, server: "localhost", cn: true, reason: amitls.WrongName},
		{name: "san, wrong CA", cert: &withSAN, roots: other.Pool, reason: amitls.Untrusted},
		{name: "expired", cert: &expired, roots: ca.Pool, server: "localhost", cn: true, reason: amitls.Expired},
		{name: "pinned, chain and name not checked", cert: &cnOnly, roots: other.Pool, pin: fp(cnOnly), want: amitls.Pinned},
		{name: "pinned, expired", cert: &expired, pin: fp(expired), want: amitls.Pinned},
		{name: "pinned with insecure", cert: &cnOnly, insecure: true, pin: fp(cnOnly), want: amitls.Pinned},
		{name: "pinned, other certificate", cert: &cnOnly, roots: ca.Pool, server: "localhost", cn: true, pin: fp(withSAN), reason: amitls.PinMismatch},
		{name: "pinned with insecure, other certificate", cert: &cnOnly, insecure: true, pin: fp(withSAN), reason: amitls.PinMismatch},
		{name: "insecure", cert: &cnOnly, insecure: true, want: amitls.NotChecked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := amiwire.Config{
				Addr: addrs[tt.cert], Username: "admin", Secret: "admin",
				TLS:            &tls.Config{RootCAs: tt.roots, ServerName: tt.server, InsecureSkipVerify: tt.insecure},
				TLSFingerprint: tt.pin,
				TLSCommonName:  tt.cn,
			}
			c, err := amiwire.Dial(testCtx(t), cfg)
			if tt.reason == 0 {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				defer c.Close()
				if got := c.ConnState().CertCheck; got != tt.want {
					t.Errorf("CertCheck = %v, want %v", got, tt.want)
				}
				if err := ping(testCtx(t), c); err != nil {
					t.Fatalf("Ping: %v", err)
				}
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("Dial succeeded (CertCheck %v), want reason %v", c.ConnState().CertCheck, tt.reason)
			}
			var ce *amiwire.ConnectError
			var cert *amitls.CertificateError
			var ve *tls.CertificateVerificationError
			if !errors.As(err, &ce) || ce.Stage != amiwire.StageTLS || !errors.As(err, &cert) || !errors.As(err, &ve) {
				t.Fatalf("err = %v (%T), want a ConnectError at tls with a CertificateError", err, err)
			}
			if cert.Reason != tt.reason {
				t.Errorf("Reason = %v, want %v (%v)", cert.Reason, tt.reason, err)
			}
			if cert.Fingerprint != fp(*tt.cert) || cert.Cert == nil || cert.Cert.Subject.CommonName != tt.cert.Cert.Leaf.Subject.CommonName {
				t.Errorf("certificate %v / %s, want the server's", cert.Fingerprint, subjectOf(cert.Cert))
			}
			if !strings.Contains(err.Error(), tt.cert.OpenSSLFingerprint()) {
				t.Errorf("error lacks the fingerprint: %v", err)
			}
		})
	}
}

func subjectOf(c *x509.Certificate) string {
	if c == nil {
		return "<nil>"
	}
	return c.Subject.String()
}

// TestCertificateErrorText checks that the refusal names the reason in
// words, the certificate's subject and its fingerprint as openssl prints
// it.
func TestCertificateErrorText(t *testing.T) {
	ca := mustCA(t, "Asterisk Private CA")
	other := mustCA(t, "Other CA")
	leaf := mustIssue(t, ca, "localhost")
	withSAN := mustIssue(t, ca, "pbx", "pbx.example.net", "10.0.0.5")
	self, err := amitest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	pin, _ := amitls.ParseFingerprint(withSAN.OpenSSLFingerprint())
	tests := []struct {
		name string
		cert amitest.TLSCert
		tc   *tls.Config
		pin  amitls.Fingerprint
		want string
	}{
		{"unknown authority", leaf, &tls.Config{RootCAs: other.Pool, ServerName: "localhost"},
			amitls.Fingerprint{}, `certificate signed by an unknown authority "CN=Asterisk Private CA,O=ami test PBX"`},
		{"self-signed", self, &tls.Config{RootCAs: other.Pool}, amitls.Fingerprint{}, "self-signed certificate, not trusted"},
		{"cn mismatch", leaf, &tls.Config{RootCAs: ca.Pool}, amitls.Fingerprint{},
			`certificate has no subjectAltName and its Common Name "localhost" is not "127.0.0.1"`},
		{"san mismatch", withSAN, &tls.Config{RootCAs: ca.Pool}, amitls.Fingerprint{},
			`certificate is for "pbx.example.net", 10.0.0.5, not "127.0.0.1"`},
		{"pin mismatch", leaf, &tls.Config{}, pin, "certificate does not match the pinned SHA-256 fingerprint " + withSAN.OpenSSLFingerprint()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: tlsServer(t, tt.cert), Username: "admin", Secret: "admin",
				TLS: tt.tc, TLSFingerprint: tt.pin, TLSCommonName: true})
			var cert *amitls.CertificateError
			if !errors.As(err, &cert) {
				t.Fatalf("err = %v, want a CertificateError", err)
			}
			want := tt.want + fmt.Sprintf("; server certificate %q has SHA-256 fingerprint %s", tt.cert.Cert.Leaf.Subject.String(), tt.cert.OpenSSLFingerprint())
			if got := cert.Error(); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestDialTLSHooks checks that the tls.Config's own verification hooks
// still run, after Dial's check, with the verified chains.
func TestDialTLSHooks(t *testing.T) {
	ca := mustCA(t, "Asterisk Private CA")
	addr := tlsServer(t, mustIssue(t, ca, "localhost"))
	var mu sync.Mutex
	var peerChains, connChains int
	hookErr := errors.New("refused by the hook")
	tc := &tls.Config{RootCAs: ca.Pool, ServerName: "localhost",
		VerifyPeerCertificate: func(_ [][]byte, chains [][]*x509.Certificate) error {
			mu.Lock()
			defer mu.Unlock()
			peerChains = len(chains)
			return nil
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			mu.Lock()
			defer mu.Unlock()
			connChains = len(cs.VerifiedChains)
			return hookErr
		},
	}
	_, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: addr, Username: "admin", Secret: "admin", TLS: tc, TLSCommonName: true})
	if !errors.Is(err, hookErr) {
		t.Fatalf("err = %v, want the hook's", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if peerChains != 1 || connChains != 1 {
		t.Errorf("hooks saw %d and %d verified chains, want 1 and 1", peerChains, connChains)
	}
}

// TestDialTLSMismatch checks both wrong guesses: plain AMI to a TLS port
// is detected well before the deadline, and TLS to a plain port names
// the plain banner. Each is told by its sentinel, and only by that one.
func TestDialTLSMismatch(t *testing.T) {
	cert, err := amitest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	tlsAddr := tlsServer(t, cert)
	plainAddr := amitest.NewServer(t, amitest.Options{}).Addr()

	// The context allows 20 s; a plain read would wait for all of it and
	// end in a timeout, not in ErrServerTLS.
	_, err = amiwire.Dial(testCtx(t), amiwire.Config{Addr: tlsAddr, Username: "admin", Secret: "admin"})
	var ce *amiwire.ConnectError
	if !errors.As(err, &ce) || ce.Stage != amiwire.StageBanner || !errors.Is(err, amiwire.ErrServerTLS) || errors.Is(err, amiwire.ErrServerPlain) {
		t.Fatalf("plain to TLS: err = %v, want ErrServerTLS (alone) at the banner", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("plain to TLS: %v, want it found before the deadline", err)
	}
	if !strings.Contains(err.Error(), "no banner after ") || !strings.Contains(err.Error(), "TLS handshake with the same address succeeded") {
		t.Errorf("plain to TLS: %v", err)
	}

	_, err = amiwire.Dial(testCtx(t), amiwire.Config{Addr: plainAddr, Username: "admin", Secret: "admin", TLS: &tls.Config{RootCAs: cert.Pool}})
	if !errors.As(err, &ce) || ce.Stage != amiwire.StageTLS || !errors.Is(err, amiwire.ErrServerPlain) || errors.Is(err, amiwire.ErrServerTLS) {
		t.Fatalf("TLS to plain: err = %v, want ErrServerPlain (alone) at tls", err)
	}
	var rh tls.RecordHeaderError
	if !errors.As(err, &rh) || string(rh.RecordHeader[:]) != "Aster" || !strings.Contains(err.Error(), `plain text "Aster"`) {
		t.Errorf("TLS to plain: err %v, want the handshake's RecordHeaderError with \"Aster\" wrapped and named", err)
	}
}

// TestDialSlowBannerNotTLS checks that a plain server whose banner comes
// late is still logged in to: the check for TLS on a second connection
// finds plain AMI there and the first connection goes on waiting. The
// server holds the first banner until that second connection arrives.
func TestDialSlowBannerNotTLS(t *testing.T) {
	second := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	n := 0
	srv := amitest.NewServer(t, amitest.Options{OnConnect: func(s *amitest.Session) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if !first {
			once.Do(func() { close(second) })
			return
		}
		select {
		case <-second:
		case <-time.After(20 * time.Second):
		}
	}})
	c, err := amiwire.Dial(testCtx(t), amiwire.Config{Addr: srv.Addr(), Username: "admin", Secret: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := ping(testCtx(t), c); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second:
	default:
		t.Fatal("no second connection")
	}
}
