package amitls_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ami-cli/ami/amiwire/amitest"
	"github.com/ami-cli/ami/amiwire/amitls"
)

// TestConfigPlainTLS: Config verifies a crypto/tls client's handshake
// without amiwire, as an ARI client would use it: a certificate without
// subjectAltName passes by its Common Name with commonName and not
// without, a pin accepts exactly its certificate, and a refusal is a
// *CertificateError inside crypto/tls's own error.
func TestConfigPlainTLS(t *testing.T) {
	ca, err := amitest.NewTLSCA("Asterisk Private CA", "ami test PBX")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("localhost") // as ast_tls_cert makes it: no subjectAltName
	if err != nil {
		t.Fatal(err)
	}
	other, err := amitest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		pin    amitls.Fingerprint
		cn     bool
		want   amitls.Check
		reason amitls.Reason // refused for this reason when not 0
	}{
		{name: "cn", cn: true, want: amitls.VerifiedCN},
		{name: "cn not allowed", reason: amitls.WrongName},
		{name: "pinned", pin: sha256.Sum256(cert.Cert.Leaf.Raw), want: amitls.Pinned},
		{name: "pinned, other", pin: sha256.Sum256(other.Cert.Leaf.Raw), cn: true, reason: amitls.PinMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				if c, err := ln.Accept(); err == nil {
					defer c.Close()
					_ = tls.Server(c, cert.Server).HandshakeContext(ctx)
				}
			}()
			a, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			conf, accepted := amitls.Config(&tls.Config{RootCAs: ca.Pool, ServerName: "localhost"}, tt.pin, tt.cn)
			err = tls.Client(a, conf).HandshakeContext(ctx)
			var ce *amitls.CertificateError
			switch {
			case tt.reason != 0:
				if !errors.As(err, &ce) || ce.Reason != tt.reason {
					t.Fatalf("handshake: %v; want a *CertificateError for %v", err, tt.reason)
				}
			case err != nil:
				t.Fatalf("handshake: %v", err)
			case accepted() != tt.want:
				t.Fatalf("accepted %v, want %v", accepted(), tt.want)
			}
		})
	}
}

func TestFingerprintString(t *testing.T) {
	c, err := amitest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := amitls.Fingerprint(sha256.Sum256(c.Cert.Leaf.Raw)).String(), c.OpenSSLFingerprint(); got != want {
		t.Fatalf("String = %s, openssl prints %s", got, want)
	}
}

func TestParseFingerprint(t *testing.T) {
	const hex = "913101B85FD93B275B95C418D5EC3D05A1AA4CD3A650452DF740975C8DDE9B56"
	var want amitls.Fingerprint
	for i := range want {
		fmt.Sscanf(hex[2*i:2*i+2], "%02X", &want[i])
	}
	colons := want.String()
	if colons != "91:31:01:B8:5F:D9:3B:27:5B:95:C4:18:D5:EC:3D:05:A1:AA:4C:D3:A6:50:45:2D:F7:40:97:5C:8D:DE:9B:56" {
		t.Fatalf("String = %s", colons)
	}
	good := []string{
		colons,
		strings.ToLower(colons),
		hex,
		strings.ToLower(hex),
		"sha256 Fingerprint=" + colons, // openssl 3
		"SHA256 Fingerprint=" + colons, // openssl 1.1
		"  " + colons + "\n",
	}
	for _, in := range good {
		got, err := amitls.ParseFingerprint(in)
		if err != nil || got != want {
			t.Errorf("ParseFingerprint(%q) = %v, %v", in, got, err)
		}
	}
	bad := []struct{ in, want string }{
		{"", "not hex"},
		{"zz" + hex[2:], "not hex"},
		{hex[:62], "31 bytes"},
		{hex + "00", "33 bytes"},
		{colons[:59], "a SHA-1 fingerprint"},
		{"sha1 Fingerprint=" + colons[:59], "a SHA1 fingerprint"},
		{"91:3101:B8", "hex pairs"},
		{":" + colons, "hex pairs"},
		{"md5=" + colons, "hex pairs"},
	}
	for _, b := range bad {
		_, err := amitls.ParseFingerprint(b.in)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseFingerprint(%q) = %v, want an error with %q", b.in, err, b.want)
		}
	}
	if want == (amitls.Fingerprint{}) {
		t.Error("a parsed fingerprint is the zero one")
	}
}

// FuzzParseFingerprint checks that ParseFingerprint never panics and that
// what it accepts prints back as something it reads the same.
func FuzzParseFingerprint(f *testing.F) {
	f.Add("91:31:01:B8:5F:D9:3B:27:5B:95:C4:18:D5:EC:3D:05:A1:AA:4C:D3:A6:50:45:2D:F7:40:97:5C:8D:DE:9B:56")
	f.Add("sha256 Fingerprint=913101B85FD93B275B95C418D5EC3D05A1AA4CD3A650452DF740975C8DDE9B56")
	f.Add("sha1 Fingerprint=AB:CD")
	f.Add("=:")
	f.Fuzz(func(t *testing.T, s string) {
		fp, err := amitls.ParseFingerprint(s)
		if err != nil {
			return
		}
		again, err := amitls.ParseFingerprint(fp.String())
		if err != nil || again != fp {
			t.Fatalf("%q: %v reads back as %v, %v", s, fp, again, err)
		}
	})
}
