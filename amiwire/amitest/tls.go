package amitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// TLSCert is a throw-away certificate for a TLS test server (Options.TLS):
// self-signed and valid for 127.0.0.1, ::1 and localhost for a day
// (SelfSignedTLS), or issued by a TLSCA.
type TLSCert struct {
	Server *tls.Config     // for Options.TLS
	Pool   *x509.CertPool  // for a client's RootCAs: trusts only this certificate (or its CA)
	CAPEM  []byte          // the certificate (or its CA's) in PEM, for a --tls-ca file
	Cert   tls.Certificate // the certificate and its key
}

// SelfSignedTLS makes a new TLSCert.
func SelfSignedTLS() (TLSCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return TLSCert{}, fmt.Errorf("amitest: tls key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "amitest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return TLSCert{}, fmt.Errorf("amitest: tls certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return TLSCert{}, fmt.Errorf("amitest: tls certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return TLSCert{
		Server: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		Pool:   pool,
		CAPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Cert:   cert,
	}, nil
}

// TLSCA is a throw-away private certificate authority made the way
// Asterisk's contrib/scripts/ast_tls_cert makes one for AMI and SIP TLS:
// a self-signed CA certificate whose only extension is basicConstraints
// CA:TRUE, and server certificates whose subject has only a CN and an O.
// The keys are ECDSA P-256 rather than the script's RSA 2048, to be quick;
// verification does not care.
type TLSCA struct {
	Cert *x509.Certificate
	PEM  []byte         // the CA certificate in PEM, for a --tls-ca file
	Pool *x509.CertPool // trusts only this CA
	key  *ecdsa.PrivateKey
	org  string
}

// NewTLSCA makes a TLSCA whose subject is CN=cn, O=org.
func NewTLSCA(cn, org string) (*TLSCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("amitest: tls CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{org}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("amitest: tls CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("amitest: tls CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &TLSCA{
		Cert: cert,
		PEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Pool: pool,
		key:  key,
		org:  org,
	}, nil
}

// Issue makes a server certificate signed by ca, for a day, with subject
// CN=cn, O=<the CA's O>. Without names it has no subjectAltName at all,
// as ast_tls_cert makes them; each name (a host name or an address) puts
// it in a subjectAltName. The TLSCert's Pool and CAPEM are the CA's; the
// server sends the certificate alone, without the CA's.
func (ca *TLSCA) Issue(cn string, names ...string) (TLSCert, error) {
	return ca.IssueValid(cn, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), names...)
}

// IssueValid is Issue with the validity period given.
func (ca *TLSCA) IssueValid(cn string, notBefore, notAfter time.Time, names ...string) (TLSCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return TLSCert{}, fmt.Errorf("amitest: tls key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return TLSCert{}, fmt.Errorf("amitest: tls serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial.Add(serial, big.NewInt(1)), // positive,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{ca.org}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return TLSCert{}, fmt.Errorf("amitest: tls certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return TLSCert{}, fmt.Errorf("amitest: tls certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return TLSCert{
		Server: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		Pool:   ca.Pool,
		CAPEM:  ca.PEM,
		Cert:   cert,
	}, nil
}

// OpenSSLFingerprint returns the SHA-256 fingerprint of c's certificate
// as `openssl x509 -noout -fingerprint -sha256` prints it (upper-case hex
// pairs joined by colons): what an admin pastes into --tls-fingerprint,
// worked out independently of the code under test.
func (c TLSCert) OpenSSLFingerprint() string {
	sum := sha256.Sum256(c.Cert.Leaf.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
