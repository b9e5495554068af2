package amitest

import (
	"crypto/tls"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire"
)

// TestTLSServer logs in over TLS as in the tls-login fixture, and checks
// that Goodbye ends a TLS session as cleanly as a plain one.
func TestTLSServer(t *testing.T) {
	cert, err := SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(t, Options{TLS: cert.Server})
	raw, err := tls.Dial("tcp", srv.Addr(), &tls.Config{RootCAs: cert.Pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(testTimeout))
	c := &conn{t: t, c: raw, rd: amiwire.NewReader(raw), wr: amiwire.NewWriter(raw)}
	if c.ban, err = c.rd.ReadBanner(); err != nil || c.ban != DefaultBanner {
		t.Fatalf("banner %q, %v", c.ban, err)
	}
	c.send("Login", "ActionID", "login-1", "Username", "admin", "Secret", "admin")
	if resp, _ := c.readResponse(); resp.Get("Response") != "Success" {
		t.Fatalf("login: %v", resp)
	}
	c.send("Logoff", "ActionID", "logoff-2")
	if resp, _ := c.readResponse(); resp.Get("Response") != "Goodbye" {
		t.Fatalf("logoff: %v", resp)
	}
	for i := 0; i < 100; i++ { // events may still be queued before the end
		if _, err := c.rd.ReadPacket(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("after Goodbye: %v, want a clean end", err)
			}
			return
		}
	}
	t.Fatal("the session did not end after Goodbye")
}

func TestTLSServerRefusesUntrustedClients(t *testing.T) {
	cert, err := SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(t, Options{TLS: cert.Server})
	_, err = tls.Dial("tcp", srv.Addr(), &tls.Config{ServerName: "127.0.0.1"})
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ve) {
		t.Fatalf("dial with system roots: %v, want a verification error", err)
	}
}
