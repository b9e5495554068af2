// Package cause words the causes of network failures for ami's one-line
// diagnostics.
package cause

import (
	"errors"
	"net"
	"os"
	"strings"
)

// Short renders err without the layers of *net.OpError and
// *os.SyscallError that repeat the operation and the addresses
// ("connection refused" rather than "dial tcp 127.0.0.1:5038: connect:
// connection refused"), keeping whatever wraps them: a cause that wraps a
// context error keeps its own text ("context deadline exceeded (...)"),
// shortened the same way inside the parentheses. A nil err is "failed".
func Short(err error) string {
	if err == nil {
		return "failed"
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Err == nil {
		return err.Error()
	}
	inner := oe.Err
	var se *os.SyscallError
	if errors.As(inner, &se) && se.Err != nil {
		inner = se.Err
	}
	s := err.Error()
	// Replace the OpError's text inside the whole message by the inner one,
	// keeping whatever wraps it.
	if full := oe.Error(); strings.Contains(s, full) {
		return strings.Replace(s, full, inner.Error(), 1)
	}
	return inner.Error()
}
