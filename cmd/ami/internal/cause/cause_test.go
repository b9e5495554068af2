package cause_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ami-cli/ami/cmd/ami/internal/cause"
)

func TestShort(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5038},
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout")}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, "failed"},
		{"plain", errors.New("bad banner"), "bad banner"},
		{"syscall inside OpError", refused, "connection refused"},
		{"wrapped", fmt.Errorf("login: %w", refused), "login: connection refused"},
		{"context", fmt.Errorf("%w (%w)", context.DeadlineExceeded, timeout), "context deadline exceeded (i/o timeout)"},
		{"OpError without syscall", timeout, "i/o timeout"},
	}
	for _, tc := range tests {
		if got := cause.Short(tc.err); got != tc.want {
			t.Errorf("%s: Short = %q, want %q", tc.name, got, tc.want)
		}
	}
}
