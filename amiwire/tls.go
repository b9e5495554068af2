package amiwire

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/ami-cli/ami/amiwire/amitls"
)

// clientTLS returns the tls.Config Dial hands to crypto/tls for cfg, which
// has TLS, and the function that says how the certificate was accepted
// (amitls.Config). ServerName defaults to the host of Addr.
func clientTLS(cfg Config) (*tls.Config, func() amitls.Check) {
	tc := cfg.TLS
	if tc.ServerName == "" {
		tc = tc.Clone()
		tc.ServerName, _, _ = net.SplitHostPort(cfg.Addr)
	}
	return amitls.Config(tc, cfg.TLSFingerprint, cfg.TLSCommonName)
}

// notTLS turns a handshake failure on a first record that is not TLS at
// all into an error wrapping ErrServerPlain; other errors come back as
// they are.
func notTLS(err error) error {
	var rh tls.RecordHeaderError
	if !errors.As(err, &rh) {
		return err
	}
	// The record types of TLS are 20 to 23 (RFC 8446, 5.1); anything else
	// in the first byte is not TLS at all.
	if t := rh.RecordHeader[0]; t >= 20 && t <= 23 {
		return err
	}
	return &plainError{first: bytes.Clone(rh.RecordHeader[:]), err: err}
}

// plainError is ErrServerPlain with what the server sent instead of a
// TLS handshake. It wraps the handshake's tls.RecordHeaderError too,
// which holds those bytes, without repeating its text.
type plainError struct {
	first []byte
	err   error
}

func (e *plainError) Error() string {
	return fmt.Sprintf("%v: it answered the TLS handshake with plain text %q", ErrServerPlain, e.first)
}

func (e *plainError) Unwrap() []error { return []error{ErrServerPlain, e.err} }

// bannerGrace is how long Dial waits for the banner of a plain connection,
// on top of the time the connect took, before it checks on a second
// connection whether the address speaks TLS: Asterisk sends its banner as
// soon as it accepts, so none after this long is unusual, while a TLS
// server sends nothing until it hears a ClientHello.
const bannerGrace = 500 * time.Millisecond

// probeTLS reports whether a TLS handshake with addr succeeds (whatever
// the certificate), within ctx.
func probeTLS(ctx context.Context, d *net.Dialer, addr string) bool {
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(addr)
	// Only whether the server speaks TLS matters here: nothing is sent
	// over this connection, and it is closed right after the handshake.
	tc := tls.Client(conn, &tls.Config{ServerName: host, InsecureSkipVerify: true})
	return tc.HandshakeContext(ctx) == nil
}
