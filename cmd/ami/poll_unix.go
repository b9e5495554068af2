//go:build unix

package main

import (
	"context"
	"os"

	"golang.org/x/sys/unix"
)

// writerGone reports whether f (stdin) is a pipe or socket whose writing
// end is closed already: poll reports a hang-up at once. What is left in
// it can then be read to the end without waiting.
func writerGone(f *os.File) bool {
	fd, ok := rawFd(f)
	if !ok {
		return false
	}
	fds := []unix.PollFd{{Fd: fd, Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n == 1 && fds[0].Revents&unix.POLLHUP != 0
}

// rawFd returns f's descriptor without File.Fd's side effect of putting
// it in blocking mode.
func rawFd(f *os.File) (int32, bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	var fd int32
	if rc.Control(func(u uintptr) { fd = int32(u) }) != nil {
		return 0, false
	}
	return fd, true
}

// watchHangup returns a context that is cancelled when nobody reads f
// (stdout) any more: the reading end of its pipe or socket has been
// closed, as when `head -1` has what it wanted. A writer learns that only
// at its next write, which for a quiet event stream can be hours away.
// It watches only pipes and sockets; for anything else, or when the watch
// cannot be set up, it returns ctx itself. stop ends the watch (its
// thread, blocked in poll) and must be called.
func watchHangup(ctx context.Context, f *os.File) (_ context.Context, stop func()) {
	st, err := f.Stat()
	if err != nil || st.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return ctx, func() {}
	}
	fd, ok := rawFd(f)
	if !ok {
		return ctx, func() {}
	}
	// poll has no other way to be woken than an event on one of its
	// descriptors: a pipe of our own is the way to stop it.
	var wake [2]int
	if err := unix.Pipe(wake[:]); err != nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Events 0: only the conditions poll always reports, POLLERR
		// (Linux, a pipe without readers) and POLLHUP (BSD, macOS, a
		// socket), on stdout; anything on the wake pipe.
		fds := []unix.PollFd{{Fd: fd}, {Fd: int32(wake[0]), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err == nil && fds[1].Revents == 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				cancel()
			}
			return
		}
	}()
	return ctx, func() {
		_, _ = unix.Write(wake[1], []byte{0})
		<-done
		unix.Close(wake[0])
		unix.Close(wake[1])
		cancel()
	}
}
