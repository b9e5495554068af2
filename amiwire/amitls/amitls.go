// Package amitls verifies the TLS certificate of an Asterisk server as
// amiwire.Dial does: by crypto/tls's rules; by a pinned SHA-256
// fingerprint, as ssh trusts a known host key; or, for a certificate with
// no subjectAltName at all, as Asterisk's ast_tls_cert script makes them,
// by its Common Name. A refusal says why (CertificateError), so that a
// program can tell its user what to do about it. Config works for any
// crypto/tls client of the same server (ARI's HTTPS, say), not only AMI.
package amitls

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Fingerprint is the SHA-256 digest of a certificate's DER bytes,
// sha256.Sum256(cert.Raw): what `openssl x509 -noout -fingerprint -sha256`
// prints. The zero Fingerprint stands for none.
type Fingerprint [sha256.Size]byte

// certFingerprint returns the Fingerprint of cert.
func certFingerprint(cert *x509.Certificate) Fingerprint { return sha256.Sum256(cert.Raw) }

// String returns f as openssl prints it: upper-case hex pairs joined by
// colons ("91:31:01:...").
func (f Fingerprint) String() string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 0, 3*len(f)-1)
	for i, x := range f {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, digits[x>>4], digits[x&0xf])
	}
	return string(b)
}

// ParseFingerprint reads a SHA-256 fingerprint as openssl prints it: 32
// hex pairs joined by colons, or the 64 hex digits without colons, in
// either case; a leading "sha256 Fingerprint=" (openssl's whole line) is
// allowed. A digest of another length is refused, naming SHA-1 when it
// has that length (openssl's default without -sha256).
func ParseFingerprint(s string) (Fingerprint, error) {
	var f Fingerprint
	in := strings.TrimSpace(s)
	if algo, rest, ok := strings.Cut(in, "="); ok {
		algo = strings.TrimSpace(algo)
		name, found := strings.CutSuffix(strings.ToLower(algo), " fingerprint")
		if !found {
			return f, fmt.Errorf("fingerprint %s: want hex pairs joined by colons, as openssl x509 -noout -fingerprint -sha256 prints", quoteShort(s))
		}
		if name != "sha256" && name != "sha-256" {
			return f, fmt.Errorf("fingerprint %s: a %s fingerprint; want SHA-256 (openssl x509 -noout -fingerprint -sha256)", quoteShort(s), strings.ToUpper(name))
		}
		in = strings.TrimSpace(rest)
	}
	digits := in
	if strings.Contains(in, ":") {
		// Colons, when there are any, separate every pair.
		parts := strings.Split(in, ":")
		for _, p := range parts {
			if len(p) != 2 {
				return f, fmt.Errorf("fingerprint %s: want hex pairs joined by colons (AB:CD:...) or 64 hex digits", quoteShort(s))
			}
		}
		digits = strings.Join(parts, "")
	}
	b, err := hex.DecodeString(digits)
	if err != nil || len(digits) == 0 {
		return f, fmt.Errorf("fingerprint %s: not hex; want AB:CD:... or 64 hex digits", quoteShort(s))
	}
	switch len(b) {
	case len(f):
	case 20:
		return f, fmt.Errorf("fingerprint %s: 20 bytes, a SHA-1 fingerprint; want SHA-256 (openssl x509 -noout -fingerprint -sha256)", quoteShort(s))
	default:
		return f, fmt.Errorf("fingerprint %s: %d bytes; a SHA-256 fingerprint has 32", quoteShort(s), len(b))
	}
	copy(f[:], b)
	return f, nil
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 120
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}

// Check says how a Config accepted the server's certificate
// (amiwire.ConnState.CertCheck).
type Check int

// The ways a Config accepts a certificate.
const (
	// NotChecked: not at all (InsecureSkipVerify and no pin, whatever the
	// tls.Config's own hooks did); for amiwire, also plain TCP.
	NotChecked Check = iota
	// Verified: the chain and the server name were verified as
	// crypto/tls verifies them.
	Verified
	// VerifiedCN: the chain was verified; the certificate has no
	// subjectAltName, and the server name matched its Common Name
	// (commonName).
	VerifiedCN
	// Pinned: the certificate is the one the pin names; its chain, names
	// and dates were not checked.
	Pinned
)

// String returns the name of the check: "not checked", "verified",
// "verified by common name" or "pinned".
func (c Check) String() string {
	switch c {
	case NotChecked:
		return "not checked"
	case Verified:
		return "verified"
	case VerifiedCN:
		return "verified by common name"
	case Pinned:
		return "pinned"
	}
	return "Check(" + strconv.Itoa(int(c)) + ")"
}

// Reason says why a Config refused the server's certificate.
type Reason int

