package main

import (
	"crypto/tls"
	"crypto/x509"
	"sync/atomic"
)

// peerCert makes s keep the server's TLS certificate (the leaf) once Dial
// has accepted it, and returns how to get it: nil before, or without TLS.
// It chains any VerifyConnection already set; amiwire runs it after its
// own check of the certificate.
func peerCert(s *connSettings) func() *x509.Certificate {
	var leaf atomic.Pointer[x509.Certificate]
	if s.Config.TLS != nil {
		tc := s.Config.TLS.Clone()
		prev := tc.VerifyConnection
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) > 0 {
				leaf.Store(cs.PeerCertificates[0])
			}
			if prev != nil {
				return prev(cs)
			}
			return nil
		}
		s.Config.TLS = tc
	}
	return leaf.Load
}
