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

// TLSMismatchError is Dial's finding that the server speaks the other
// protocol: TLS while Config.TLS is nil (no banner came, and a TLS
// handshake with the same address succeeded), or plain text while
// Config.TLS is set (the handshake was answered with bytes that are not
// TLS, such as a plain AMI banner).
type TLSMismatchError struct {
	// ServerTLS is true for a TLS server reached without TLS, false for a
	// server that does not speak TLS reached with it.
	ServerTLS bool
	// Waited is how long no banner came (ServerTLS).
	Waited time.Duration
	// First is the start of what the server sent instead of a TLS
	// handshake (not ServerTLS).
	First []byte
	// Err is the handshake's error (not ServerTLS).
	Err error
}

// Error says what was seen.
func (e *TLSMismatchError) Error() string {
	if e.ServerTLS {
		return fmt.Sprintf("no banner after %v, and a TLS handshake with the same address succeeded", e.Waited.Round(time.Millisecond))
	}
	return fmt.Sprintf("the server answered the TLS handshake with plain text %q, not TLS", e.First)
}

// Unwrap returns the handshake's error, if any.
func (e *TLSMismatchError) Unwrap() error { return e.Err }

// notTLS turns a handshake failure on a first record that is not TLS at
// all into a *TLSMismatchError; other errors come back as they are.
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
	first := bytes.Clone(rh.RecordHeader[:])
	return &TLSMismatchError{First: first, Err: err}
}

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