// The reasons for refusing a certificate.
const (
	// Untrusted: no chain from it to a trusted root (an unknown or
	// self-signed issuer, or no roots at all).
	Untrusted Reason = iota + 1
	// WrongName: the server name is not one the certificate is for.
	WrongName
	// Expired: the time is outside the validity of the certificate or
	// of a CA certificate in its chain.
	Expired
	// PinMismatch: it is not the certificate the pin names.
	PinMismatch
	// Invalid: any other reason (not for servers, an issuer that may
	// not sign, a name constraint, ...); Err says which.
	Invalid
)

// String returns the name of the reason: "untrusted", "wrong name",
// "expired", "pin mismatch" or "invalid".
func (r Reason) String() string {
	switch r {
	case Untrusted:
		return "untrusted"
	case WrongName:
		return "wrong name"
	case Expired:
		return "expired"
	case PinMismatch:
		return "pin mismatch"
	case Invalid:
		return "invalid"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// CertificateError is a Config's refusal of the server's certificate: the
// reason, the certificate, and its fingerprint, so that a caller can show
// what the server presented and what would make it trusted. The handshake
// fails with the *tls.CertificateVerificationError that crypto/tls would
// give, wrapping it (amiwire.Dial's *ConnectError, Stage tls, wraps that).
type CertificateError struct {
	Reason      Reason
	ServerName  string            // the name checked; "" for PinMismatch
	Cert        *x509.Certificate // the server's certificate (the leaf)
	Fingerprint Fingerprint       // of Cert
	Pin         Fingerprint       // the expected one, for PinMismatch
	Err         error             // the crypto/x509 error, if one said it
}

// Error names the reason in words, then the certificate's subject and
// fingerprint: `certificate signed by an unknown authority "CN=...";
// server certificate "CN=localhost,O=..." has SHA-256 fingerprint 91:31:...`.
func (e *CertificateError) Error() string {
	return fmt.Sprintf("%s; server certificate %q has SHA-256 fingerprint %s", e.reason(), subject(e.Cert), e.Fingerprint)
}

// Unwrap returns the crypto/x509 error.
func (e *CertificateError) Unwrap() error { return e.Err }

// reason says in words what is wrong with the certificate.
func (e *CertificateError) reason() string {
	switch e.Reason {
	case PinMismatch:
		return "certificate does not match the pinned SHA-256 fingerprint " + e.Pin.String()
	case WrongName:
		if !hasSAN(e.Cert) {
			cn := e.Cert.Subject.CommonName
			if matchCN(cn, e.ServerName) {
				return fmt.Sprintf("certificate has no subjectAltName, and %q only in its Common Name is not accepted here", cn)
			}
			return fmt.Sprintf("certificate has no subjectAltName and its Common Name %q is not %q", cn, e.ServerName)
		}
		return fmt.Sprintf("certificate is for %s, not %q", certNames(e.Cert), e.ServerName)
	case Untrusted:
		var ua x509.UnknownAuthorityError
		if errors.As(e.Err, &ua) && ua.Cert != nil {
			if bytes.Equal(ua.Cert.RawIssuer, ua.Cert.RawSubject) {
				return "self-signed certificate, not trusted"
			}
			return fmt.Sprintf("certificate signed by an unknown authority %q", ua.Cert.Issuer.String())
		}
		var sr x509.SystemRootsError
		if errors.As(e.Err, &sr) {
			return "no trusted roots to verify the certificate against"
		}
	case Expired:
		var ci x509.CertificateInvalidError
		if errors.As(e.Err, &ci) && ci.Cert != nil {
			which := "certificate"
			if !bytes.Equal(ci.Cert.Raw, e.Cert.Raw) {
				which = fmt.Sprintf("CA certificate %q", subject(ci.Cert))
			}
			if time.Now().After(ci.Cert.NotAfter) {
				return fmt.Sprintf("%s expired on %s", which, ci.Cert.NotAfter.UTC().Format(time.DateTime+" MST"))
			}
			return fmt.Sprintf("%s is not valid before %s", which, ci.Cert.NotBefore.UTC().Format(time.DateTime+" MST"))
		}
	}
	if e.Err != nil {
		return strings.TrimPrefix(e.Err.Error(), "x509: ")
	}
	return "certificate refused"
}

// subject renders a certificate's subject, or "?" for none.
func subject(c *x509.Certificate) string {
	if c == nil {
		return "?"
	}
	return c.Subject.String()
}

// certNames lists the host names and addresses a certificate with a
// subjectAltName is for, at most a few of them.
func certNames(c *x509.Certificate) string {
	var names []string
	for _, n := range c.DNSNames {
		names = append(names, fmt.Sprintf("%q", n))
	}
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	const show = 5
	switch {
	case len(names) == 0:
		return "no host name or address"
	case len(names) > show:
		return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
	}
	return strings.Join(names, ", ")
}

// oidSubjectAltName is the subjectAltName extension (RFC 5280, 4.2.1.6).
var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// hasSAN reports whether c has a subjectAltName extension, of any content.
func hasSAN(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			return true
		}
	}
	return false
}

// matchCN reports whether name matches a Common Name by the rules
// crypto/x509 applies to a DNS subjectAltName (exactly, ignoring case and
// a trailing dot, or a wildcard as the whole left-most label, standing for
// one label), or, for an address, equals it as an address.
func matchCN(cn, name string) bool {
	if cn == "" || name == "" {
		return false
	}
	host := name
	if len(host) >= 3 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	if ip := net.ParseIP(host); ip != nil {
		cip := net.ParseIP(cn)
		return cip != nil && cip.Equal(ip)
	}
	return (&x509.Certificate{DNSNames: []string{cn}}).VerifyHostname(name) == nil
}

// verifier checks the server's certificate during the handshake, in
// place of crypto/tls: the same rules, plus the Common Name of a
// certificate without subjectAltName and pinning; it keeps how it
// accepted the certificate.
type verifier struct {
	roots    *x509.CertPool
	name     string
	now      func() time.Time
	pin      Fingerprint
	cn       bool
	peerHook func([][]byte, [][]*x509.Certificate) error
	connHook func(tls.ConnectionState) error
	check    Check
}

// Config returns a copy of conf that verifies the server's certificate,
// and a function that says, once the handshake is done, how it was
// accepted. The name checked is conf.ServerName. Unless verification is
// off (InsecureSkipVerify without a pin), the copy verifies by
// crypto/tls's rules, or with pin not zero by that fingerprint alone (its
// chain, names and dates unchecked, InsecureSkipVerify or not), or with
// commonName a certificate that has no subjectAltName by its Common Name:
// exactly (or as the same address), or as a wildcard of the whole
// left-most label ("*.example.net"), its chain verified as always. A
// certificate it refuses fails the handshake with a
// *tls.CertificateVerificationError that wraps a *CertificateError.
// conf's VerifyPeerCertificate and VerifyConnection run after that check,
// with the chains it verified.
func Config(conf *tls.Config, pin Fingerprint, commonName bool) (*tls.Config, func() Check) {
	tc := conf.Clone()
	v := &verifier{}
	if tc.InsecureSkipVerify && pin == (Fingerprint{}) {
		return tc, v.accepted
	}
	v.roots, v.name, v.now, v.pin, v.cn = tc.RootCAs, tc.ServerName, tc.Time, pin, commonName
	v.peerHook, v.connHook = tc.VerifyPeerCertificate, tc.VerifyConnection
	if v.now == nil {
		v.now = time.Now
	}
	tc.InsecureSkipVerify = true
	tc.VerifyPeerCertificate = nil
	tc.VerifyConnection = v.verify
	return tc, v.accepted
}

// accepted says how the verifier accepted the certificate.
func (v *verifier) accepted() Check { return v.check }

// verify is the tls.Config's VerifyConnection. The chain is verified
// before the name (crypto/tls does the name first): the same certificates
// pass, and a certificate that fails both is refused for its chain, the
// more basic of the two problems.
func (v *verifier) verify(cs tls.ConnectionState) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return errors.New("tls: the server sent no certificate")
	}
	leaf := certs[0]
	refuse := func(reason Reason, err error) error {
		ce := &CertificateError{Reason: reason, ServerName: v.name, Cert: leaf, Fingerprint: certFingerprint(leaf), Err: err}
		if reason == PinMismatch {
			ce.ServerName, ce.Pin = "", v.pin
		}
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: ce}
	}
	var chains [][]*x509.Certificate
	if v.pin != (Fingerprint{}) {
		if certFingerprint(leaf) != v.pin {
			return refuse(PinMismatch, nil)
		}
		v.check = Pinned
	} else {
		opts := x509.VerifyOptions{Roots: v.roots, CurrentTime: v.now(), Intermediates: x509.NewCertPool()}
		for _, c := range certs[1:] {
			opts.Intermediates.AddCert(c)
		}
		var err error
		if chains, err = leaf.Verify(opts); err != nil {
			return refuse(chainReason(err), err)
		}
		switch {
		case v.cn && !hasSAN(leaf):
			if !matchCN(leaf.Subject.CommonName, v.name) {
				return refuse(WrongName, nil)
			}
			v.check = VerifiedCN
		default:
			if err := leaf.VerifyHostname(v.name); err != nil {
				return refuse(WrongName, err)
			}
			v.check = Verified
		}
	}
	if v.peerHook != nil {
		raw := make([][]byte, len(certs))
		for i, c := range certs {
			raw[i] = c.Raw
		}
		if err := v.peerHook(raw, chains); err != nil {
			return err
		}
	}
	if v.connHook != nil {
		cs.VerifiedChains = chains
		return v.connHook(cs)
	}
	return nil
}

// chainReason classifies a failure of x509.Certificate.Verify.
func chainReason(err error) Reason {
	var ua x509.UnknownAuthorityError
	var sr x509.SystemRootsError
	var ci x509.CertificateInvalidError
	var he x509.HostnameError
	switch {
	case errors.As(err, &ua), errors.As(err, &sr):
		return Untrusted
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return Expired
	case errors.As(err, &he):
		return WrongName
	}
	return Invalid
}
